"""One delivery round: work out what is due, claim it, build it, send it, mark it.

A round is what the scheduler's job runs (every minute) and what ``kbbot
digest send --now`` runs once. It asks the database, not the job store, who
is due: each person's prompt and digest moment in their own timezone (see
:mod:`kbbot.weekly.schedules`) and each channel that asked for a digest.
Due within the misfire grace window and not yet in the ledger: sent once.
Due longer ago (kbbot was down): recorded as skipped and logged, not sent.

Every recipient is claimed in the ledger before anything is sent, so several
processes running rounds at the same time share the work and never send the
same thing twice. One recipient failing never stops the round.
"""

from __future__ import annotations

import functools
import itertools
import logging
import time
import os
import socket
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import Clock, as_utc, system_clock
from kbbot.config import Settings
from kbbot.contract.outbound import DeliveryFailed, Outbound, RetryLater
from kbbot.pipeline import posting
from kbbot.presentation import links, people
from kbbot.contract.replies import Reply
from kbbot.scheduler import kinds, ledger, next_due, windows
from kbbot.scheduler.ledger import Wanted
from kbbot.scheduler.pacing import Pacer
from kbbot.weekly.schedules import CHANNEL_DIGEST, DIGEST, PROMPT, RECHECK, moment
from kbbot.weekly.timing import Due, Weekly, following, latest
from kbbot.services import digest, prompts, rechecks
from kbbot.store.db import unit_of_work
from kbbot.store.models import Conversation, Person, SharedPost, Workspace
from kbbot.store.scheduling import ChannelDigest, Delivery, DeliveryStatus, PersonSchedule, ScheduleNext

log = logging.getLogger(__name__)

DIGEST_GROUP = 200
"""Personal digests claimed together and built in one go (set-based); then sent one by one at the platform's pace."""

_UNBUILT = object()

FIRST_JOB_WAIT = 1.0
"""Seconds a round's first job may wait for pacing even when the round's budget is already spent."""

ERROR_BACKOFF = 60.0
"""Seconds before retrying after an unexpected error (doubled per attempt)."""


