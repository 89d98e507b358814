"""The outbox: an event's replies are stored with its DONE mark and leave only once a platform took them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.pipeline import inbox, outbox
from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.contract.events import Actor, CommandInvoked, Place
from kbbot.contract.outbound import DeliveryFailed, RetryLater
from kbbot.store.db import unit_of_work
from kbbot.store.models import InboundEvent, OutboxReply

CONTEXT = {"user_id": "U1", "channel_id": "C1", "response_url": "https://hooks.example/1"}


def command(event_id: str, name: str = "kb", text: str = "help") -> CommandInvoked:
    return CommandInvoked(platform="slack", workspace_id="T1", event_id=event_id,
                          actor=Actor(id="U1", name="Ann"), conversation=Place(id="C1", kind="channel", name="general"),
                          occurred_at=system_clock(), command=name, text=text)


def stored(sessions: sessionmaker[Session]) -> list[OutboxReply]:
    with unit_of_work(sessions) as session:
        return list(session.scalars(select(OutboxReply).order_by(OutboxReply.id)))


def handled(sessions: sessionmaker[Session], settings: Settings, event: CommandInvoked,
            now: datetime | None = None) -> list[outbox.Parcel]:
    now = now or system_clock()
    assert inbox.accept(sessions, event, now, CONTEXT)
    return inbox.process_to_outbox(sessions, event, settings, now, CONTEXT)


def test_replies_are_stored_with_the_done_mark_and_leave_once_delivered(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    parcels = handled(sessions, settings, command("Ev1"))
    assert len(parcels) == 1 and "/ask" in str(parcels[0].reply.blocks)  # the help text
    assert parcels[0].context == CONTEXT
    rows = stored(sessions)
    assert [row.status for row in rows] == ["sending"]
    with unit_of_work(sessions) as session:
        event = session.scalars(select(InboundEvent)).one()
        # Done, and what was written (and Slack's response_url) is no longer kept on the event.
        assert event.status == "done" and event.context is None and "text" not in event.payload

    sent: list[str] = []
    tally = outbox.deliver(sessions, parcels, lambda parcel: sent.append(parcel.reply.text), system_clock)
    assert (tally.delivered, len(sent)) == (1, 1)
    assert stored(sessions) == []


def test_replies_of_a_process_that_died_are_sent_by_a_sweep_once_its_lease_ends(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    handled(sessions, settings, command("Ev2", "ask", "Who can approve travel expenses? #finance"))
    # The process died right after the commit: nothing was sent. Within the lease nobody else sends it.
    assert outbox.due(sessions, system_clock()) == []
    later = system_clock() + outbox.LEASE + timedelta(seconds=1)
    taken = outbox.due(sessions, later)
    assert taken and taken[0].context == CONTEXT
    assert any("Who can approve travel expenses?" in str(parcel.reply.model_dump()) for parcel in taken)
    assert outbox.due(sessions, later) == []  # taken over once, by one sweep

    sent: list[int] = []
    outbox.deliver(sessions, taken, lambda parcel: sent.append(parcel.id), lambda: later)
    assert sent == [parcel.id for parcel in taken]
    assert stored(sessions) == []
    assert outbox.due(sessions, later + outbox.LEASE * 2) == []


def test_a_busy_platform_postpones_the_reply_and_the_ones_after_it(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    now = system_clock()
    parcels = handled(sessions, settings, command("Ev3"), now)
    second = outbox.Parcel(id=_copy_row(sessions, parcels[0].id), owner=parcels[0].owner, platform="slack",
                           workspace_id="T1", reply=parcels[0].reply, context=CONTEXT, event_row=parcels[0].event_row)

    def busy(_parcel: outbox.Parcel) -> None:
        raise RetryLater("rate limited", 30.0)

    tally = outbox.deliver(sessions, [parcels[0], second], busy, lambda: now)
    assert (tally.delivered, tally.postponed) == (0, 2)
    assert outbox.due(sessions, now + timedelta(seconds=10)) == []
    taken = outbox.due(sessions, now + timedelta(seconds=31))
    assert [parcel.id for parcel in taken] == [parcels[0].id, second.id]  # still in order
    assert taken[0].attempts == 1 and taken[1].attempts == 0  # only the one that was tried counts


def test_a_reply_retried_too_often_or_refused_is_parked_without_its_content(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    now = system_clock()
    parcel = handled(sessions, settings, command("Ev4"), now)[0]
    for attempt in range(outbox.MAX_ATTEMPTS):
        outbox.postpone(sessions, parcel, now, 1.0, "Slack is down")
        now += timedelta(seconds=2)
        taken = outbox.due(sessions, now)
        if attempt < outbox.MAX_ATTEMPTS - 1:
            (parcel,) = taken
    (row,) = stored(sessions)
    assert row.status == "failed" and "kbbot" not in str(row.reply) and row.context is None

    refused = handled(sessions, settings, command("Ev5"), now)[0]
    outbox.deliver(sessions, [refused], _refuse, lambda: now)
    failed = [row for row in stored(sessions) if row.id == refused.id]
    assert failed[0].status == "failed" and "channel_not_found" in (failed[0].error or "")
    assert outbox.due(sessions, now + outbox.LEASE * 3) == []


def test_a_process_whose_lease_ran_out_cannot_undo_the_sweep_that_took_over(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    now = system_clock()
    mine = handled(sessions, settings, command("Ev6"), now)[0]
    (theirs,) = outbox.due(sessions, now + outbox.LEASE + timedelta(seconds=1))
    assert not outbox.delivered(sessions, mine)  # the slow original finally finished: it is told so
    outbox.postpone(sessions, mine, now, 1.0, "late")
    (row,) = stored(sessions)
    assert row.owner == theirs.owner and row.attempts == 0
    assert outbox.delivered(sessions, theirs)
    with unit_of_work(sessions) as session:
        assert session.scalar(select(func.count()).select_from(OutboxReply)) == 0


def _refuse(_parcel: outbox.Parcel) -> None:
    raise DeliveryFailed("slack: channel_not_found")


def _copy_row(sessions: sessionmaker[Session], row_id: int) -> int:
    """A second reply of the same event, stored after the first (as /ask's thread replies are)."""
    with unit_of_work(sessions) as session:
        original = session.get(OutboxReply, row_id)
        assert original is not None
        copy = OutboxReply(inbound_event_id=original.inbound_event_id, position=original.position + 1,
                           platform=original.platform, workspace_id=original.workspace_id, reply=original.reply,
                           context=original.context, status=original.status, owner=original.owner,
                           due_at=original.due_at, attempts=0, created_at=original.created_at)
        session.add(copy)
        session.flush()
        return copy.id


def test_old_handled_events_and_failed_replies_are_forgotten_but_pending_work_is_not(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    from kbbot.scheduler.housekeeping import prune_once

    now = system_clock()
    long_ago = now - timedelta(days=40)
    old = handled(sessions, settings, command("Old"), long_ago)[0]
    outbox.give_up(sessions, old, "slack: channel_not_found")
    handled(sessions, settings, command("Recent"), now - timedelta(days=1))
    assert inbox.accept(sessions, command("Waiting"), long_ago)  # accepted, never handled
    assert prune_once(sessions) == (1, 1)
    with unit_of_work(sessions) as session:
        left = set(session.scalars(select(InboundEvent.event_key)))
    assert left == {"Recent", "Waiting"}
    assert inbox.accept(sessions, command("Recent"), now) is False  # its key still turns a retry away
    assert [row.status for row in stored(sessions)] == ["sending"]  # the recent reply, still to deliver


def test_a_sweep_never_takes_a_reply_while_an_earlier_one_of_its_event_still_waits(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    now = system_clock()
    first = handled(sessions, settings, command("Ev7"), now)[0]
    second_id = _copy_row(sessions, first.id)
    # The card had to wait for 10 minutes; its thread reply's lease ran out long before.
    outbox.postpone(sessions, first, now, 600.0, "rate limited")
    with unit_of_work(sessions) as session:
        row = session.get(OutboxReply, second_id)
        assert row is not None
        row.due_at, row.owner = now, None
    assert outbox.due(sessions, now + timedelta(seconds=60)) == []
    taken = outbox.due(sessions, now + timedelta(seconds=601))
    assert [parcel.id for parcel in taken] == [first.id, second_id]


def test_a_reply_taken_over_by_another_process_is_not_sent_by_the_slow_original(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    now = system_clock()
    mine = handled(sessions, settings, command("Ev8"), now)
    outbox.due(sessions, now + outbox.LEASE + timedelta(seconds=1))  # a sweep took it over
    sent: list[int] = []
    # The original gets round to sending after its lease ran out: it checks, and finds the reply is not its own.
    tally = outbox.deliver(sessions, mine, lambda parcel: sent.append(parcel.id),
                           lambda: now + outbox.LEASE + timedelta(seconds=2))
    assert sent == [] and tally.delivered == 0


def test_a_lease_is_renewed_before_sending_once_it_is_a_minute_old_and_not_before(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    now = system_clock()
    lease_ends: list[datetime] = []

    def send(parcel: outbox.Parcel) -> None:
        with unit_of_work(sessions) as session:
            row = session.get(OutboxReply, parcel.id)
            assert row is not None
            lease_ends.append(row.due_at.replace(tzinfo=None))  # SQLite gives it back without a zone

    outbox.deliver(sessions, handled(sessions, settings, command("Ev9"), now), send,
                   lambda: now + timedelta(seconds=30))
    later = now + timedelta(minutes=5)
    outbox.deliver(sessions, handled(sessions, settings, command("Ev10"), now), send, lambda: later)
    assert lease_ends == [(now + outbox.LEASE).replace(tzinfo=None), (later + outbox.LEASE).replace(tzinfo=None)]
