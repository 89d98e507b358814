"""Benchmark: expert routing over simulated weeks, kbbot's ladder beside the naive "mention the top 3".

An organisation of ``--people`` people over ``--tags`` tags (each person
declares one to three, tag popularity skewed, three timezones) asks about
``--questions-per-person`` questions a week each for ``--weeks`` weeks. Both
arms run on the real core and a real database (each arm its own, migrated
by Alembic): questions are posted with :func:`kbbot.services.asking.post`,
answers captured and accepted with :mod:`kbbot.services.answering`, "Not
me" clicked through :func:`kbbot.pipeline.dispatch.handle`, and in kbbot's
arm the routing round (:func:`kbbot.routing.ladder.run`, the scheduler's
job) runs every simulated hour.

* **kbbot**: the product's defaults (2 invited at posting within the ping
  budget and working hours, 2 more after 4 working hours, a repost to a
  wider channel after a working day, the asker told after three).
* **naive**: at posting the top 3 declared experts are mentioned
  (:func:`kbbot.services.expertise.rank`, as ``/ask`` did before routing);
  nothing afterwards.

The people are simulated, the same way and from the same seed in both arms:
someone pinged answers with probability ``skill × fatigue``, where
``skill`` is their own (0.4–0.8) on that tag and fatigue falls with every
ping they had that week (1, 0.9, 0.8 … never below 0.05); they answer within
their own working hours after an exponential delay (mean 3 working hours).
In kbbot's arm someone who will not answer clicks "Not me" half of the time.
A repost is answered by a random colleague with probability 0.3 within a
working day; any question gets an unprompted answer with probability 0.05.
The asker accepts the first answer 70% of the time (accepted answers feed
earned expertise, so the naive top 3 concentrates further).

Printed side by side: the share of questions answered within 1 and within 3
working days (the asker's), the median time to the first answer, invitations
per person per week (p95 and max over every person-week) and the share of
people who ever got more than their budget (3) in one of their weeks.

    python bench/routing.py                          # 500 people, 40 tags, 8 weeks, SQLite
    python bench/routing.py --people 60 --weeks 2    # a quick run
    python bench/routing.py --backend postgresql     # --postgres-url or KBBOT_TEST_POSTGRES_URL
    python bench/routing.py --arm kbbot              # one arm (the same simulated people and questions)
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, event, select, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from kbbot.config import Settings  # noqa: E402
from kbbot.contract.events import Actor, ButtonClicked, Place  # noqa: E402
from kbbot.contract.replies import Posted, Reply  # noqa: E402
from kbbot.contract import actions  # noqa: E402
from kbbot.pipeline import dispatch  # noqa: E402
from kbbot.routing import ladder  # noqa: E402
from kbbot.routing.hours import WorkingHours, parse_days  # noqa: E402
from kbbot.services import answering, asking, expertise  # noqa: E402
from kbbot.services.turn import Turn  # noqa: E402
from kbbot.store.db import make_engine, session_factory, unit_of_work, upgrade  # noqa: E402
from kbbot.store.models import (  # noqa: E402
    Answer,
    Conversation,
    ConversationKind,
    DeclaredExpertise,
    Invitation,
    InvitationState,
    Person,
    Question,
    RoutingStep,
    Workspace,
)
from kbbot.services import tagging  # noqa: E402

VOCABULARY = ("cache invoice gateway cluster certificate backup mailbox printer badge laptop budget contract "
              "pipeline dashboard report schedule holiday expense license server account password release "
              "deploy migration index quota token proxy firewall storage vendor travel payroll roadmap audit "
              "translation template calendar meeting review hiring onboarding feedback policy warranty").split()
ZONES = ("Europe/Amsterdam", "America/New_York", "Asia/Kolkata")
START = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)  # a Monday
BUDGET = 3
ANSWER_DELAY_HOURS = 3.0
DECLINE_SHARE = 0.5
REPOST_ANSWERED = 0.3
UNPROMPTED = 0.05
ACCEPT_SHARE = 0.7


def _say(message: str) -> None:
    print(message, flush=True)


class Silent:
    """The platform: takes every message and posts it nowhere (the people are simulated, not rendered)."""

    platform = "console"

    def send(self, workspace_id: str, reply: Reply, context: Mapping[str, Any]) -> Posted | None:
        return Posted(message_id=None)


@dataclass
class World:
    """The simulated people: who knows what, how well, and where they live (the same in both arms)."""

    people: list[str]
    zone: dict[str, str]
    skill: dict[tuple[str, str], float]
    declared: dict[str, list[str]]
    tags: list[str]
    asks: list[tuple[datetime, str, str, int]]  # when, who, tag, number


def make_world(people: int, tags: int, weeks: int, per_person: float, seed: int) -> World:
    rng = random.Random(seed)
    names = [f"p{n:04d}" for n in range(people)]
    tag_names = [f"topic{n:02d}" for n in range(tags)]
    weights = [1 / (n + 1) ** 0.8 for n in range(tags)]  # a few topics are asked about far more than others
    zone = {name: ZONES[n % len(ZONES)] for n, name in enumerate(names)}
    declared: dict[str, list[str]] = {}
    skill: dict[tuple[str, str], float] = {}
    for name in names:
        mine = sorted(set(rng.choices(tag_names, k=rng.randint(1, 3))))
        declared[name] = mine
        for tag in mine:
            skill[(name, tag)] = rng.uniform(0.4, 0.8)
    for tag in tag_names:  # every topic has at least two people who know it
        while sum(1 for n in names if tag in declared[n]) < 2:
            who = rng.choice(names)
            if tag not in declared[who]:
                declared[who].append(tag)
                skill[(who, tag)] = rng.uniform(0.4, 0.8)
    asks: list[tuple[datetime, str, str, int]] = []
    number = itertools.count(1)
    for name in names:
        hours = WorkingHours("09:00", "17:30", parse_days("mon-fri"), zone[name])
        for week in range(weeks):
            for _ in range(_poisson(rng, per_person)):
                at = hours.add(START + timedelta(weeks=week), rng.uniform(0, 5 * hours.day_hours))
                if at < START + timedelta(weeks=weeks):
                    asks.append((at, name, rng.choices(tag_names, weights)[0], next(number)))
    asks.sort()
    return World(names, zone, skill, declared, tag_names, asks)


def _poisson(rng: random.Random, mean: float) -> int:
    count, threshold, product = 0, pow(2.718281828, -mean), rng.random()
    while product > threshold:
        count += 1
        product *= rng.random()
    return count


@dataclass
class Outcome:
    """What one arm produced, per question and per person-week."""

    asked: dict[int, tuple[datetime, str]] = field(default_factory=dict)  # question -> (when, asker)
    first_answer: dict[int, datetime] = field(default_factory=dict)
    pings: Counter[tuple[str, str]] = field(default_factory=Counter)  # (person, their ISO week) -> invitations


class Arm:
    """One arm of the simulation on its own database."""

    def __init__(self, name: str, url: str, world: World, weeks: int, seed: int) -> None:
        self.name, self.world, self.weeks = name, world, weeks
        self.kbbot = name == "kbbot"
        upgrade(url)
        self.engine: Engine = make_engine(url)
        if url.startswith("sqlite"):
            # A simulation, not a durability test: no fsync per commit (thousands of small transactions).
            event.listen(self.engine, "connect", lambda connection, _: connection.execute("PRAGMA synchronous=OFF"))
        self.sessions: sessionmaker[Session] = session_factory(self.engine)
        self.settings = Settings(_env_file=None, database_url=url, expert_notify="dm",
                                 routing_repost_channel="C-ask-anything", routing_pings_per_week=BUDGET,
                                 routing_first_invites=2 if self.kbbot else 0,
                                 routing_second_invites=2 if self.kbbot else 0)
        self.rng = random.Random(seed)
        self.events: list[tuple[datetime, int, str, Any]] = []
        self.counter = itertools.count()
        self.outcome = Outcome()
        self.handled: set[int] = set()
        self.reposted: set[int] = set()
        self.question_of: dict[int, int] = {}  # ask number -> question id
        self.tag_of: dict[int, str] = {}
        self.ids: dict[str, int] = {}
        self.hours = {n: WorkingHours("09:00", "17:30", parse_days("mon-fri"), z) for n, z in world.zone.items()}
        self._populate()

    # -- setting up ---------------------------------------------------------------------------------
    def _populate(self) -> None:
        with unit_of_work(self.sessions) as session:
            space = Workspace(platform="console", external_id="bench", name="Bench", settings={}, created_at=START)
            session.add(space)
            session.flush()
            self.workspace_id = space.id
            general = Conversation(workspace_id=space.id, external_id="C-general", name="general",
                                   kind=ConversationKind.CHANNEL, created_at=START)
            wider = Conversation(workspace_id=space.id, external_id="C-ask-anything", name="ask-anything",
                                 kind=ConversationKind.CHANNEL, created_at=START)
            session.add_all([general, wider])
            tags = {tag.name: tag for tag in tagging.ensure(session, self.world.tags)}
            for name in self.world.people:
                person = Person(workspace_id=space.id, external_id=name, display_name=name, locale="en",
                                timezone=self.world.zone[name], created_at=START)
                session.add(person)
                session.flush()
                self.ids[name] = person.id
                for tag in self.world.declared[name]:
                    session.add(DeclaredExpertise(person_id=person.id, tag_id=tags[tag].id, created_at=START))
            self.general_id = general.id

    def at(self, when: datetime, kind: str, payload: Any) -> None:
        heapq.heappush(self.events, (when, next(self.counter), kind, payload))

    # -- the people -------------------------------------------------------------------------------
    def _turn(self, session: Session, who: str, now: datetime) -> Turn:
        return Turn(session=session, workspace=session.get(Workspace, self.workspace_id),  # type: ignore[arg-type]
                    person=session.get(Person, self.ids[who]),  # type: ignore[arg-type]
                    conversation=session.get(Conversation, self.general_id),  # type: ignore[arg-type]
                    now=now, settings=self.settings)

    def _week(self, who: str, when: datetime) -> str:
        return self.hours[who].week_of(when)

    def pinged(self, who: str, question_id: int, now: datetime) -> None:
        """``who`` was invited (kbbot) or mentioned (naive) now: they will answer, say "not me", or let it be."""
        week = self._week(who, now)
        self.outcome.pings[(who, week)] += 1
        count = self.outcome.pings[(who, week)]
        tag = self.tag_of[question_id]
        chance = self.world.skill.get((who, tag), 0.2) * max(0.05, 1 - 0.1 * (count - 1))
        if self.rng.random() < chance:
            delay = self.rng.expovariate(1 / ANSWER_DELAY_HOURS)
            self.at(self.hours[who].add(now, delay), "answer", (question_id, who))
        elif self.kbbot and self.rng.random() < DECLINE_SHARE:
            self.at(self.hours[who].add(now, self.rng.uniform(0.1, 2)), "decline", (question_id, who))

    def ask(self, now: datetime, who: str, tag: str, number: int) -> None:
        with unit_of_work(self.sessions) as session:
            turn = self._turn(session, who, now)
            words = " ".join(self.rng.sample(VOCABULARY, 4))
            replies = asking.post(turn, turn.conversation, f"How do I get {words} working with {tag} (case {number})?",
                                  [tag], anonymous=False)
            question_id = replies[0].anchor.id  # type: ignore[union-attr]
            question = session.get(Question, question_id)
            question.message_id = f"card-{question_id}"  # type: ignore[union-attr]  # as the platform reports it
            mentioned = [] if self.kbbot else [r.person.external_id for r in expertise.rank(
                session, turn.person, [tag], limit=3, exclude=[turn.person.id], scope=expertise.audience_scope(
                    self.general_id))]
        self.tag_of[question_id] = tag
        self.outcome.asked[question_id] = (now, who)
        for expert in mentioned:
            self.pinged(expert, question_id, now)
        if self.rng.random() < UNPROMPTED:
            colleague = self.rng.choice(self.world.people)
            if colleague != who:
                self.at(self.hours[colleague].add(now, self.rng.uniform(0, 8)), "answer", (question_id, colleague))

    def answer(self, now: datetime, question_id: int, who: str) -> None:
        with unit_of_work(self.sessions) as session:
            question = session.get(Question, question_id)
            if question is None or question.answers:
                return  # someone was quicker: nothing left to add
            turn = self._turn(session, who, now)
            answering.capture(turn, question, f"a-{question_id}-{who}", f"Here is how {self.tag_of[question_id]} works.")
            session.flush()
            self.outcome.first_answer.setdefault(question_id, now)
            if self.rng.random() < ACCEPT_SHARE:
                asker = self.outcome.asked[question_id][1]
                answer_id = session.scalar(select(Answer.id).where(Answer.question_id == question_id))
                answering.accept(self._turn(session, asker, now), answer_id)

    def decline(self, now: datetime, question_id: int, who: str) -> None:
        event = ButtonClicked(platform="console", workspace_id="bench", event_id=f"d-{question_id}-{who}",
                              actor=Actor(id=who, name=who), conversation=Place(id=f"D-{who}", kind="dm"),
                              action_id=actions.ROUTE_DECLINE, value=str(question_id))
        with unit_of_work(self.sessions) as session:
            dispatch.handle(session, event, now, self.settings)

    # -- what kbbot did ---------------------------------------------------------------------------
    def notice(self, now: datetime, tick: bool) -> None:
        """New invitations kbbot sent (and, after a round, reposts it made): the simulated people react to them.

        An invitation sent now is due now, or was waiting until a moment within the last round's hour: the
        ``(state, due_at)`` index finds them without reading every invitation of the eight weeks.
        """
        if not self.kbbot:
            return
        with unit_of_work(self.sessions) as session:
            sent = session.execute(select(Invitation.id, Invitation.question_id, Person.external_id, Invitation.sent_at)
                                   .join(Person, Person.id == Invitation.person_id)
                                   .where(Invitation.state.in_((InvitationState.SENT, InvitationState.CLAIMED,
                                                                InvitationState.DECLINED)),
                                          Invitation.due_at >= now - timedelta(hours=2))).all()
            reposts = session.scalars(select(RoutingStep.question_id).where(
                RoutingStep.step == ladder.REPOST, RoutingStep.outcome == "reposted",
                RoutingStep.taken_at >= now)).all() if tick else []
        for invitation_id, question_id, who, _ in sent:
            if invitation_id not in self.handled:
                self.handled.add(invitation_id)
                self.pinged(who, question_id, now)
        for question_id in reposts:
            if question_id not in self.reposted:
                self.reposted.add(question_id)
                if self.rng.random() < REPOST_ANSWERED:
                    colleague = self.rng.choice(self.world.people)
                    self.at(self.hours[colleague].add(now, self.rng.uniform(0, 8.5)), "answer", (question_id, colleague))

    # -- the clock ------------------------------------------------------------------------------
    def run(self) -> Outcome:
        for when, who, tag, number in self.world.asks:
            self.at(when, "ask", (who, tag, number))
        end = START + timedelta(weeks=self.weeks, days=7)  # a week more to answer the last questions
        tick = START
        while tick <= end:
            self.at(tick, "tick", None)
            tick += timedelta(hours=1)
        silent = {"console": Silent()}
        started, done, total = time.perf_counter(), 0, len(self.world.asks)
        while self.events:
            now, _, kind, payload = heapq.heappop(self.events)
            if now > end:
                break
            if kind == "ask":
                self.ask(now, *payload)
                done += 1
                if done % 500 == 0 or done == total:
                    _say(f"  {self.name}: {done:,}/{total:,} questions asked "
                         f"(simulated {now:%Y-%m-%d %H:%M}, {time.perf_counter() - started:.0f}s)")
            elif kind == "answer":
                self.answer(now, *payload)
            elif kind == "decline":
                self.decline(now, *payload)
            elif kind == "tick" and self.kbbot:
                ladder.run(self.sessions, self.settings, silent, clock=lambda now=now: now, worker=self.name)
            if kind != "answer":  # only asking, "not me" and the round send invitations
                self.notice(now, tick=kind == "tick")
        self.engine.dispose()
        return self.outcome


def summarise(name: str, outcome: Outcome, world: World, weeks: int) -> dict[str, Any]:
    total = len(outcome.asked)
    within = {1: 0, 3: 0}
    delays = []
    for question_id, (asked, asker) in outcome.asked.items():
        answered = outcome.first_answer.get(question_id)
        if answered is None:
            continue
        delays.append((answered - asked).total_seconds() / 3600)
        hours = WorkingHours("09:00", "17:30", parse_days("mon-fri"), world.zone[asker])
        for days in within:
            if answered <= hours.add(asked, days * hours.day_hours):
                within[days] += 1
    per_week = [outcome.pings.get((person, week), 0) for person in world.people
                for week in sorted({w for _, w in outcome.pings})] or [0]
    per_week.sort()
    over = {person for (person, _), count in outcome.pings.items() if count > BUDGET}
    return {
        "arm": name, "questions": total,
        "answered_1_working_day": round(within[1] / total, 3) if total else 0,
        "answered_3_working_days": round(within[3] / total, 3) if total else 0,
        "answered_ever": round(len(outcome.first_answer) / total, 3) if total else 0,
        "median_hours_to_first_answer": round(statistics.median(delays), 1) if delays else None,
        # Over every question, an unanswered one counting as never: what a typical asker waits.
        "median_hours_all_questions": _median_all(delays, total),
        "invitations_per_person_week_p95": per_week[min(len(per_week) - 1, int(0.95 * len(per_week)))],
        "invitations_per_person_week_max": per_week[-1],
        "share_people_over_budget": round(len(over) / len(world.people), 3),
    }


def _median_all(delays: list[float], total: int) -> float | str:
    if total == 0 or len(delays) * 2 <= total:
        return "never"
    ordered = sorted(delays) + [float("inf")] * (total - len(delays))
    return round(statistics.median(ordered), 1)


def _database(backend: str, postgres_url: str | None, folder: Path, name: str) -> tuple[str, Any]:
    if backend == "sqlite":
        return f"sqlite:///{folder / f'{name}.db'}", None
    assert postgres_url
    schema = f"bench_routing_{name}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(postgres_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_url else "?"
    return f"{postgres_url}{separator}options=-csearch_path%3D{schema}", (admin, schema)


def _drop(handle: Any) -> None:
    if handle is None:
        return
    admin, schema = handle
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--tags", type=int, default=40)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--questions-per-person", type=float, default=2.0, help="a week, on average")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--arm", choices=("both", "naive", "kbbot"), default="both",
                        help="run one arm only (the same world from the same seed), e.g. both in parallel")
    parser.add_argument("--postgres-url", default=os.environ.get("KBBOT_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    if args.backend == "postgresql" and not args.postgres_url:
        parser.error("--backend postgresql needs --postgres-url or KBBOT_TEST_POSTGRES_URL")
    world = make_world(args.people, args.tags, args.weeks, args.questions_per_person, args.seed)
    _say(f"{args.people} people, {args.tags} tags, {args.weeks} weeks, {len(world.asks):,} questions "
         f"({args.backend}, seed {args.seed})")
    results = []
    with tempfile.TemporaryDirectory(prefix="kbbot-routing-") as folder:
        for name in ("naive", "kbbot") if args.arm == "both" else (args.arm,):
            url, handle = _database(args.backend, args.postgres_url, Path(folder), name)
            try:
                started = time.perf_counter()
                outcome = Arm(name, url, world, args.weeks, args.seed).run()
                summary = summarise(name, outcome, world, args.weeks)
                summary["seconds"] = round(time.perf_counter() - started, 1)
                results.append(summary)
                _say(json.dumps(summary))
            finally:
                _drop(handle)
    keys = [k for k in results[0] if k != "arm"]
    _say("")
    _say(f"| figure | {' | '.join(r['arm'] for r in results)} |")
    _say(f"|---|{'---|' * len(results)}")
    for key in keys:
        _say(f"| {key} | {' | '.join(str(r[key]) for r in results)} |")


if __name__ == "__main__":
    main()
