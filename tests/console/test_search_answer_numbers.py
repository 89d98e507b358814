"""Search results number every answer a reader may see, so anyone can upvote or flag the one they mean.

The accepted answer keeps its place in the summary (with its number and
votes); every other answer gets one compact line (its number, author, first
words, 👍), the most upvoted first, at most three, then how many more there are.
Who sees what is still decided by kbbot/store/visibility.py alone.
"""

from __future__ import annotations

import re

from console_chat import Chat

QUESTION = "/ask How do I rotate the staging database password? #postgres"


def _answered(chat: Chat) -> None:
    """Bob answers (answer 1), Carol answers (answer 2), Dave upvotes both, Alice accepts Bob's."""
    chat(QUESTION, ":as bob", ":reply 1 Use the vault CLI: vault write -f database/rotate-root/staging",
         ":as carol", ":reply 1 Ask the DBA team; they rotate it every month on the first Monday",
         ":as dave", ":react 4 👍", ":react 2 👍", ":as alice", ":react 2 ✅")


def _line(shown: str, start: str) -> str:
    found = [line for line in shown.splitlines() if start in line]
    assert len(found) == 1, (start, shown)
    return found[0]


def test_every_visible_answer_is_listed_with_its_number(chat: Chat) -> None:
    _answered(chat)
    shown = chat(":as erin", "/kb search staging database password")
    accepted = _line(shown, "✅ Bob: Use the vault CLI")  # the summary keeps the accepted answer, with its votes
    assert accepted.endswith("· answer 1 · 👍 1")
    carol = _line(shown, "answer 2 by Carol: Ask the DBA team")  # and each other answer gets a line
    assert carol.endswith("· 👍 1") and "✅" not in carol
    assert "answer 1 by Bob" not in shown  # not twice

    # The number is what /kb upvote and /kb flag take: Erin can now thank Carol.
    assert "your upvote is counted" in chat("/kb upvote 2")
    assert _line(chat("/kb search staging database password"), "answer 2 by Carol").endswith("· 👍 2")


def test_answer_lines_in_dutch(chat: Chat) -> None:
    _answered(chat)
    shown = chat(":as joost nl", "/kb zoek staging database password")
    assert "antwoord 2 van Carol: Ask the DBA team" in shown and "· antwoord 1 · 👍 1" in shown


def test_a_retracted_answer_is_not_listed_and_many_answers_stay_compact(chat: Chat) -> None:
    chat(QUESTION)
    for number, who in enumerate(("bob", "carol", "dave", "erin", "frank"), start=1):
        chat(f":as {who}", f":reply 1 Answer number {number} from {who}: try the runbook page {number}")
    chat(":as carol", ":delete 4")  # Carol takes hers back (answer 2)
    shown = chat(":as grace", "/kb search staging database password")
    listed = re.findall(r"answer (\d+) by (\w+):", shown)
    assert listed == [("1", "Bob"), ("3", "Dave"), ("4", "Erin")], shown
    assert "+ 1 more answer(s)" in shown and "Carol" not in shown
    dutch = chat(":as joost nl", "/kb zoek staging database password")
    assert "+ nog 1 antwoord(en)" in dutch


def test_a_suggestion_without_an_accepted_answer_shows_its_answers(chat: Chat) -> None:
    chat(QUESTION, ":as bob", ":reply 1 Use the vault CLI: vault write -f database/rotate-root/staging")
    shown = chat(":as erin", "/ask how to rotate the database password on staging")
    assert "may already help" in shown
    assert "answer 1 by Bob: Use the vault CLI" in shown


def test_answers_in_a_private_channel_stay_there(chat: Chat) -> None:
    chat(":as alice", ":in #hr private", "/ask What is the salary band for L5?", ":as bob", ":in #hr private",
         ":reply 1 Between 70 and 80k, see the HR wiki")
    assert "answer 1 by Bob" in chat(":as alice", ":in #hr private", "/kb search salary band")
    assert "Between 70" not in chat(":as eve", ":in #general", "/kb search salary band L5")