def worker_name() -> str:
    """Who holds a claim: host, process and a random part, for the ledger's ``claimed_by``."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class RoundReport:
    """What one round did, by outcome; ``statuses`` counts ledger outcomes (sent, empty, failed…)."""

    statuses: Counter[str] = field(default_factory=Counter)
    taken_elsewhere: int = 0
    no_outbound: int = 0
    unfinished: int = 0

    def __str__(self) -> str:
        parts = [f"{status} {count}" for status, count in sorted(self.statuses.items())]
        if self.taken_elsewhere:
            parts.append(f"taken by another process {self.taken_elsewhere}")
        if self.no_outbound:
            parts.append(f"no outbound for platform {self.no_outbound}")
        if self.unfinished:
            parts.append(f"left for the next round {self.unfinished}")
        return ", ".join(parts) or "nothing due"


@dataclass(frozen=True)
class _Job:
    """A unit of sending: a fresh ``Wanted`` to claim, or a ledger row to retry."""

    wanted: Wanted
    delivery_id: int | None = None
    attempts: int = 0
    maybe_sent_since: datetime | None = None
    """A stale claim: its claimer may have posted it (since then) and stopped before marking it sent."""


class Deliverer:
    """Runs delivery rounds against one database and a set of outbound ports.

    ``clock`` is the wall clock the schedule is read against; ``pacer``
    spaces the sends. Both are injectable so a week runs in milliseconds.
    """

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], outbounds: Mapping[str, Outbound], *,
                 clock: Clock = system_clock, pacer: Pacer | None = None, worker: str | None = None,
                 progress: Callable[[str], None] | None = None, progress_every: int = 100,
                 kinds: frozenset[str] | None = None, grace: timedelta | None = None) -> None:
        self.settings = settings
        self.sessions = sessions
        self.outbounds = outbounds
        self.clock = clock
        self.pacer = pacer or Pacer()
        self.worker = worker or worker_name()
        self.progress = progress
        self.progress_every = progress_every
        self.grace = grace if grace is not None else timedelta(seconds=settings.misfire_grace_seconds)
        self.kinds = kinds
        self._looked_everywhere_at: datetime | None = None

    # -- what is due ------------------------------------------------------------------------------
    def due(self, session: Session, now: datetime) -> tuple[list[Wanted], list[Wanted]]:
        """Deliveries due now and not yet in the ledger: ``(within grace, too late)``."""
        # Not where kbbot was uninstalled: nobody there can receive it, and nobody asked for it.
        spaces = {w.id: w for w in session.scalars(select(Workspace).where(Workspace.removed_at.is_(None)))}
        candidates: list[Wanted] = []
        moments: dict[tuple[object, ...], Due] = {}

        def occurrence(kind: str, timezone: str, workspace_id: int, own: PersonSchedule | None) -> tuple[Due, Due]:
            """The latest occurrence at or before now, and the next one after it."""
            key = (kind, timezone, workspace_id, own and (own.prompt_day, own.prompt_time, own.digest_day,
                                                          own.digest_time))
            if key not in moments:
                weekly: Weekly = moment(self.settings, kind, timezone, spaces[workspace_id].settings, own)
                moments[key] = (latest(weekly, now), following(weekly, now))
            return moments[key]

        # A round for some kinds only (``kbbot digest send --now``) reads everyone and remembers nothing:
        # the next moments it would store would skip the kinds it left out.
        remembering = self.kinds is None
        current = next_due.basis(self.settings)
        query = (select(Person.id, Person.workspace_id, Person.timezone, Person.prompts_enabled, Person.digest_enabled,
                        PersonSchedule)
                 .outerjoin(PersonSchedule, PersonSchedule.person_id == Person.id)
                 .where(Person.is_active, Person.is_bot.is_(False), Person.workspace_id.in_(list(spaces)),
                        Person.removed_at.is_(None),
                        Person.prompts_enabled | Person.digest_enabled))
        if remembering and self._looked_everywhere_at is not None and \
                timedelta(0) <= now - self._looked_everywhere_at < next_due.LOOK_EVERYWHERE:
            # Between full looks only the index of due moments is read: the cost of the people due now.
            query = query.join(ScheduleNext, ScheduleNext.person_id == Person.id).where(
                ScheduleNext.next_at <= now, ScheduleNext.basis == current)
        elif remembering:
            # Now and then (and at a process's first round) also people never worked out or whose row a change
            # deleted: a new colleague, a new timezone. Well within the grace window, so nothing is missed.
            query = (query.outerjoin(ScheduleNext, ScheduleNext.person_id == Person.id)
                     .where(next_due.stale(now, current)))
            self._looked_everywhere_at = now
        upcoming: dict[int, datetime] = {}
        for person_id, workspace_id, timezone, prompts_on, digest_on, own in session.execute(query):
            nexts = []
            if prompts_on:
                due, after = occurrence(PROMPT, timezone, workspace_id, own)
                nexts.append(after.at)
                candidates.append(Wanted(workspace_id, ledger.person_key(person_id), PROMPT, due.period, due.at,
                                         person_id=person_id, variant=prompts.variant_for(person_id, due.period)))
            if digest_on:
                due, after = occurrence(DIGEST, timezone, workspace_id, own)
                nexts.append(after.at)
                candidates.append(Wanted(workspace_id, ledger.person_key(person_id), DIGEST, due.period, due.at,
                                         person_id=person_id))
            upcoming[person_id] = min(nexts)
        # The weekly re-check batch for owners who get no digest to carry it (kbbot/services/rechecks.py).
        news = rechecks.owners_with_news(session, now - rechecks.LOOKBACK)
        if news:
            for person_id, workspace_id, timezone, own in session.execute(
                    select(Person.id, Person.workspace_id, Person.timezone, PersonSchedule)
                    .outerjoin(PersonSchedule, PersonSchedule.person_id == Person.id)
                    .where(Person.id.in_(news), Person.is_active, Person.is_bot.is_(False),
                           Person.digest_enabled.is_(False), Person.removed_at.is_(None),
                           Person.workspace_id.in_(list(spaces)))):
                due, _ = occurrence(RECHECK, timezone, workspace_id, own)
                candidates.append(Wanted(workspace_id, ledger.person_key(person_id), RECHECK, due.period, due.at,
                                         person_id=person_id))
        for row in session.scalars(select(ChannelDigest).where(ChannelDigest.enabled,
                                                               ChannelDigest.workspace_id.in_(list(spaces)))):
            due, _ = occurrence(CHANNEL_DIGEST, row.timezone, row.workspace_id, None)
            candidates.append(Wanted(row.workspace_id, ledger.channel_key(row.conversation_id), CHANNEL_DIGEST,
                                     due.period, due.at, conversation_id=row.conversation_id))
        if not candidates:
            if remembering:
                next_due.remember(session, upcoming, current)
            return [], []
        periods = {w.period for w in candidates}
        # Only the candidates' rows: the ledger holds everyone's week, and a round reads the people due now.
        recipients = sorted({w.recipient for w in candidates})
        # Values written into the SQL: a prepared statement's generic plan (PostgreSQL, after five runs) scanned
        # the whole week instead of probing the unique key, 100 times slower.
        taken = {tuple(row) for start in range(0, len(recipients), 500) for row in session.execute(
            select(Delivery.recipient, Delivery.kind, Delivery.period)
            .where(Delivery.period.in_(bindparam("periods", sorted(periods), expanding=True, literal_execute=True)),
                   Delivery.recipient.in_(bindparam("recipients", recipients[start:start + 500], expanding=True,
                                                    literal_execute=True))))}
        # A post for this week was written this week: the created_at index keeps this lookup small.
        answered = set(tuple(row) for row in session.execute(
            select(SharedPost.author_id, SharedPost.period)
            .where(SharedPost.period.in_(periods), SharedPost.created_at >= now - timedelta(days=14))))
        fresh: list[Wanted] = []
        late: list[Wanted] = []
        for wanted in candidates:
            if self.kinds is not None and wanted.kind not in self.kinds:
                continue
            if (wanted.recipient, wanted.kind, wanted.period) in taken:
                continue
            if wanted.kind == PROMPT and (wanted.person_id, wanted.period) in answered:
                continue  # already worked out loud this week
            (fresh if now - wanted.due_at <= self.grace else late).append(wanted)
        fresh.sort(key=lambda w: (w.due_at, w.kind, w.recipient))
        if remembering:
            # Someone with a delivery still to claim is read again next round (by then it is in the
            # ledger): remembering them now would lose it if this process stopped before claiming.
            waiting = {w.person_id for w in fresh}
            next_due.remember(session, {p: at for p, at in upcoming.items() if p not in waiting}, current)
        return fresh, late

    # -- a round ----------------------------------------------------------------------------------
    def run(self, budget: float | None = None) -> RoundReport:
        """Deliver everything due; stop claiming new work after ``budget`` seconds (the rest waits a round)."""
        report = RoundReport()
        started = self.pacer.monotonic()
        now = self.clock()
        with unit_of_work(self.sessions) as session:
            fresh, late = self.due(session, now)
            if late:
                recorded = ledger.record(session, late, DeliveryStatus.SKIPPED, now)
                if recorded:
                    report.statuses[DeliveryStatus.SKIPPED] += recorded
                    log.warning("skipped %d deliveries due longer ago than the %s grace window (periods %s)",
                                recorded, self.grace, ", ".join(sorted({w.period for w in late})))
            platforms = {row[0]: row[1] for row in session.execute(
                select(Workspace.id, Workspace.platform).where(Workspace.removed_at.is_(None)))}
            rows = ledger.retryable(session, now, self.kinds)
            away = set(session.scalars(select(Person.id).where(
                Person.id.in_([row.person_id for row in rows if row.person_id is not None]),
                Person.removed_at.is_not(None))))
            gone = {row.id: row for row in rows if row.workspace_id not in platforms or row.person_id in away}
            if gone:  # kbbot was removed from their workspace or their chat: they cannot receive it now
                report.statuses[DeliveryStatus.SKIPPED] += ledger.skip_unreachable(
                    session, gone.values(), "kbbot was removed from the workspace or the person's chat")
            retries = [self._retry_job(row) for row in rows if row.id not in gone]
        jobs = [_Job(w) for w in fresh] + [job for job in retries if job is not None]
        total = len(jobs)
        if total and self.progress:
            self.progress(f"{total} deliveries due")
        deadline = None if budget is None else started + budget
        prebuilt: dict[int, tuple[ledger.Claim, object]] = {}
        grouped: set[int] = set()
        for number, job in enumerate(jobs, 1):
            # Digests already claimed with their group are finished: what is claimed is sent by its claimer.
            # The first job always goes ahead: a round whose look at what is due took the whole budget (a busy
            # database) must still make progress, or every round would find the same work and leave it.
            if budget is not None and number > 1 and self.pacer.monotonic() - started > budget \
                    and number not in prebuilt:
                report.unfinished += 1
                continue
            if platforms.get(job.wanted.workspace_id) not in self.outbounds:
                report.no_outbound += 1
                continue
            if number not in grouped and self._groupable(job):
                group = [(n, other) for n, other in enumerate(jobs[number - 1:number - 1 + DIGEST_GROUP], number)]
                group = list(itertools.takewhile(
                    lambda pair: self._groupable(pair[1])
                    and platforms.get(pair[1].wanted.workspace_id) in self.outbounds, group))
                grouped.update(n for n, _ in group)
                prebuilt.update(self._claim_and_build(group, report))
            if number in grouped and number not in prebuilt:
                continue  # taken by another process, or could not be claimed
            if number in prebuilt:
                claim, built = prebuilt.pop(number)
                self._send_claimed(job, claim, built, report)
            else:
                if number == 1 and deadline is not None:  # going ahead, but never sleeping through a back-off
                    deadline = max(deadline, self.pacer.monotonic() + FIRST_JOB_WAIT)
                self._one(job, report, deadline)
            if self.progress and (number % self.progress_every == 0 or number == total):
                self.progress(f"{number}/{total}: {report}")
        if report.no_outbound:
            log.warning("%d deliveries wait for an outbound port of their platform", report.no_outbound)
        return report

    @staticmethod
    def _groupable(job: _Job) -> bool:
        return job.delivery_id is None and job.wanted.kind == DIGEST

    def _claim_and_build(self, group: list[tuple[int, _Job]], report: RoundReport
                         ) -> dict[int, tuple[ledger.Claim, object]]:
        """Claim fresh personal digests together and build them in one go; ``{job number: (claim, built)}``.

        Each claim is its own insert, exactly as :meth:`_one` makes it, so
        exactly-once is the ledger's as ever; each digest's window still ends at
        its own claim. A build that fails leaves the digests to be built one by
        one when sent (where a failure is retried as usual).
        """
        claims: list[tuple[int, ledger.Claim, Wanted]] = []
        for number, job in group:
            try:
                with unit_of_work(self.sessions) as session:
                    delivery_id = ledger.claim(session, job.wanted, self.clock(), self.worker)
            except Exception:
                log.exception("could not claim %s %s %s", job.wanted.kind, job.wanted.recipient, job.wanted.period)
                continue
            if delivery_id is None:
                report.taken_elsewhere += 1
            else:
                claims.append((number, ledger.Claim(delivery_id, self.worker, 1), job.wanted))
        built: list[object] = [_UNBUILT] * len(claims)
        try:
            with unit_of_work(self.sessions) as session:
                replies = kinds.personal_digests(session, [
                    kinds.Claimed(wanted, claim.delivery_id, functools.partial(self._window, session, claim, wanted),
                                  self.settings.default_locale, self.settings.verification_interval_days)
                    for _, claim, wanted in claims])
                for position, ((_, _, wanted), reply) in enumerate(zip(claims, replies)):
                    built[position] = self._addressed(session, wanted, reply)
        except Exception:
            log.exception("building %d digests together failed; building them one by one", len(claims))
            built = [_UNBUILT] * len(claims)
        return {number: (claim, one) for (number, claim, _), one in zip(claims, built)}

    def _send_claimed(self, job: _Job, claim: ledger.Claim, built: object, report: RoundReport) -> None:
        """Send a digest claimed and built with its group, at the platform's pace; never raises."""
        wanted = job.wanted
        try:
            with unit_of_work(self.sessions) as session:
                target = self._target(session, wanted)
            self.pacer.wait(*(target if target is not None else (str(wanted.workspace_id), wanted.recipient)))
        except Exception:
            log.exception("could not pace %s %s %s", wanted.kind, wanted.recipient, wanted.period)
        report.statuses[self._send(claim.delivery_id, claim.attempts, wanted, built)] += 1

    def _retry_job(self, row: Delivery) -> _Job | None:
        wanted = Wanted(row.workspace_id, row.recipient, row.kind, row.period, as_utc(row.due_at),
                        person_id=row.person_id, conversation_id=row.conversation_id, variant=row.variant)
        stale = row.status == DeliveryStatus.CLAIMED and row.claimed_at is not None
        return _Job(wanted, delivery_id=row.id, attempts=row.attempts,
                    maybe_sent_since=as_utc(row.claimed_at) if stale else None)

    def _one(self, job: _Job, report: RoundReport, deadline: float | None = None) -> None:
        """Claim, build, send and mark one delivery; never raises.

        A wait that would run past the round's ``deadline`` (a workspace told to
        back off for an hour, say) is not slept through: the delivery is left
        unclaimed for a later round, and the scheduler thread stays free.
        """
        wanted = job.wanted
        try:
            with unit_of_work(self.sessions) as session:
                target = self._target(session, wanted)
            if target is None:
                workspace_key, conversation_key = str(wanted.workspace_id), wanted.recipient
            else:
                workspace_key, conversation_key = target
            if deadline is not None and \
                    self.pacer.delay(workspace_key, conversation_key) > deadline - self.pacer.monotonic():
                report.unfinished += 1
                return
            self.pacer.wait(workspace_key, conversation_key)
            now = self.clock()
            with unit_of_work(self.sessions) as session:
                if job.delivery_id is None:
                    delivery_id = ledger.claim(session, wanted, now, self.worker)
                    attempts = 1
                else:
                    row = session.get(Delivery, job.delivery_id)
                    seen = row.attempts if row is not None else 0
                    won = row is not None and ledger.reclaim(session, row, now, self.worker)
                    delivery_id, attempts = (job.delivery_id, seen + 1) if won else (None, 0)
            if delivery_id is None:
                report.taken_elsewhere += 1
                return
        except Exception:
            log.exception("could not claim %s %s %s", wanted.kind, wanted.recipient, wanted.period)
            return
        report.statuses[self._send(delivery_id, attempts, wanted, maybe_sent_since=job.maybe_sent_since)] += 1

    def _target(self, session: Session, wanted: Wanted) -> tuple[str, str] | None:
        """The pacing keys (workspace, conversation) of a delivery."""
        space = session.get(Workspace, wanted.workspace_id)
        if space is None:
            return None
        if wanted.person_id is not None:
            person = session.get(Person, wanted.person_id)
            return f"{space.platform}:{space.external_id}", f"dm:{person.external_id if person else wanted.recipient}"
        conversation = session.get(Conversation, wanted.conversation_id)
        return f"{space.platform}:{space.external_id}", conversation.external_id if conversation else wanted.recipient

    def _send(self, delivery_id: int, attempts: int, wanted: Wanted, prebuilt: object = _UNBUILT,
              maybe_sent_since: datetime | None = None) -> str:
        """Build (unless ``prebuilt``) and send a claimed delivery, then mark it; returns the ledger status.

        Every attempt carries the same key (``kbbot-delivery-<ledger row>``), so that after a claimer
        stopped between posting and marking, the next attempt finds the post instead of repeating it.
        """
        claim = ledger.Claim(delivery_id, self.worker, attempts)
        now = self.clock()
        try:
            if now - wanted.due_at > self.grace:
                with unit_of_work(self.sessions) as session:
                    ledger.mark_skipped(session, claim)
                log.warning("%s for %s (%s) is too late to send; skipped", wanted.kind, wanted.recipient,
                            wanted.period)
                return DeliveryStatus.SKIPPED
            with unit_of_work(self.sessions) as session:
                built = self._build(session, claim, wanted) if prebuilt is _UNBUILT else prebuilt
                if built is None:
                    ledger.mark_empty(session, claim)
                    return DeliveryStatus.EMPTY
                platform, workspace_external, reply = built
            reply = reply.model_copy(update={"key": f"kbbot-delivery-{delivery_id}"})
            posted = posting.send(self.sessions, self.outbounds[platform], workspace_external, reply,
                                  maybe_sent_since=maybe_sent_since)
            message_id = posted.message_id if posted is not None else None
        except RetryLater as busy:
            self.pacer.back_off(self._pace_key(wanted), busy.retry_after)
            with unit_of_work(self.sessions) as session:
                status = ledger.mark_retry(session, claim, self.clock(), busy.retry_after, str(busy),
                                           rate_limited=True)
            log.info("%s for %s: retry in %.0fs (%s)", wanted.kind, wanted.recipient, busy.retry_after, busy)
            return status
        except DeliveryFailed as refused:
            with unit_of_work(self.sessions) as session:
                ledger.mark_failed(session, claim, str(refused))
            log.warning("%s for %s failed for good: %s", wanted.kind, wanted.recipient, refused)
            return DeliveryStatus.FAILED
        except Exception as error:  # a bug or an outage must not stop the other recipients
            log.exception("%s for %s failed", wanted.kind, wanted.recipient)
            with unit_of_work(self.sessions) as session:
                return ledger.mark_retry(session, claim, self.clock(), ERROR_BACKOFF * 2 ** (attempts - 1),
                                         repr(error))
        self._mark_sent(claim, wanted, message_id)
        return DeliveryStatus.SENT

    def _mark_sent(self, claim: ledger.Claim, wanted: Wanted, message_id: str | None) -> None:
        """Record a send that happened; a database blip here must not stop the round or resend later.

        The message is out, so this is retried a few times; if the database stays
        away the row keeps its claim and, after the lease, is sent again: the one
        case where a duplicate is preferred over a loss.
        """
        for attempt in range(3):
            try:
                with unit_of_work(self.sessions) as session:
                    ledger.mark_sent(session, claim, self.clock(), message_id)
                return
            except Exception:
                log.exception("recording %s for %s as sent failed (attempt %d)", wanted.kind, wanted.recipient,
                              attempt + 1)
                time.sleep(0.2 * 2 ** attempt)

    def _pace_key(self, wanted: Wanted) -> str:
        with unit_of_work(self.sessions) as session:
            target = self._target(session, wanted)
        return target[0] if target else str(wanted.workspace_id)

    def _build(self, session: Session, claim: ledger.Claim, wanted: Wanted) -> tuple[str, str, Reply] | None:
        """The reply for a delivery, or ``None`` when there is nothing to send (opted out, empty digest)."""
        delivery_id = claim.delivery_id
        space = session.get(Workspace, wanted.workspace_id)
        if space is None:
            return None
        reply = kinds.builder(wanted.kind)(session, kinds.Claimed(
            wanted, delivery_id, lambda: self._window(session, claim, wanted), self.settings.default_locale,
            self.settings.verification_interval_days))
        return self._addressed(session, wanted, reply)

    def _addressed(self, session: Session, wanted: Wanted, reply: Reply | None) -> tuple[str, str, Reply] | None:
        """A built reply with the platform and workspace it goes to, people mentioned by id shown by name."""
        space = session.get(Workspace, wanted.workspace_id)
        if reply is None or space is None:
            return None
        [reply] = people.by_name(session, space.id, [reply])  # people mentioned by id, by name
        [reply] = links.with_links([reply], self.settings.web_url)  # questions open their web page
        return space.platform, space.external_id, reply

    def _window(self, session: Session, claim: ledger.Claim, wanted: Wanted) -> digest.Window:
        """Since the recipient's previous sent digest, up to this claim (see :mod:`kbbot.scheduler.windows`).

        The claim time stored in the ledger, not a fresh clock reading, ends the
        window: the next digest begins exactly there, so nothing falls between
        them. A retry is a new claim and covers up to its own moment.
        """
        row = session.get(Delivery, claim.delivery_id)
        end = as_utc(row.claimed_at) if row is not None and row.claimed_at is not None else self.clock()
        window = windows.since_last_sent(session, wanted.recipient, wanted.kind, end)
        ledger.note_window(session, claim, window.start)
        return window
