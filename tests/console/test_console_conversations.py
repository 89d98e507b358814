"""Whole conversations through the console adapter: what a person types, what they see.

These run the real core on the real database (SQLite and PostgreSQL); the
console is the one adapter with no platform behind it, so the transcript is
exactly what the person would read.
"""

from __future__ import annotations

import pytest
from console_chat import Chat, count
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.services import export
from kbbot.store.db import unit_of_work
from kbbot.store.models import Answer, Flag, Question, QuestionStatus, Vote


def test_ask_answer_accept_vote_and_flag(chat: Chat, sessions: sessionmaker[Session]) -> None:
    shown = chat("/ask How do I rotate the staging database password? #Postgres")
    assert "Question from Alice" in shown and "rotate the staging database password" in shown
    assert "#postgresql" in shown  # alias postgres → postgresql

    chat(":as bob")
    shown = chat(":reply 1 Run vault write db/rotate-root/staging, then restart the app.")
    assert "DM to alice" in shown and "Bob answered your question" in shown

    chat(":as carol")
    shown = chat(":react 2 👍")
    with unit_of_work(sessions) as session:
        assert session.scalar(select(func.count()).select_from(Vote)) == 1

    chat(":as alice")
    shown = chat(":react 2 ✅")
    assert "Alice accepted the answer by Bob" in shown
    assert "was accepted" in shown  # Bob is thanked by DM
    with unit_of_work(sessions) as session:
        question = session.scalars(select(Question)).one()
        assert question.status is QuestionStatus.ACCEPTED
        assert session.scalars(select(Answer)).one().is_accepted

    chat(":as dave")
    shown = chat("/kb flag 1 outdated vault path moved to db/rotate")
    assert "outdated" in shown.lower()
    with unit_of_work(sessions) as session:
        flag = session.scalars(select(Flag)).one()
        assert flag.kind.value == "outdated" and flag.reason == "vault path moved to db/rotate"


def test_existing_answer_is_suggested_before_asking(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat("/ask How do I rotate the staging database password? #postgres", ":as bob",
         ":reply 1 Use vault write db/rotate-root/staging", ":as alice", ":react 2 ✅")
    chat(":as erin")
    shown = chat("/ask how to rotate the database password on staging")
    assert "may already help" in shown
    assert "Use vault write db/rotate-root/staging" in shown
    assert count(sessions, Question) == 1  # nothing posted yet

    shown = chat(f":click {chat.button('This answers it', shown)}")
    assert count(sessions, Question) == 1
    assert "Glad" in shown or "glad" in shown

    shown = chat("/ask how to rotate the database password on staging")
    shown = chat(f":click {chat.button('Ask anyway', shown)}")
    assert "Question from Erin" in shown
    assert count(sessions, Question) == 2


def test_answers_follow_edits_and_deletes(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat("/ask Which VPN profile do contractors use?", ":as bob", ":reply 1 The old 'guest' profile.")
    chat(":edit 2 The 'contractor-2026' profile since November.")
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Answer)).one().text == "The 'contractor-2026' profile since November."
    chat(":delete 2")
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Answer)).one().deleted_at is not None
        assert session.scalars(select(Question)).one().status is QuestionStatus.OPEN


def test_experts_rank_declared_and_earned(chat: Chat) -> None:
    chat(":as bob", "/expertise add #kubernetes terraform")
    asked = chat(":as alice", "/ask How do I drain a k8s node safely? #k8s")
    assert "#2 kbbot in #general (thread of #1)" in asked and "@Bob" in asked  # the declared expert is brought in
    chat(":as carol", ":reply 1 kubectl drain --ignore-daemonsets", ":as alice", ":react 3 ✅")
    shown = chat(":as erin", "/experts K8S")
    assert "Who knows about #kubernetes" in shown
    # Bob declared (3 points), Carol earned one accepted answer (2 points).
    assert shown.index("Bob") < shown.index("Carol")
    assert "1 accepted" in shown
    listed = chat(":as bob", "/expertise list")
    assert "#kubernetes" in listed and "#terraform" in listed


