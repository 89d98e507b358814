"""A channel's weekly digest is in the channel's language, not in the language of whoever turned it on."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from test_scheduler_support import World, text_of, utc

from kbbot.config import Settings
from kbbot.contract.events import CommandInvoked, MembersSynced


def test_a_dutch_channels_digest_is_dutch_though_an_english_colleague_asked_for_it(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    world = World(sessions, settings, utc(2026, 11, 24, 9, 0))
    world.join("alice", channels=("general", "team"))
    world.join("bob", locale="nl", channels=("team",))
    world.join("carol", locale="nl", channels=("team",))
    assert "Dit kanaal krijgt een wekelijkse samenvatting" in text_of(
        world.say("alice", "team", "digest on", mentions_bot=True)[0])
    world.say("alice", "general", "digest on", mentions_bot=True)
    world.deliverer().run()  # last week's moments: recorded as skipped

    world.ask("alice", "team", "How do I restart a #kubernetes pod?")
    world.ask("alice", "general", "Where is the #python style guide?")
    world.run_until(utc(2026, 11, 30, 9, 30), step_minutes=120)

    team = world.outbound.to("C-team")
    assert len(team) == 1 and team[0].locale == "nl"
    assert "📰 Deze week in #team" in text_of(team[0]) and "This week" not in text_of(team[0])
    general = world.outbound.to("C-general")
    assert len(general) == 1 and "📰 This week in #general" in text_of(general[0])


def test_a_language_set_for_the_channel_decides_its_digest(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    world = World(sessions, settings, utc(2026, 11, 24, 9, 0))
    world.join("bob", locale="nl", channels=("team",))
    world.join("carol", locale="nl", channels=("team",))
    world.say("bob", "team", "digest aan", mentions_bot=True)
    world.command("carol", "kb", "kanaal taal en", channel="team")
    world.deliverer().run()
    world.ask("bob", "team", "Hoe herstart ik een #kubernetes pod?")
    world.run_until(utc(2026, 11, 30, 9, 30), step_minutes=120)
    team = world.outbound.to("C-team")
    assert len(team) == 1 and "📰 This week in #team" in text_of(team[0])


def test_members_known_only_from_the_roster_do_not_outvote_those_kbbot_has_heard(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    world = World(sessions, settings, utc(2026, 11, 24, 9, 0))
    world.join("bob", locale="nl", channels=("team",))
    world.join("carol", locale="nl", channels=("team",))
    roster = ["bob", "carol", *(f"U-{number}" for number in range(5))]  # five colleagues who never spoke
    world.dispatch(MembersSynced(**world._base("bob", world.channel("team")), member_ids=roster))  # type: ignore[arg-type]
    replies = world.dispatch(CommandInvoked(**world._base("bob", world.channel("team")),  # type: ignore[arg-type]
                                            command="ask", text="Hoe herstart ik een pod?"))
    card = next(r for r in replies if r.anchor is not None)
    assert card.locale == "nl" and "Vraag van Bob" in text_of(card)
