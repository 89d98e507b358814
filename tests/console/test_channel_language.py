"""One language per channel: everything kbbot posts where everyone reads it, in the channel's language.

The rule (kbbot/services/language.py): a language set for the channel with
``/kb channel language nl|en``, else the language most of its known members
use, ties going to the workspace's default. The asker's own language is for
what only the asker sees.
"""

from __future__ import annotations

from console_chat import Chat
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.store.db import unit_of_work
from kbbot.store.models import Conversation


def _dutch_team(chat: Chat) -> None:
    """#team: Bob and Carol, both Dutch; Bob knows #kubernetes."""
    chat(":as bob nl", ":in #team", "hoi", "/expertise add k8s", ":as carol nl", ":in #team", "hallo")


def test_an_english_colleague_asking_in_a_dutch_channel_gets_a_dutch_card_and_thread(chat: Chat) -> None:
    _dutch_team(chat)
    shown = chat(":as alice", ":in #team", "/ask How do I restart a pod? #k8s")
    assert "#3 kbbot in #team:" in shown
    assert "Vraag van Alice" in shown and "✋ Ik ook" in shown and "Antwoord in deze thread" in shown
    assert "Collega's die verstand hebben van #kubernetes, kunnen jullie helpen? @Bob" in shown
    assert "Question from" not in shown and "Me too" not in shown and "Colleagues who know" not in shown

    assert "Bob answered your question" in chat(":as bob", ":reply 3 kubectl rollout restart deployment/web")
    accepted = chat(":as alice", ":react 5 ✅")
    assert "✅ Alice heeft het antwoord van Bob geaccepteerd." in accepted  # in the thread, for everyone
    assert "accepted the answer by" not in accepted.split("only alice sees this")[0]

    closed = chat("/kb close 1")
    private, public = closed.split("#")[0], closed[closed.index("#"):]
    assert "Question 1 is closed" in private  # only Alice reads that: her language
    assert "🔒 De vraagsteller heeft deze vraag gesloten." in public and "The asker closed" not in public


def test_a_rewritten_or_withdrawn_card_keeps_the_channels_language(chat: Chat) -> None:
    _dutch_team(chat)
    chat(":as alice", ":in #team", "/ask How do I restart a pod? #k8s")
    edited = chat("/kb edit 1 How do I restart a pod without downtime? #k8s")
    card = edited.split("kbbot updated its message in #team:")[1]
    assert "Vraag van Alice" in card and "✏️ Bewerkt door de vraagsteller" in card and "Edited by" not in card
    withdrawn = chat("/kb withdraw 1").split("kbbot updated its message in #team:")[1]
    assert "↩️ Deze vraag is ingetrokken door de vraagsteller." in withdrawn


def test_a_dutch_colleague_asking_in_an_english_channel_of_a_dutch_workspace_gets_an_english_card(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    chat = Chat(sessions, settings.model_copy(update={"default_locale": "nl"}))
    chat(":as alice en", "hi", ":as erin en", "hello", "/expertise add k8s")
    shown = chat(":as bob nl", "/ask Hoe herstart ik een pod? #k8s")
    assert "Question from Bob" in shown and "✋ Me too" in shown
    assert "Colleagues who know about #kubernetes, could you help? @Erin" in shown
    assert "Vraag van" not in shown


def test_the_channel_digest_confirmation_speaks_the_channels_language(chat: Chat) -> None:
    _dutch_team(chat)
    shown = chat(":as alice", ":in #team", "/kb digest on")
    assert "Dit kanaal krijgt een wekelijkse samenvatting" in shown and "This channel will" not in shown
    shown = chat(":as alice", ":in #general", "/kb digest on")
    assert "This channel will get a weekly digest" in shown


def test_a_channel_language_set_by_command_wins_over_its_members(
        chat: Chat, sessions: sessionmaker[Session]) -> None:
    _dutch_team(chat)
    shown = chat(":as carol", ":in #team", "/kb channel language en")
    assert "kbbot now posts in English in #team (set by Carol)." in shown
    assert "only carol sees this" not in shown  # a change everyone in the channel should know of
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Conversation.locale).where(Conversation.name == "team")).one() == "en"
    assert "Question from Bob" in chat(":as bob", ":in #team", "/ask Hoe herstart ik een pod? #k8s")

    shown = chat("/kb kanaal taal")  # Bob, in Dutch, asks what it is
    assert "only bob sees this" in shown and "kbbot post in #team in het Engels" in shown
    assert "ingesteld" in shown

    shown = chat("/kb kanaal taal auto")
    assert "kbbot post in #team weer in de taal van de meeste leden (nu Nederlands)." in shown
    assert "Vraag van Bob" in chat("/ask Hoe herstart ik een node? #k8s")
    shown = chat(":as alice", ":in #team", "/kb channel language")
    assert "kbbot posts in #team in Dutch, the language most of its members use." in shown


def test_the_channel_language_command_needs_a_channel_and_a_known_language(chat: Chat) -> None:
    assert "Use this in the channel" in chat(":dm", "/kb channel language nl")
    assert "Usage: /kb channel language en|nl|auto" in chat(":in #general", "/kb channel language fr")
    assert "Gebruik: /kb kanaal taal en|nl|auto" in chat(":as bob nl", "/kb kanaal klingon")
    assert "/kb channel language en|nl|auto" in chat(":as alice", "/kb help")


def test_a_tie_goes_to_the_workspace_default(sessions: sessionmaker[Session], settings: Settings) -> None:
    english = Chat(sessions, settings)
    english(":as bob nl", ":in #pair", "hoi", ":as alice", ":in #pair", "hi")
    assert "Question from Alice" in english("/ask Who pairs on Friday?")

    dutch = Chat(sessions, settings.model_copy(update={"default_locale": "nl"}))
    assert "Vraag van Alice" in dutch(":as alice", ":in #pair", "/ask Who pairs on Monday?")


def test_setting_the_language_it_already_has_changes_nothing_and_says_so(chat: Chat) -> None:
    assert "kbbot post nu in het Nederlands in #team" in chat(":in #team", "/kb channel language nl")  # in its new language
    again = chat("/kb channel language nl")
    assert "kbbot already posts in Dutch in #team; nothing changed." in again and "only alice sees this" in again
    assert "now posts" not in again
    assert "kbbot post al in het" in chat(":as bob nl", ":in #lunch", "/kb kanaal taal auto")  # nothing was set
