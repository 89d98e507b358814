"""What an operator needs at a glance (``kbbot status``): is work backing up, and was anything parked?

The inbox, the outbox and the scheduler's ledger each recover on their own
(sweeps, leases, retries), which also means trouble can sit there quietly:
a worker that stopped, a channel that was deleted, a platform that refuses.
This reads those three tables and says, in counts and ages, what is waiting
and what was given up, plus a verdict a cron job or a probe can act on.

Nothing here shows what people wrote. Failed events and replies keep an
``error`` text that may quote a message from a private channel, so only its
*kind* is reported (:func:`reason`), never the text itself.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.pipeline import inbox, liveness, outbox
from kbbot.clock import as_utc
from kbbot.scheduler import ledger
from kbbot.weekly.timing import current_period
from kbbot.store.db import unit_of_work
from kbbot.store.models import InboundEvent, OutboxReply
from kbbot.store.scheduling import Delivery

PARKED_WINDOW = timedelta(days=7)
"""Parked events are counted this far back: as long as :func:`kbbot.pipeline.inbox.prune` keeps them anyway."""
RECENT = timedelta(hours=24)
"""A failure this recent is a concern; older ones are shown but no longer raise the alarm."""
PAST_DUE_AFTER = timedelta(minutes=5)
"""Work due this long ago and still not taken: sweeps run every minute, so nobody is sweeping."""


@dataclass(frozen=True)
class Backlog:
    """Events of one platform accepted and not yet handled."""

    platform: str
    pending: int
    oldest_seconds: int


@dataclass(frozen=True)
class InboxStatus:
    pending: list[Backlog]
    parked: int  # in the last PARKED_WINDOW
    parked_recently: int  # in the last RECENT
    parked_by_type: dict[str, int]
    parked_by_error: dict[str, int]


@dataclass(frozen=True)
class Held:
    """Replies not yet due, grouped by why they wait: which process leases them and whether it lives, or a retry.

    ``why`` is stable, for monitoring: ``leased`` (a live process sends
    them), ``owner_dead`` (its process is gone: the next sweep takes them
    over), ``owner_unknown`` (a process that does not report, so its lease
    must end) or ``retry`` (a platform asked to wait, or sending failed).
    """

    why: str
    replies: int
    owner: str | None  # "worker host:pid"; None for retries and owners that do not report
    owner_state: str | None  # "heartbeat 4s ago", "process gone", "no heartbeat for 180s"
    first_due_seconds: int  # when the first of them may be taken by a sweep (its lease ends, or its retry is due)
    last_due_seconds: int
    message: str


@dataclass(frozen=True)
class OutboxStatus:
    waiting: int
    past_due: int  # lease ended or retry due: a sweep may take them now
    past_due_long: int  # and still not taken PAST_DUE_AFTER later
    oldest_seconds: int | None
    failed: int  # all kept (kbbot.pipeline.outbox.KEEP_FAILED)
    failed_recently: int
    failed_by_platform: dict[str, int]
    failed_by_reason: dict[str, int]
    held: list[Held] = field(default_factory=list)  # the waiting replies not yet due, and why


@dataclass(frozen=True)
class LedgerStatus:
    week: str  # ISO week, as the ledger's ``period`` names it
    deliveries: dict[str, dict[str, int]]  # kind → status → count
    overdue: int  # retries and dead claims a scheduler round should have taken PAST_DUE_AFTER ago


@dataclass(frozen=True)
class Concern:
    """Something an operator should look into; the message says what and where to look first."""

    code: str  # stable, for monitoring
    message: str


@dataclass(frozen=True)
class Status:
    """Everything ``kbbot status`` shows, as of ``at``; no names, no ids, no text anyone wrote."""

    at: datetime
    inbox: InboxStatus
    outbox: OutboxStatus
    ledger: LedgerStatus
    concerns: list[Concern] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "ok" if not self.concerns else "concerns"


# The shapes adapters give their refusals (kbbot/contract/outbound.py): "<where>: <code>" with the platform's
# error code, or a service's answer ("… answered 403", "no … token", "outcome unknown (…)").
_PLATFORM_CODE = re.compile(r"^([a-z_]+): ([a-z_]+(?: [a-z_]+)?|\d+|[A-Z]\w*)")
_ANSWERED = re.compile(r"[A-Z][A-Za-z ]* answered \w+|no [A-Z][A-Za-z ]* token|outcome unknown \(\w+\)")
_WITH_DIGITS = re.compile(r"\w*\d\w*")


def reason(error: str | None) -> str:
    """The kind of a failure, safe to show and the same for every failure of that kind.

    Errors are stored as ``"ExceptionType: message"`` (the inbox, an
    unexpected exception in the outbox) or as an adapter's refusal
    (``"<where>: channel_not_found"``, ``"replying in …: <service>
    answered 403"``). Their message may quote what someone wrote, so only a
    prefix is kept: a platform's error code, the Bot Connector's answer, or
    the text before the first ``:`` with ids (anything with a digit) masked.
    """
    if not error:
        return "unknown"
    if found := _PLATFORM_CODE.match(error):
        return f"{found[1]}: {found[2]}"
    if found := _ANSWERED.search(error):
        return found[0]
    return error_type(error)


def error_type(error: str | None) -> str:
    """The part of an ``"ExceptionType: message"`` error before the first ``:``, never the message.

    Text without that shape (``"unreadable payload (3 validation errors)"``)
    is cut at the first ``:`` or ``;`` and its ids (words with a digit) masked,
    so that failures of one kind count together.
    """
    head = (error or "").split(":", 1)[0].split(";", 1)[0].strip()
    return head if head.isidentifier() else (_WITH_DIGITS.sub("…", head)[:60] or "unknown")


def snapshot(sessions: sessionmaker[Session], now: datetime, timezone: str = "UTC") -> Status:
    """Read the inbox, the outbox and this week's ledger (this week as it is in ``timezone``) in one transaction."""
    with unit_of_work(sessions) as session:
        status = Status(now, _inbox(session, now), _outbox(session, now), _ledger(session, now, timezone))
    return dataclasses.replace(status, concerns=_concerns(status))


def _age(now: datetime, then: datetime | None) -> int | None:
    return None if then is None else max(0, int((now - as_utc(then)).total_seconds()))


def _until(now: datetime, then: datetime) -> int:
    return max(0, int((as_utc(then) - now).total_seconds()))


def _inbox(session: Session, now: datetime) -> InboxStatus:
    pending = [Backlog(platform, count, _age(now, oldest) or 0) for platform, count, oldest in session.execute(
        select(InboundEvent.platform, func.count(), func.min(InboundEvent.received_at))
        .where(InboundEvent.status == inbox.PENDING).group_by(InboundEvent.platform).order_by(InboundEvent.platform))]
    # No failure time is kept; an event is parked within minutes of its arrival (MAX_ATTEMPTS tries in a row).
    parked = session.execute(select(InboundEvent.payload, InboundEvent.error, InboundEvent.received_at)
                             .where(InboundEvent.status == inbox.FAILED,
                                    InboundEvent.received_at >= now - PARKED_WINDOW)).all()
    kinds = Counter(_event_type(payload) for payload, _, _ in parked)
    errors = Counter(error_type(error) for _, error, _ in parked)
    recent = sum(1 for _, _, received in parked if as_utc(received) >= now - RECENT)
    return InboxStatus(pending, len(parked), recent, _ranked(kinds), _ranked(errors))


def _event_type(payload: object) -> str:
    """A parked event keeps only ``{"type": …}`` (None when its payload could not be read)."""
    kind = payload.get("type") if isinstance(payload, dict) else None
    return str(kind) if kind else "unknown"


def _outbox(session: Session, now: datetime) -> OutboxStatus:
    waiting, past_due, past_due_long, oldest = session.execute(
        select(func.count(), func.count().filter(OutboxReply.due_at <= now),
               func.count().filter(OutboxReply.due_at < now - PAST_DUE_AFTER), func.min(OutboxReply.created_at))
        .where(OutboxReply.status == outbox.SENDING)).one()
    # A failed reply's due_at is the end of its last lease or retry: at most a lease after it failed.
    failed = session.execute(
        select(OutboxReply.platform, OutboxReply.error, func.count(),
               func.count().filter(OutboxReply.due_at >= now - RECENT))
        .where(OutboxReply.status == outbox.FAILED).group_by(OutboxReply.platform, OutboxReply.error)).all()
    platforms: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for platform, error, count, _ in failed:
        platforms[platform] += count
        reasons[reason(error)] += count
    return OutboxStatus(waiting, past_due, past_due_long, _age(now, oldest), sum(platforms.values()),
                        sum(recent for *_, recent in failed), _ranked(platforms), _ranked(reasons),
                        _held(session, now))


def _held(session: Session, now: datetime) -> list[Held]:
    """Why each reply not yet due waits, by the process holding it (see :class:`Held`)."""
    owner = func.substr(func.coalesce(OutboxReply.owner, ""), 1, liveness.NAME_LENGTH + 1)
    groups = session.execute(select(owner, func.count(), func.min(OutboxReply.due_at), func.max(OutboxReply.due_at))
                             .where(OutboxReply.status == outbox.SENDING, OutboxReply.due_at > now)
                             .group_by(owner)).all()
    verdicts = liveness.judge(session, now) if groups else {}
    unknown = [0, None, None]
    held = []
    for prefix, count, first, last in groups:
        first_due, last_due = _until(now, first), _until(now, last)
        ends = duration(last_due) if first_due == last_due else f"{duration(first_due)} to {duration(last_due)}"
        replies = _many(count, "reply", "replies")
        verdict = verdicts.get(liveness.process_of(prefix) or "")
        if not prefix:
            held.append(Held("retry", count, None, None, first_due, last_due,
                             f"{replies} to retry (a platform asked to wait, or sending failed): due in {ends}"))
        elif verdict is None:  # does not report: an older kbbot, a one-off command, or forgotten long ago
            unknown = [unknown[0] + count, min(unknown[1] or first_due, first_due), max(unknown[2] or 0, last_due)]
        elif verdict.dead:
            held.append(Held("owner_dead", count, verdict.who, verdict.why, first_due, last_due,
                             f"{replies} leased by {verdict.who}, which is dead ({verdict.why}): "
                             f"the next sweep takes {'it' if count == 1 else 'them'} over"))
        else:
            held.append(Held("leased", count, verdict.who, verdict.why, first_due, last_due,
                             f"{replies} leased by {verdict.who}, alive ({verdict.why}): "
                             f"lease{'s end' if first_due != last_due else ' ends'} in {ends}"))
    if unknown[0]:
        count, first_due, last_due = unknown[0], unknown[1] or 0, unknown[2] or 0
        ends = duration(last_due) if first_due == last_due else f"{duration(first_due)} to {duration(last_due)}"
        held.append(Held("owner_unknown", count, None, None, first_due, last_due,
                         f"{_many(count, 'reply', 'replies')} leased by a process that does not report its "
                         f"liveness: lease{'s end' if first_due != last_due else ' ends'} in {ends}"))
    order = {"owner_dead": 0, "leased": 1, "owner_unknown": 2, "retry": 3}
    return sorted(held, key=lambda item: (order[item.why], item.owner or "", item.first_due_seconds))


def _ranked(counts: Counter[str]) -> dict[str, int]:
    """Most frequent first, ties by name, so the output does not change order from one run to the next."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _ledger(session: Session, now: datetime, timezone: str) -> LedgerStatus:
    week = current_period(timezone, now)
    deliveries: dict[str, dict[str, int]] = defaultdict(dict)
    for kind, status, count in session.execute(
            select(Delivery.kind, Delivery.status, func.count()).where(Delivery.period == week)
            .group_by(Delivery.kind, Delivery.status).order_by(Delivery.kind, Delivery.status)):
        deliveries[kind][status] = count
    # What ledger.retryable would offer, had it been asked PAST_DUE_AFTER ago.
    overdue = session.scalar(select(func.count()).select_from(Delivery).where(
        ledger.due_again(now - PAST_DUE_AFTER))) or 0
    return LedgerStatus(week, dict(deliveries), overdue)


def _concerns(status: Status) -> list[Concern]:
    box, out, recent = status.inbox, status.outbox, f"the {_recent()}"
    found = []
    stale = [b for b in box.pending if b.oldest_seconds > inbox.STALE_AFTER.total_seconds()]
    if stale:
        where = ", ".join(f"{b.platform} {duration(b.oldest_seconds)}" for b in stale)
        found.append(Concern("inbox_stale", f"events wait longer than {duration(inbox.STALE_AFTER)} to be handled "
                                            f"(oldest: {where}): are the workers running?"))
    if box.parked_recently:
        found.append(Concern("inbox_parked", f"{_many(box.parked_recently, 'event')} parked as failed in {recent}"))
    if out.failed_recently:
        replies = _many(out.failed_recently, "reply", "replies")
        found.append(Concern("outbox_failed", f"{replies} could not be delivered in {recent}"))
    if out.past_due_long:
        replies = _many(out.past_due_long, "reply", "replies")
        found.append(Concern("outbox_past_due", f"{replies} past due for more than {duration(PAST_DUE_AFTER)}: "
                                                f"is anything sweeping the outbox?"))
    if status.ledger.overdue:
        deliveries = _many(status.ledger.overdue, "scheduled delivery", "scheduled deliveries")
        found.append(Concern("ledger_overdue", f"{deliveries} overdue for a retry: is the scheduler running?"))
    return found


def _recent() -> str:
    return f"last {int(RECENT / timedelta(hours=1))} h"


def _many(count: int, one: str, more: str | None = None) -> str:
    return f"{count} {one if count == 1 else more or one + 's'}"


def duration(value: int | timedelta) -> str:
    """``45s``, ``12 min``, ``3 h 5 min``, ``2 d 4 h``: an age an operator reads at a glance."""
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
    if seconds < 60:
        return f"{seconds}s"
    minutes, hours, days = seconds // 60 % 60, seconds // 3600 % 24, seconds // 86400
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def as_json(status: Status) -> str:
    """The snapshot for monitoring: ages in seconds, the verdict and each concern's stable code."""
    document: dict[str, Any] = {"verdict": status.verdict, **dataclasses.asdict(status)}
    document["at"] = status.at.isoformat()
    return json.dumps(document, indent=2)


def text(status: Status) -> str:
    """The snapshot as aligned plain text for a terminal."""
    lines = [f"kbbot status at {status.at:%Y-%m-%d %H:%M} UTC: {status.verdict}"]
    lines += [f"  ! {concern.message}" for concern in status.concerns]

    def row(label: str, value: object, note: str = "") -> None:
        lines.append(f"  {label:<26} {value!s:>6}{'   ' + note if note else ''}")

    def counts(label: str, by: dict[str, int]) -> None:
        for number, (name, count) in enumerate(by.items()):
            row(f"  {label}" if number == 0 else "", count, name)

    box = status.inbox
    lines += ["", "Inbox (events received)"]
    row("pending", sum(b.pending for b in box.pending))
    for b in box.pending:
        row(f"  {b.platform}", b.pending, f"oldest {duration(b.oldest_seconds)}")
    row(f"parked, last {PARKED_WINDOW.days} days", box.parked, f"{_recent()}: {box.parked_recently}")
    counts("by event type", box.parked_by_type)
    counts("by error", box.parked_by_error)

    out = status.outbox
    lines += ["", "Outbox (replies to deliver)"]
    oldest = f"oldest {duration(out.oldest_seconds)}" if out.oldest_seconds is not None else ""
    row("waiting", out.waiting, oldest)
    row("past due", out.past_due, f"{out.past_due_long} of them for more than {duration(PAST_DUE_AFTER)}")
    for number, held in enumerate(out.held):
        row("  not yet due, because" if number == 0 else "", held.replies, held.message)
    row(f"failed, kept {outbox.KEEP_FAILED.days} days", out.failed, f"{_recent()}: {out.failed_recently}")
    counts("by platform", out.failed_by_platform)
    counts("by reason", out.failed_by_reason)

    led = status.ledger
    lines += ["", f"Scheduled deliveries, week {led.week}"]
    if not led.deliveries:
        lines.append("  none yet")
    for kind, statuses in sorted(led.deliveries.items()):
        row(kind, sum(statuses.values()), ", ".join(f"{name} {count}" for name, count in statuses.items()))
    row("overdue retries", led.overdue)
    return "\n".join(lines)
