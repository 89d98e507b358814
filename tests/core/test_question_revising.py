"""Askers edit or withdraw their own question, in the console chat, on SQLite and PostgreSQL.

Alice rewords her question: the card in the channel changes in place and
search finds the new wording, not the old. Bob may not touch Alice's
question. Alice withdraws a question nobody settled: it disappears from
search, suggestions, home, digests and exports while its answers stay in the
database. A question with an accepted answer stays: that knowledge is kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from console_chat import Chat, count
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot import commands
from kbbot.config import MAX_TEXT_LENGTH
from kbbot.text.plaintext import lines
from kbbot.services import digest, export
from kbbot.store.db import unit_of_work
from kbbot.store.models import Answer, Conversation, Person, Question, QuestionStatus

QUESTION = "How do I rotate the staging database password? #postgres"
REWORDED = "How do I renew the <!channel> TLS certificate of the intranet? #vault"


def _question(sessions: sessionmaker[Session]) -> tuple[str, QuestionStatus, list[str]]:
    with unit_of_work(sessions) as session:
        question = session.scalars(select(Question)).one()
        return question.text, question.status, [tag.name for tag in question.tags]


def test_the_asker_rewords_the_question_and_the_card_and_search_follow(
        chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat(f"/ask {QUESTION}", ":as bob", ":reply 1 Use the vault CLI.")
    assert "[Q1]" in chat(":as carol", "/kb search staging database password")

    shown = chat(":as alice", f"/kb edit 1 {REWORDED}")
    confirmation, card = shown.split("#1 kbbot updated its message in #general:")
    assert "only alice sees this" in confirmation and "Question 1 now reads:" in confirmation
    assert "TLS certificate of the intranet" in card and "staging" not in card
    assert "✏️ Edited by the asker" in card and "#vault" in card and "#postgresql" not in card
    # Stored as written, shown inert: nobody's channel is pinged by an edit.
    assert "<!channel>" not in shown and "@\u2060channel" in card
    text, _, tags = _question(sessions)
    assert text == REWORDED.removesuffix(" #vault") and tags == ["vault"]

    found = chat(":as carol", "/kb search TLS certificate intranet")
    assert "[Q1]" in found and "renew the" in found
    assert "Nothing found" in chat("/kb search staging database password")


def test_an_edit_without_tags_keeps_them_and_an_unchanged_one_says_so(
        chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat(f"/ask {QUESTION}")
    assert "updated its message" in chat("/kb bewerk Q1 How do I rotate the staging password safely?")
    assert _question(sessions)[2] == ["postgresql"]
    shown = chat("/kb edit 1 How do I rotate the staging password safely?")
    assert "already reads like that; nothing changed" in shown and "updated its message" not in shown


def test_empty_too_long_or_unnumbered_edits_get_a_usage_line_and_change_nothing(
        chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat(f"/ask {QUESTION}")
    before = _question(sessions)
    assert "Usage: /kb edit <question number> <new text>" in chat("/kb edit 1")
    assert "Usage: /kb edit" in chat("/kb edit 1    ")
    assert "Usage: /kb edit" in chat("/kb edit the staging one please")
    too_long = chat("/kb edit 1 " + "x" * MAX_TEXT_LENGTH)
    assert f"the limit is {MAX_TEXT_LENGTH}" in too_long and "updated its message" not in too_long
    assert "Gebruik: /kb edit <vraagnummer> <nieuwe tekst>" in chat(":as alice nl", "/kb bewerk 1")
    assert "Gebruik: /kb withdraw <vraagnummer>" in chat("/kb intrekken de vraag")
    assert _question(sessions) == before


def test_someone_else_is_refused_in_their_language_and_nothing_changes(
        chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat(f"/ask --anon {QUESTION}")
    before = _question(sessions)
    shown = chat(":as bob", "/kb edit 1 Who broke staging?")
    assert "Only the person who asked can edit a question." in shown and "updated its message" not in shown
    assert "Only the person who asked can withdraw a question." in chat("/kb withdraw 1")
    dutch = chat(":as daan nl", "/kb bewerk 1 Wie heeft staging kapot gemaakt?", "/kb intrekken 1")
    assert "Alleen wie de vraag stelde kan hem bewerken." in dutch
    assert "Alleen wie de vraag stelde kan hem intrekken." in dutch
    assert "updated its message" not in dutch
    assert _question(sessions) == before
    # The stored asker of an anonymous question may, and the card stays anonymous.
    card = chat(":as alice", "/kb edit 1 How do I rotate the staging password, anonymously?")
    assert "Anonymous question" in card and "rotate the staging password, anonymously?" in card
    assert "alice" not in card.split("updated its message")[1].lower()
    assert "That question no longer exists" in chat(":as bob", "/kb edit 7 Anything")


def test_a_withdrawn_question_shows_nowhere_but_its_answers_are_kept(
        chat: Chat, sessions: sessionmaker[Session]) -> None:
    vpn = "Where is the VPN profile for the Utrecht office? #vpn"
    chat(":as bob", "/expertise add vpn", ":as carol", "/expertise add vpn", ":as alice", f"/ask {vpn}")
    assert "VPN profile" in chat(":as carol", ":home")
    chat(":as bob", ":reply 1 On the intranet, under IT > Remote work.")
    assert "may already help" in chat(":as dave", "/ask Where is the VPN profile for the Utrecht office?")

    shown = chat(":as alice", "/kb withdraw 1")
    assert "Question 1 is withdrawn. It no longer shows in search, suggestions, home or digests." in shown
    card = shown.split("#1 kbbot updated its message in #general:")[1]
    assert "This question was withdrawn by the asker." in card and "VPN profile" not in card

    assert "Nothing found" in chat(":as erin", "/kb search VPN profile Utrecht office")
    asked_again = chat("/ask Where is the VPN profile for the Utrecht office? #vpn")
    assert "may already help" not in asked_again and "Question from Erin" in asked_again
    assert "Utrecht" not in chat(":as alice", ":home")  # no longer among her own open questions
    home = chat(":as carol", ":home")
    assert "[Q2]" in home and "[Q1]" not in home  # only erin's new question waits for carol's expertise

    now = datetime.now(timezone.utc)
    week = digest.Window(now - timedelta(days=1), now + timedelta(days=1))
    with unit_of_work(sessions) as session:
        general = session.scalars(select(Conversation).where(Conversation.external_id == "C-general")).one()
        channel = digest.channel(session, general, "en", week)
        assert channel is not None  # erin's question is news; the withdrawn one is not
        assert not any("[Q1]" in line for line in lines(channel))
        # Bob answered only the withdrawn question: the digest does not thank him for it.
        assert not any("Bob" in line for line in lines(channel))
        alice = session.scalars(select(Person).where(Person.external_id == "alice")).one()
        personal = digest.personal(session, alice, week)
        assert personal is None or not any("[Q1]" in line for line in lines(personal))
        assert 1 not in [record["id"] for record in export.records(session, include_private=True)]
        question = session.get(Question, 1)
        assert question is not None and question.status is QuestionStatus.WITHDRAWN
    assert count(sessions, Answer) == 1
    # It no longer counts as asked by alice; bob's answer still counts as given.
    assert "Questions asked: 0" in chat(":as alice", "/kb stats")
    assert "Answers given: 1" in chat(":as bob", "/kb stats")

    # A late reply in its thread is not captured, and the question stays withdrawn.
    chat(":as carol", ":reply 1 Also on the wiki.")
    assert count(sessions, Answer) == 1
    assert "already withdrew question 1" in chat(":as alice", "/kb withdraw 1")
    assert "That question no longer exists" in chat(":as bob", "/kb withdraw 1")
    assert "That question no longer exists" in chat(":as alice", "/kb close 1")


def test_a_question_with_an_accepted_answer_cannot_be_withdrawn(
        chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat(f"/ask {QUESTION}", ":as bob", ":reply 1 Use the vault CLI: vault write -f db/rotate-root/staging")
    chat(":as alice", ":react 2 ✅")
    shown = chat("/kb withdraw 1")
    assert "Question 1 has an accepted answer, so it stays" in shown and "/kb edit 1 <new text>" in shown
    assert "updated its message" not in shown
    assert "heeft een geaccepteerd antwoord en blijft dus staan" in chat(":as alice nl", "/kb intrekken 1")
    assert _question(sessions)[1] is QuestionStatus.ACCEPTED
    assert "[Q1]" in chat(":as carol", "/kb search staging database password")


def test_help_names_the_new_commands_in_both_languages(chat: Chat) -> None:
    shown = chat("/kb help")
    assert "/kb edit <question number> <new text>" in shown and "/kb withdraw <question number>" in shown
    dutch = chat(":as daan nl", "/kb hulp")
    assert "herformuleer je eigen vraag" in dutch and "trek je eigen vraag in" in dutch


def test_the_grammar_reads_edit_and_withdraw_in_english_and_dutch() -> None:
    assert commands.parse("kb", "edit 12 Why is -- the build red? #ci") == commands.EditQuestion(
        12, "Why is -- the build red?", ("ci",))
    assert commands.parse("kb", "edit Q3 --anon who knows?") == commands.EditQuestion(3, "--anon who knows?")
    assert commands.parse_message("bewerk 4 Waar staat de printer?") == commands.EditQuestion(4, "Waar staat de printer?")
    assert commands.parse_message("withdraw #5") == commands.WithdrawQuestion(5)
    assert commands.parse_message("intrekken 6") == commands.WithdrawQuestion(6)
    assert commands.parse("kb", "withdraw") == commands.UsageError("usage.withdraw")
    assert commands.parse("kb", "edit 9") == commands.UsageError("usage.edit")