def test_settings_in_dutch(chat: Chat) -> None:
    shown = chat("/kb settings language nl")
    assert "Nederlands" in shown or "taal" in shown.lower()
    shown = chat("/kb help")
    assert "Wat kbbot kan" in shown
    shown = chat("/kb instellingen samenvatting uit")
    assert "samenvatting" in shown.lower()
    shown = chat("/kb settings")
    assert "uit" in shown
    shown = chat("/kb frobnicate")
    assert "Onbekend" in shown or "onbekend" in shown


def test_platform_locale_is_dutch_until_changed(chat: Chat) -> None:
    assert "Wat kbbot kan" in chat(":as joost nl", "/kb help")
    assert "What kbbot can do" in chat("/kb settings language en", "/kb help")


@pytest.mark.parametrize(("text", "expected"), [("", "/ask"), ("   ", "/ask"), ("x" * 4001, "the limit is 4000")])
def test_bad_question_text_gets_a_usage_line_and_changes_nothing(
        chat: Chat, sessions: sessionmaker[Session], text: str, expected: str) -> None:
    shown = chat(f"/ask {text}")
    assert "only alice sees this" in shown
    assert expected in shown
    assert count(sessions, Question) == 0


def test_unknown_command_and_bad_flags(chat: Chat, sessions: sessionmaker[Session]) -> None:
    assert "/kb help" in chat("/kb teleport")
    assert "/ask" in chat("/ask --secret what is this")
    assert count(sessions, Question) == 0


def test_mass_mentions_are_never_rebroadcast(chat: Chat) -> None:
    shown = chat("/ask <!channel> @here who owns the build server? <!subteam^S123|@ops>")
    assert "<!channel>" not in shown and "<!subteam" not in shown
    assert "@here" not in shown  # a word joiner breaks the mention
    assert "who owns the build server" in shown


def test_anonymous_asker_stays_anonymous_everywhere(chat: Chat, sessions: sessionmaker[Session]) -> None:
    shown = chat(":as mallory", "/ask --anon Is it OK to share my screen with customers? #security")
    assert "Anonymous question" in shown and "Mallory" not in shown.split("only mallory")[0]
    shown = chat(":as bob", ":reply 1 Yes, close other windows first.")
    assert "DM to mallory" in shown  # the asker still hears about answers
    assert "Mallory" not in chat("/kb search screen customers")
    assert "Mallory" not in chat("/experts security")
    with unit_of_work(sessions) as session:
        items = list(export.records(session, include_private=True))
    assert items[0]["asker"] is None and items[0]["anonymous"] is True
    assert "mallory" not in repr(items).lower()


def test_private_channel_question_is_hidden_from_non_members(chat: Chat) -> None:
    chat(":as alice", ":in #hr-private private", "/ask What is the salary band for L5? #salary",
         ":as bob", ":in #hr-private private", ":reply 1 Ask HR for the 2026 bands sheet.",
         ":as alice", ":react 2 ✅")
    assert "salary band for L5" in chat(":as alice", ":in #general", "/kb search salary band")
    assert "Bob" in chat("/experts salary")

    outsider = chat(":as eve", ":in #general", "/kb search salary band", "/kb search L5")
    assert "salary band for L5" not in outsider and "bands sheet" not in outsider
    assert "Bob" not in chat("/experts salary")  # expertise earned in private stays private
    assert "salary band for L5" not in chat(":home")


def test_stats_show_the_stage(chat: Chat) -> None:
    chat("/ask Where are the brand guidelines?", ":as bob", ":reply 1 On the intranet under Marketing.",
         ":as alice", ":react 2 ✅")
    shown = chat(":as bob", "/kb stats")
    assert "1" in shown and ("creat" in shown.lower() or "contribut" in shown.lower())


