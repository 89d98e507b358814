"""Search and "has this been asked before?" end to end, as a person sees them in the console.

The conversations go through the real dispatcher, services and renderers on
SQLite and PostgreSQL; what is asserted is the transcript a person would read.
"""

from __future__ import annotations

from console_chat import Chat, count
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.models import Question


def test_a_dutch_plural_finds_the_accepted_answer_before_asking_again(
        chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat(":as alice nl", "/ask Hoe reserveer ik een werkplek op kantoor?", ":as bob",
         ":reply 1 Via de Flexdesk-app, tot twee weken vooruit.", ":as alice nl", ":react 2 ✅")
    chat(":as erin nl")
    shown = chat("/ask Kan ik werkplekken voor volgende week reserveren?")
    assert "Via de Flexdesk-app" in shown
    assert count(sessions, Question) == 1  # held back: the existing answer comes first


def test_kb_search_finds_words_inside_dutch_compounds(chat: Chat) -> None:
    chat("/ask Waar vraag ik de thuiswerkvergoeding aan?", ":as bob", ":reply 1 In het HR-portaal.")
    chat(":as carol")
    shown = chat("/kb search vergoeding thuiswerken")
    assert "thuiswerkvergoeding" in shown


def test_search_syntax_typed_by_a_person_is_just_text(chat: Chat) -> None:
    chat("/ask How do I reset my VPN password?", ":as bob", ":reply 1 Use the self-service portal.")
    chat(":as carol")
    assert "reset my VPN password" in chat('/kb search "vpn" AND NEAR(password*')
    shown = chat('/kb search NOT ( " * ^ :')
    assert "Nothing found" in shown


def test_a_private_channels_answer_is_not_suggested_to_outsiders(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat(":in hr-team private", "/ask When are the salary reviews this year?", ":as bob",
         ":reply 1 In March, letters go out in April.", ":as alice", ":react 2 ✅")
    chat(":as erin", ":in general")
    shown = chat("/ask When are the salary reviews this year?")
    assert "letters go out in April" not in shown
    assert "Question from Erin" in shown  # nothing to suggest, so the question is posted
    assert count(sessions, Question) == 2


def test_an_anonymous_askers_name_never_shows_in_search(chat: Chat) -> None:
    chat(":as alice", "/ask --anon Is it normal to feel lost in the first month?", ":as bob",
         ":reply 1 Yes, everyone does. Ask your buddy.")
    chat(":as carol")
    shown = chat("/kb search lost first month")
    assert "feel lost in the first month" in shown
    assert "Alice" not in shown and "alice" not in shown
    assert "anonymous" in shown
