"""Experts invited like a good colleague would: in their working hours, within their budget, with buttons.

Whole conversations in the console on a clock the test moves; the routing
round (the scheduler's job) is run at the moments it would run.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from console_chat import Chat
from routing_support import Clock, invitations, office_hours, round_, routed_chat
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract import actions
from kbbot.contract.events import ButtonClicked
from kbbot.store.db import unit_of_work
from kbbot.store.models import Person, PingCount, RoutingStep


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def office(settings: Settings) -> Settings:
    return office_hours(settings, expert_notify="dm")


@pytest.fixture
def talk(sessions: sessionmaker[Session], office: Settings, clock: Clock) -> Chat:
    return routed_chat(sessions, office, clock)


def experts(chat: Chat, tag: str, *people: tuple[str, str]) -> None:
    for name, timezone in people:
        chat(f":as {name}", f"/kb settings timezone {timezone}", f"/expertise add {tag}")


def click(chat: Chat, who: str, label: str, shown: str | None = None) -> str:
    """``who`` clicks the last button ``label`` seen (in ``shown``, else anywhere so far)."""
    number = chat.button(label, shown if shown is not None else "\n".join(chat.lines))
    return chat(f":as {who}", f":click {number}")


def test_invitations_wait_for_working_hours_in_each_experts_own_timezone(
        talk: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    experts(talk, "vpn", ("bob", "Europe/Amsterdam"), ("carol", "America/New_York"), ("dave", "Asia/Tokyo"))
    settings = office.model_copy(update={"routing_first_invites": 3, "routing_second_invites": 0})
    talk.console.settings = talk.console.ingest.settings = settings
    shown = talk(":as alice", "/ask How do I rotate the VPN certificate? #vpn")  # Monday 10:00 in Amsterdam
    assert "DM to bob" in shown  # 10:00 for Bob
    assert "DM to carol" not in shown and "DM to dave" not in shown  # 04:00 in New York, 18:00 in Tokyo
    assert invitations(sessions) == {(1, "bob"): "sent", (1, "carol"): "waiting", (1, "dave"): "waiting"}

    clock.set(datetime(2026, 12, 7, 13, 59, tzinfo=UTC))
    assert "DM to" not in round_(talk, sessions, settings, clock)  # 08:59 in New York: not yet
    clock.set(datetime(2026, 12, 7, 14, 0, tzinfo=UTC))
    shown = round_(talk, sessions, settings, clock)
    assert "DM to carol" in shown and "DM to dave" not in shown and "rotate the VPN certificate" in shown
    assert "DM to carol" not in round_(talk, sessions, settings, clock)  # sent once
    clock.set(datetime(2026, 12, 7, 23, 59, tzinfo=UTC))
    assert "DM to dave" not in round_(talk, sessions, settings, clock)
    clock.set(datetime(2026, 12, 8, 0, 0, tzinfo=UTC))  # Tuesday 09:00 in Tokyo
    assert "DM to dave" in round_(talk, sessions, settings, clock)
    assert set(invitations(sessions).values()) == {"sent"}


def test_claim_decline_and_snooze_from_the_invitation(
        talk: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    experts(talk, "vpn", ("bob", "Europe/Amsterdam"), ("carol", "Europe/Amsterdam"))
    talk.console.settings = talk.console.ingest.settings = office.model_copy(update={"routing_first_invites": 1})
    shown = talk(":as alice", ":in #general", "/ask How do I rotate the VPN certificate? #vpn")
    assert "DM to bob" in shown and "DM to carol" not in shown
    assert "I'll take it" in shown and "Not me" in shown and "Later today" in shown and "Tomorrow" in shown

    # Not me: the next candidate is asked at once.
    declined = click(talk, "bob", "Not me", shown)
    assert "goes to someone else" in declined and "DM to carol" in declined
    assert "already passed on Q1" in click(talk, "bob", "Not me", shown)  # a second click changes nothing
    assert invitations(sessions) == {(1, "bob"): "declined", (1, "carol"): "sent"}

    # I'll take it: the card says so, and a second click only says it was already taken.
    taken = click(talk, "carol", "I'll take it")
    assert "Q1 is yours" in taken and "Carol is on it" in taken
    assert "You already took Q1" in click(talk, "carol", "I'll take it")
    assert "already took" in click(talk, "carol", "Tomorrow")  # a claimed question is not snoozed
    assert invitations(sessions)[(1, "carol")] == "claimed"

    # Someone who was not invited, and a question that does not exist.
    assert "meant for someone else" in click(talk, "erin", "I'll take it")
    talk(":as bob")
    before, start = invitations(sessions), len(talk.lines)
    talk.console._dispatch(ButtonClicked(**talk.console._base(), action_id=actions.ROUTE_TAKE, value="999"))
    talk.console._dispatch(ButtonClicked(**talk.console._base(), action_id=actions.ROUTE_DECLINE, value="x'; --"))
    assert "\n".join(talk.lines[start:]).count("That question doesn't exist (any more) or isn't visible to you") == 2
    assert invitations(sessions) == before

    # Declining counted against the tag: the next #vpn question goes to Carol first.
    shown = talk(":as alice", "/ask Which VPN client do we support on Linux? #vpn")
    assert "DM to carol" in shown and "DM to bob" not in shown

    # Snooze until tomorrow: reminded at 09:00 on Tuesday, not before.
    snoozed = click(talk, "carol", "Tomorrow", shown)
    assert "remind you of Q2 on Tuesday at 09:00" in snoozed
    clock.set(datetime(2026, 12, 8, 7, 59, tzinfo=UTC))
    assert "DM to carol" not in round_(talk, sessions, talk.console.settings, clock)
    clock.set(datetime(2026, 12, 8, 8, 0, tzinfo=UTC))
    reminder = round_(talk, sessions, talk.console.settings, clock)
    assert "DM to carol" in reminder and "Reminder" in reminder and "Which VPN client" in reminder


def test_snooze_later_today_comes_back_within_working_hours(
        talk: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    experts(talk, "vpn", ("bob", "Europe/Amsterdam"))
    shown = talk(":as alice", "/ask How do I rotate the VPN certificate? #vpn")
    assert "remind you of Q1 on Monday at 13:00" in click(talk, "bob", "Later today", shown)
    clock.set(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    assert "Reminder" in round_(talk, sessions, office, clock)
    clock.set(datetime(2026, 12, 7, 15, 0, tzinfo=UTC))  # 16:00: three hours later is after 17:30
    assert "on Tuesday at 09:00" in click(talk, "bob", "Later today")


def test_a_deactivated_or_opted_out_expert_is_never_invited(
        talk: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    experts(talk, "vpn", ("bob", "Europe/Amsterdam"), ("carol", "Europe/Amsterdam"), ("dave", "Europe/Amsterdam"),
            ("erin", "Europe/Amsterdam"))
    assert "Expert invitations: never" in talk(":as dave", "/kb settings pings 0")
    assert "Uitnodigingen als expert: nooit" in talk(":as dave nl", "/kb settings")
    with unit_of_work(sessions) as session:
        session.scalars(select(Person).where(Person.external_id == "bob")).one().is_active = False
        session.scalars(select(Person).where(Person.external_id == "erin")).one().removed_at = clock()
    shown = talk(":as alice", "/ask How do I rotate the VPN certificate? #vpn")
    assert "DM to carol" in shown and "DM to bob" not in shown and "DM to dave" not in shown
    assert "DM to erin" not in shown
    clock.advance(hours=30)  # the ladder's later steps look for more people: still never them
    round_(talk, sessions, office, clock)
    assert {person for _, person in invitations(sessions)} == {"carol"}


def test_nobody_is_invited_over_budget_and_the_load_spreads(
        talk: Chat, sessions: sessionmaker[Session], office: Settings, clock: Clock) -> None:
    experts(talk, "k8s", ("bob", "Europe/Amsterdam"), ("carol", "Europe/Amsterdam"), ("dave", "Europe/Amsterdam"))
    settings = office.model_copy(update={"routing_first_invites": 1, "routing_second_invites": 0})
    talk.console.settings = talk.console.ingest.settings = settings
    assert "at most 1 a week" in talk(":as bob", "/kb settings pings 1")
    assert "not a number of invitations" in talk("/kb settings pings lots")
    assert "not a number of invitations" in talk("/kb settings pings 51")
    invited = []
    for number in range(1, 9):
        shown = talk(f":as asker{number}", f"/ask Question {number} about pods restarting #k8s")
        invited += [name for name in ("bob", "carol", "dave") if f"DM to {name}" in shown]
    # Three equally good experts: one each first, then whoever has budget left; never over it.
    assert invited[:3] == ["bob", "carol", "dave"]
    assert invited.count("bob") == 1 and invited.count("carol") == 3 and invited.count("dave") == 3
    with unit_of_work(sessions) as session:
        assert sorted(row.used for row in session.scalars(select(PingCount))) == [1, 3, 3]
        assert session.scalar(select(RoutingStep.outcome).where(RoutingStep.question_id == 8)) == "nobody"


def test_home_lists_my_invitations_with_their_buttons_and_stats_show_my_answer_rate(
        talk: Chat, sessions: sessionmaker[Session], office: Settings) -> None:
    experts(talk, "vpn", ("bob", "Europe/Amsterdam"))
    talk(":as alice", "/ask How do I rotate the VPN certificate? #vpn", "/ask Is split tunnelling allowed? #vpn")
    home = talk(":as bob", "/kb home")
    assert "Invitations waiting for you" in home and "[Q1]" in home and "[Q2]" in home
    taken = click(talk, "bob", "I'll take it", home)
    assert "Q1 is yours" in taken or "Q2 is yours" in taken
    talk(":as bob", ":reply Q1 Run vpnctl rotate --all.")
    stats = talk(":as bob", "/kb stats")
    assert "Invited to help 2 times; you answered 1 of those (50%)" in stats
    assert "2 keer gevraagd om te helpen; daarvan beantwoordde je er 1 (50%)" in talk(":as bob nl", "/kb stats")
    assert "Geen uitnodigingen" not in talk(":as bob nl", "/kb home")