def test_home_lists_open_questions_and_matching_unanswered(chat: Chat) -> None:
    chat(":as bob", "/expertise add python")
    chat(":as alice", "/ask Why does my python venv break after upgrading? #python")
    home = chat(":as bob", ":home")
    assert "venv" in home
    mine = chat(":as alice", ":home")
    assert "venv" in mine


def test_a_repeated_delivery_changes_nothing(sessions: sessionmaker[Session], settings: Settings) -> None:
    from kbbot.clock import system_clock
    from kbbot.contract.events import Actor, CommandInvoked, Place
    from kbbot.pipeline.inbox import receive

    event = CommandInvoked(platform="console", workspace_id="w", event_id="same-id", actor=Actor(id="u1", name="U"),
                           conversation=Place(id="c1", kind="channel", name="general"),
                           occurred_at=system_clock(), command="ask", text="Is the office open on Friday?")
    first = receive(sessions, event, settings, system_clock())
    second = receive(sessions, event, settings, system_clock())
    assert first and second == []
    assert count(sessions, Question) == 1


def test_me_too_followers_hear_the_accepted_answer(chat: Chat, sessions: sessionmaker[Session]) -> None:
    from kbbot.store.models import QuestionFollower

    card = chat("/ask Is there a standing desk I can book? #office")
    me_too = chat.button("Me too", card)
    assert "your own question" in chat(f":click {me_too}")
    assert "You'll get a message" in chat(":as carol", f":click {me_too}")
    assert "already follow" in chat(f":click {me_too}")
    chat(":as bob", ":reply 1 Yes, on floor 2; book it in the Rooms app.")
    shown = chat(":as alice", ":react 2 ✅")
    assert "DM to carol" in shown and "The question you also had" in shown and "floor 2" in shown
    assert count(sessions, QuestionFollower) == 1
    assert "carol" not in card.lower()  # following is never shown by name


def test_the_asker_closes_their_own_question(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat(":as bob", "/expertise add printers", ":as alice", "/ask Who fixes the 3rd floor printer? #printers")
    assert "Only the person who asked" in chat(":as bob", "/kb close 1")
    shown = chat(":as alice", "/kb close Q1")
    assert "Question 1 is closed" in shown and "The asker closed this question" in shown
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Question)).one().status is QuestionStatus.CLOSED
    assert "3rd floor printer" not in chat(":as bob", ":home")  # no longer waiting for an answer
    chat(":reply 1 Facilities, ext. 4411.")  # a late answer is still kept, the question stays closed
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Question)).one().status is QuestionStatus.CLOSED


