"""What a new user trips over: thanks taken for a question, a usage line that hides commands, mentions as tags."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from console_chat import Chat, count
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot import commands
from kbbot.commands import registry
from kbbot.commands.small_talk import small_talk
from kbbot.config import Settings
from kbbot.services.turn import Turn
from kbbot.store.db import unit_of_work
from kbbot.store.models import DeclaredExpertise, Draft, Person, Question, SharedPost, Tag
from kbbot.store.scheduling import Delivery, DeliveryStatus
from kbbot.text.tags import normalise


@pytest.fixture
def with_questions_channel(sessions: sessionmaker[Session], settings: Settings) -> Chat:
    return Chat(sessions, settings.model_copy(update={"questions_channel": "C-questions"}))


# -- 7. thanks and small talk in a DM are not questions ---------------------------------------------

def test_thanks_in_the_thread_of_kbbots_dm_is_not_a_question(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat("/ask How do I rotate the staging database password? #postgres", ":as bob")
    dm = chat(":reply 1 Run vault write db/rotate-root/staging.")
    assert "#3 kbbot → DM to alice" in dm
    shown = chat(":as alice", ":reply 3 thank you, that helps!")
    assert "Glad it helped" in shown and "only alice sees this" in shown
    assert "Ask in a channel" not in shown
    shown = chat(":reply 3 Could you also tell me where the vault token lives?")  # not small talk, still no question
    assert "Ask in a channel" not in shown and "Shall I post" not in shown
    assert "/ask" in shown  # how to ask something new instead
    assert count(sessions, Question) == 1


def test_small_talk_in_a_dm_gets_a_friendly_reply_in_either_language(with_questions_channel: Chat,
                                                                     sessions: sessionmaker[Session]) -> None:
    chat = with_questions_channel
    chat(":dm")
    for typed in ("thanks!", "Thank you so much", "great 👍", "ok", "👍", "top, dank je"):
        shown = chat(typed)
        assert "Glad it helped" in shown and "Shall I post" not in shown, typed
    assert "Hi" in chat("hello") and "Shall I post" not in chat("Good morning!")
    dutch = chat(":as bob nl", ":dm", "bedankt!")
    assert "Fijn dat het hielp" in dutch and "/ask" in dutch
    assert "Hoi" in chat("goedemorgen") and "Hoi" in chat("hoi")
    with unit_of_work(sessions) as session:
        assert session.scalar(select(Draft.id)) is None and count(sessions, Question) == 0


def test_a_real_question_in_a_dm_is_still_offered_as_a_question(with_questions_channel: Chat) -> None:
    chat = with_questions_channel
    for typed in ("Where do I find the VPN profile?", "thanks, where do I find the VPN profile",
                  "hoi, hoe vraag ik verlof aan", "ok so which printer is on the 3rd floor?"):
        shown = chat(":dm", typed)
        assert "Shall I post this question" in shown and "Glad it helped" not in shown, typed


def test_thanks_to_kbbot_in_a_channel_is_not_posted_as_a_question(chat: Chat, sessions: sessionmaker[Session]) -> None:
    shown = chat("@kbbot thanks!")
    assert "Glad it helped" in shown and "Question from" not in shown
    assert count(sessions, Question) == 0


def test_thanks_is_not_taken_for_a_working_out_loud_post(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat(":dm", "/kb stats")
    with unit_of_work(sessions) as session:  # this week's "what did you learn?" prompt went out an hour ago
        alice = session.scalars(select(Person).where(Person.external_id == "alice")).one()
        sent = alice.created_at - timedelta(hours=1)
        session.add(Delivery(workspace_id=alice.workspace_id, recipient=f"person:{alice.id}", person_id=alice.id,
                             kind="prompt", period="2026-W01", status=DeliveryStatus.SENT, due_at=sent, sent_at=sent,
                             message_id="prompt-1"))
    assert "Glad it helped" in chat("thanks!")
    assert count(sessions, SharedPost) == 0
    assert "Noted" in chat("Learned how to rotate the staging password with vault")  # an answer still counts
    assert count(sessions, SharedPost) == 1


@pytest.mark.parametrize("typed", ["thanks", "Thank you!", "thx", "bedankt", "Dank je wel!", "dankjewel", "top",
                                   "great", "ok", "okay", "👍", "🙏", "super, thanks", "thank you, that helps!"])
def test_thanks_is_small_talk(typed: str) -> None:
    assert small_talk(typed) == "thanks"


@pytest.mark.parametrize("typed", ["hi", "Hello!", "hey kbbot", "hoi", "hallo", "goedemorgen", "Good morning"])
def test_greetings_are_small_talk(typed: str) -> None:
    assert small_talk(typed) == "hello"


@pytest.mark.parametrize("typed", ["thanks?", "How do I rotate the password", "thanks, how do I rotate the password",
                                   "ok but where is the config", "hoi, hoe vraag ik verlof aan", "Top 10 Kafka metrics",
                                   "great, the build broke again after the upgrade to 3.12 this morning", "",
                                   "vpn profile"])
def test_questions_and_other_messages_are_not_small_talk(typed: str) -> None:
    assert small_talk(typed) is None


@pytest.mark.parametrize("typed", ["hi, the vpn is broken", "hey vpn down again", "thanks but it still fails",
                                   "Hoi, mijn laptop start niet", "morning standup link broken", "dag 3 deploy faalt",
                                   "hey, learned about kafka"])
def test_a_greeting_or_thanks_before_something_else_is_not_small_talk(typed: str) -> None:
    """What follows a greeting may be the question itself, or a reply to the weekly prompt."""
    assert small_talk(typed) is None


@pytest.mark.parametrize("typed", ["thanks Bob, that helps!", "hoi allemaal", "dank je wel Anna Visser",
                                   "bedankt voor de hulp!", "thank you so much"])
def test_a_thanks_may_name_someone_and_be_warm(typed: str) -> None:
    assert small_talk(typed) in ("thanks", "hello")


# -- 9. the usage line lists every command, from the registry -------------------------------------

def test_an_unknown_kb_verb_lists_every_kb_command_in_the_persons_language(chat: Chat) -> None:
    shown = chat("/kb foo")
    assert "Unknown /kb command “foo”" in shown
    for verb in ("search", "help", "settings", "stats", "flag", "upvote", "home", "close", "edit", "withdraw",
                 "digest", "whoami"):
        assert f"|{verb}" in shown or f" {verb}|" in shown, verb
    dutch = chat(":as bob nl", "/kb foo")
    for verb in ("zoek", "hulp", "instellingen", "duim", "sluit", "bewerk", "intrekken", "overzicht", "wiebenik"):
        assert verb in dutch, verb
    assert "search" not in dutch and "withdraw" not in dutch


def test_an_unknown_expertise_verb_lists_the_expertise_commands(chat: Chat) -> None:
    shown = chat("/expertise foo")
    assert "“foo”" in shown and "/expertise add|list|remove" in shown
    assert "/expertise toevoegen|lijst|verwijderen" in chat(":as bob nl", "/expertise foo")
    assert "Gebruik: /expertise toevoegen|lijst|verwijderen <tags>" in chat("/expertise toevoegen")  # no tags given


@dataclass(frozen=True)
class Frobnicate:
    pass


def _frobnicate(turn: Turn, command: Frobnicate) -> list:  # type: ignore[type-arg]
    return []


@pytest.fixture
def frobnicate() -> Iterator[None]:
    """A command added to the registry for one test, then taken out again."""
    before = dict(registry._SPECS)
    registry.command("frobnicate", verbs=("frobnicate", "frobbel"), parse=commands.grammar.nothing_more(Frobnicate),
                     usage="help.search", order=95)(_frobnicate)
    yield
    registry._SPECS.clear()
    registry._SPECS.update(before)
    for cached in (registry._words, registry._kinds, registry._slashed):
        cached.cache_clear()


def test_a_command_added_to_the_registry_shows_in_the_usage_line(frobnicate: None, chat: Chat) -> None:
    shown = chat("/kb foo")
    assert "|frobnicate|" in shown and "frobbel" not in shown
    assert shown.index("|close|") < shown.index("|frobnicate|") < shown.index("|edit|")  # in /kb help's order
    assert "|frobbel|" in chat(":as bob nl", "/kb foo")


# -- 13. mentions are not tags --------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["@here", "@channel", "@everyone", "@someone", "#@here", "<!here>", "<!channel>",
                                   "<!everyone>", "<@U123ABC>", "<@U123|bob>", "<!subteam^S123|@devs>",
                                   "<#C123|general>", "<at>Bob</at>", "<at>Bob", "Smith</at>", "＠here"])
def test_a_mention_is_never_a_tag(typed: str) -> None:
    assert normalise(typed) is None


def test_expertise_refuses_mentions(chat: Chat, sessions: sessionmaker[Session]) -> None:
    shown = chat("/expertise add <!here> @channel")
    assert "Added to your expertise" not in shown and "#here" not in shown
    assert "Mentions are not tags" in shown and "/expertise add kubernetes python" in shown
    assert "Vermeldingen zijn geen tags" in chat(":as bob nl", "/expertise toevoegen @everyone")
    shown = chat(":as alice", "/expertise add @here kubernetes")
    assert "Added to your expertise: #kubernetes" in shown and "#here" not in shown
    with unit_of_work(sessions) as session:
        assert list(session.scalars(select(Tag.name))) == ["kubernetes"]
        assert count(sessions, DeclaredExpertise) == 1


def test_a_question_takes_no_mention_for_a_tag(chat: Chat, sessions: sessionmaker[Session]) -> None:
    shown = chat("/ask Who fixes the 3rd floor printer? #printers #<!here> #@channel")
    assert "#printers" in shown and "#here" not in shown and "#channel" not in shown
    assert commands.parse("ask", "Who fixes it? #<!here> #printers") == commands.Ask(
        text="Who fixes it?", tags=("printers",))
    with unit_of_work(sessions) as session:
        assert list(session.scalars(select(Tag.name))) == ["printers"]
