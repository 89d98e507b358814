"""``kbbot digest preview`` and ``kbbot digest send --now``.

Preview shows a person's digest exactly as the scheduler would build it, read
only, so an operator (or the person) can see what kbbot is about to say.
Send-now runs a delivery round for digests immediately, through the same
ledger as the scheduler, so running it next to ``kbbot serve`` never
doubles a digest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.presentation import cards
from kbbot.clock import Clock, as_utc, system_clock
from kbbot.config import Settings
from kbbot.i18n import t
from kbbot.contract.outbound import Outbound
from kbbot.scheduler import ledger, windows
from kbbot.scheduler.delivery import Deliverer
from kbbot.weekly.schedules import CHANNEL_DIGEST, DIGEST, moment
from kbbot.text.plaintext import lines as render
from kbbot.weekly.timing import Due, Weekly, latest, occurrence, parse_week, zone
from kbbot.services import digest
from kbbot.store.models import Person, Workspace
from kbbot.store.scheduling import Delivery, DeliveryStatus, PersonSchedule

Out = Callable[[str], None]


def find_person(session: Session, ident: str) -> list[Person]:
    """People matching ``ident``: a platform user id, or kbbot's own numeric person id."""
    clauses = [Person.external_id == ident]
    if ident.isdigit():
        clauses.append(Person.id == int(ident))
    return list(session.scalars(select(Person).where(or_(*clauses)).order_by(Person.id)))


def preview(sessions: sessionmaker[Session], settings: Settings, person: str, week: str | None, out: Out,
            clock: Clock = system_clock, err: Out | None = None) -> int:
    """Print ``person``'s digest sent in ISO ``week`` (default: the next one, as it stands now); exit code.

    An operator reads this, not the person: their anonymous questions are left
    out (with the answers, count and stage they brought), as for any other
    reader, so no command reveals an anonymous asker. Their real digest keeps them.
    ``sessions`` come from the caller, which has already checked the schema is migrated. Why a preview
    cannot be shown (an unknown or ambiguous person, a week that does not exist) goes to ``err`` as one
    line (by default to ``out``).
    """
    with sessions() as session:
        return _preview(session, settings, person, week, out, clock, err or out)


def _preview(session: Session, settings: Settings, ident: str, week: str | None, out: Out, clock: Clock,
             err: Out) -> int:
    found = find_person(session, ident)
    if not found:
        err(f"unknown person: {ident} (give a kbbot person id or a platform user id)")
        return 1
    if len(found) > 1:
        matches = []
        for match in found:
            space = session.get(Workspace, match.workspace_id)
            matches.append(f"{match.id} = {cards.name(match)} ({match.external_id} in "
                           f"{space.platform + ' ' + space.external_id if space else '?'})")
        err(f"{ident} matches several people; give the kbbot person id: {'; '.join(matches)}")
        return 1
    person = found[0]
    now = clock()
    space = session.get(Workspace, person.workspace_id)
    weekly = moment(settings, DIGEST, person.timezone, space.settings if space else None,
                    session.get(PersonSchedule, person.id))
    recipient = ledger.person_key(person.id)
    tz = zone(person.timezone)
    if week is None:
        # The next digest: what has gathered since the last one sent, as it would be built now.
        due = _next(session, weekly, recipient, now)
        window = windows.since_last_sent(session, recipient, DIGEST, now)
    else:
        try:
            year, number = parse_week(week)
        except ValueError as problem:
            err(str(problem))
            return 2
        due = occurrence(weekly, year, number)
        window = _built(session, recipient, due.period) or \
            windows.since_last_sent(session, recipient, DIGEST, min(due.at, now))
    out(f"Digest for {cards.name(person)} ({person.external_id}, person {person.id}), {due.period}: "
        f"{window.start.astimezone(tz):%a %Y-%m-%d %H:%M} – {window.end.astimezone(tz):%a %Y-%m-%d %H:%M} "
        f"{person.timezone}")
    if not person.digest_enabled or not person.is_active:
        out("(digests are off for this person: nothing would be sent)")
    reply = digest.personal(session, person, window, operator=True)
    session.rollback()
    if reply is None:
        out(t(person.locale, "digest.empty_preview"))
        return 0
    out("")
    for line in render(reply):
        out(line)
    return 0


def _next(session: Session, weekly: Weekly, recipient: str, now: datetime) -> Due:
    """The next digest moment whose week has no digest yet (a day moved later may share a week with the last)."""
    taken = set(session.scalars(select(Delivery.period).where(Delivery.recipient == recipient,
                                                              Delivery.kind == DIGEST)))
    due = latest(weekly, now)
    while True:
        year, number, _ = (due.at.astimezone(zone(weekly.timezone)).date() + timedelta(days=7)).isocalendar()
        due = occurrence(weekly, year, number)
        if due.period not in taken:
            return due


def _built(session: Session, recipient: str, period: str) -> digest.Window | None:
    """The window a digest already built for ``period`` covered, as its ledger row records it."""
    row = session.scalars(select(Delivery).where(Delivery.recipient == recipient, Delivery.kind == DIGEST,
                                                 Delivery.period == period)).one_or_none()
    if row is None or row.window_start is None or row.claimed_at is None:
        return None
    return digest.Window(start=as_utc(row.window_start), end=as_utc(row.claimed_at))


def send_now(sessions: sessionmaker[Session], settings: Settings, outbounds: Mapping[str, Outbound], out: Out,
             clock: Clock = system_clock) -> int:
    """Send the digests that are due now (whatever the grace window), printing progress; exit code."""
    deliverer = Deliverer(settings, sessions, outbounds, clock=clock, progress=out,
                          kinds=frozenset({DIGEST, CHANNEL_DIGEST}), grace=timedelta(days=7))
    report = deliverer.run()
    out(f"Done: {report}")
    return 1 if report.statuses.get(DeliveryStatus.FAILED) else 0