def test_wifi_password_is_not_the_staging_password(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat("/ask How do I rotate the staging password?", ":as bob", ":reply 1 vault write db/rotate-root/staging",
         ":as alice", ":react 2 ✅")
    shown = chat(":as erin", "/ask @here anyone know the wifi password?")
    assert "may already help" not in shown and "rotate the staging password" not in shown
    assert "Question from Erin" in shown
    assert count(sessions, Question) == 2


def test_a_reaction_on_kbbots_own_message_says_it_does_nothing(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat("/ask How do I rotate the staging password?", ":as bob", ":reply 1 vault write db/rotate-root/staging")
    dm = chat.lines[-6:]
    accept = chat.button("Accept", "\n".join(dm))
    shown = chat(":as alice", ":react 3 ✅")  # #3 is kbbot's DM telling alice about the answer
    assert "✅ on kbbot's message does nothing" in shown
    assert "react to an answer" in shown and f":click {accept}" in shown
    shown = chat(":react 1 white_check_mark")  # the question's card: no buttons that accept
    assert "✅ on kbbot's message does nothing" in shown and "react to an answer" in shown
    with unit_of_work(sessions) as session:
        assert not session.scalars(select(Answer)).one().is_accepted
    # A reaction on a person's message is the platform's business: nothing extra is said.
    assert chat(":react 2 ✅").count("does nothing") == 0


def test_edits_and_deletes_are_for_your_own_messages(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat("/ask Which VPN profile do contractors use?", ":as bob", ":reply 1 The 'guest' profile.")
    assert "only edit your own messages" in chat(":as carol", ":edit 2 Something else.")
    assert "only delete your own messages" in chat(":delete 2")
    assert "#1 is kbbot's" in chat(":as alice", ":edit 1 Which VPN profile do interns use?")
    with unit_of_work(sessions) as session:
        answer = session.scalars(select(Answer)).one()
        assert answer.text == "The 'guest' profile." and answer.deleted_at is None


def test_a_reply_to_a_reply_goes_into_the_same_thread(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat("/ask Which VPN profile do contractors use?", ":as bob", ":reply 1 The 'guest' profile.")
    shown = chat(":as carol", ":reply 2 Since November it is 'contractor-2026'.")
    assert "in the thread of #1" in shown and "Carol answered your question" in shown
    assert count(sessions, Answer) == 2


def test_earlier_questions_are_answered_by_their_number_after_a_restart(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    first = Chat(sessions, settings)
    first("/ask How do I rotate the staging password?", "/ask Which VPN profile do contractors use?")
    later = Chat(sessions, settings)  # the console started again on the same database: numbers start at 1
    shown = later(":as bob", ":reply 2 The 'contractor-2026' profile.")
    assert "no message #2 in this run" in shown and ":reply Q" in shown
    assert count(sessions, Answer) == 0

    shown = later(":reply Q2 The 'contractor-2026' profile.")
    assert "in the thread of question 2" in shown
    assert "DM to alice" in shown and "Bob answered your question “Which VPN profile" in shown
    shown = later(":as carol", ":reply q1 vault write db/rotate-root/staging")
    assert "Carol answered your question “How do I rotate" in shown
    with unit_of_work(sessions) as session:
        assert {a.question_id: a.author.external_id for a in session.scalars(select(Answer))} == {1: "carol", 2: "bob"}
    assert "no question Q9" in later(":reply Q9 hello")
    assert "no button [9] in this run" in later(":click 9")


def test_a_thread_from_an_earlier_run_keeps_its_channel_private(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    first = Chat(sessions, settings)
    first(":in #hr private", "/ask What is the salary band for L5? #salary")
    later = Chat(sessions, settings)
    shown = later("/kb close Q1")  # kbbot says so in the question's thread, in a channel this run never entered
    assert "#1 kbbot in #hr (thread of" in shown
    later(":as bob", ":react 1 👍", ":reply 1 Ask HR for the bands sheet.")
    assert "salary band for L5" not in later(":as eve", ":in #general", "/kb search salary band")


def test_a_console_command_given_too_little_says_what_is_missing(chat: Chat) -> None:
    for typed, missing in [(":reply", "a message number and text"), (":reply 1", "text after the message number"),
                           (":react 1", "an emoji"), (":react", "a message number and an emoji"),
                           (":unreact 1", "an emoji"), (":edit 1", "text after the message number"),
                           (":delete", "a message number"), (":click", "a button number"),
                           (":click x", "a button number"), (":as", "a name"), (":in", "a channel")]:
        shown = chat(typed)
        verb = typed.split()[0]
        assert "unknown console command" not in shown, typed
        assert f"({verb} needs {missing}" in shown, (typed, shown)
        assert f"usage: {verb} " in shown, (typed, shown)
    assert "(:react takes a message number and one emoji; usage: :react N EMOJI)" in chat(":react 1 ✅ 👍")
    assert "Q1 is a question's number: :reply Q1 TEXT answers it" in chat(":react Q1 ✅")
    assert "unknown console command ':frobnicate'" in chat(":frobnicate 1")


def test_a_question_number_opens_no_private_channel_to_an_outsider(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat(":in #hr private", "/ask When are the salary reviews this year?")
    shown = chat(":as eve", ":in #general", ":reply Q1 Probably March.")
    assert "no question Q1 here" in shown and "hr" not in shown
    assert count(sessions, Answer) == 0
