"""Benchmark: build the weekly personal digests of 10,000 people over 100,000 questions.

Builds a synthetic workspace (people in several timezones and channels,
private channels among them, anonymous questions, answers, acceptances,
flags, declared expertise) on SQLite and/or PostgreSQL, then builds every
person's digest exactly as the scheduler does (one transaction per person,
through the same visibility rules, a group of claimed digests per transaction)
and prints the time and the peak memory.

    python bench/digest.py                           # 10,000 people, 100,000 questions, both backends
    python bench/digest.py --people 500 --questions 5000 --backend sqlite   # a quick run

PostgreSQL uses ``--postgres-url`` or ``KBBOT_TEST_POSTGRES_URL`` (a private
schema is created and dropped); without either it is skipped.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, insert, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from kbbot.scheduler.delivery import DIGEST_GROUP  # noqa: E402
from kbbot.services import digest  # noqa: E402
from kbbot.store.db import make_engine, session_factory, upgrade  # noqa: E402
from kbbot.store.models import (  # noqa: E402
    Activity,
    Answer,
    Conversation,
    ConversationKind,
    DeclaredExpertise,
    Flag,
    FlagKind,
    Membership,
    Person,
    Question,
    QuestionStatus,
    QuestionTag,
    Tag,
    Workspace,
)

ZONES = ["Europe/Amsterdam", "America/New_York", "Asia/Tokyo", "Europe/London", "America/Los_Angeles"]
CHUNK = 5000
DIGEST_DUE = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def _say(message: str) -> None:
    print(message, flush=True)


def _rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _chunks(rows: list[dict], label: str) -> list[list[dict]]:
    return [rows[i:i + CHUNK] for i in range(0, len(rows), CHUNK)]


def _insert(session: Session, model: type, rows: list[dict], label: str) -> None:
    started = time.perf_counter()
    for number, chunk in enumerate(_chunks(rows, label), 1):
        session.execute(insert(model), chunk)
        if number % 10 == 0:
            _say(f"    {label}: {number * CHUNK:,}/{len(rows):,}")
    _say(f"  {label}: {len(rows):,} rows in {time.perf_counter() - started:.1f}s")


def populate(engine: Engine, people: int, questions: int, seed: int = 5) -> None:
    """A workspace with ``people`` people and ``questions`` questions spread over eight weeks."""
    rnd = random.Random(seed)
    now = DIGEST_DUE
    with session_factory(engine)() as session, session.begin():
        space = Workspace(platform="slack", external_id="TBENCH", name="Bench", settings={}, created_at=now)
        session.add(space)
        session.flush()
        ws = space.id
        _insert(session, Tag, [{"name": f"topic-{n}"} for n in range(300)], "tags")
        tag_ids = list(session.scalars(select(Tag.id)))
        channels = 60
        _insert(session, Conversation, [
            {"workspace_id": ws, "external_id": f"C{n:04d}", "name": f"team-{n}", "created_at": now,
             "kind": ConversationKind.PRIVATE if n % 6 == 0 else ConversationKind.CHANNEL}
            for n in range(channels)], "conversations")
        conversation_ids = list(session.scalars(select(Conversation.id).order_by(Conversation.id)))
        _insert(session, Person, [
            {"workspace_id": ws, "external_id": f"U{n:06d}", "display_name": f"Person {n}",
             "locale": "nl" if n % 3 == 0 else "en", "timezone": ZONES[n % len(ZONES)], "prompts_enabled": True,
             "digest_enabled": True, "is_active": True, "is_bot": False, "locale_chosen": False,
             "timezone_chosen": False, "created_at": now - timedelta(days=90)} for n in range(people)], "people")
        person_ids = list(session.scalars(select(Person.id).order_by(Person.id)))
        memberships = {(c, p) for p in person_ids for c in rnd.sample(conversation_ids, 4)}
        _insert(session, Membership, [{"conversation_id": c, "person_id": p, "since": now - timedelta(days=80)}
                                      for c, p in memberships], "memberships")
        _insert(session, DeclaredExpertise, [
            {"person_id": p, "tag_id": t, "created_at": now - timedelta(days=60)}
            for p in person_ids for t in set(rnd.sample(tag_ids, 3))], "declared expertise")
        question_rows = []
        for n in range(questions):
            created = now - timedelta(minutes=rnd.randrange(8 * 7 * 24 * 60))
            status = rnd.choices([QuestionStatus.OPEN, QuestionStatus.ANSWERED, QuestionStatus.ACCEPTED],
                                 [3, 2, 5])[0]
            question_rows.append({"workspace_id": ws, "conversation_id": rnd.choice(conversation_ids),
                                  "message_id": f"q{n}", "asker_id": rnd.choice(person_ids),
                                  "is_anonymous": rnd.random() < 0.1, "text": f"How do I handle case {n} of topic "
                                  f"{rnd.randrange(300)} in production without downtime?", "status": status,
                                  "created_at": created, "updated_at": created})
        _insert(session, Question, question_rows, "questions")
        rows = session.execute(select(Question.id, Question.status, Question.created_at, Question.conversation_id,
                                      Question.asker_id)).all()
        _insert(session, QuestionTag, [{"question_id": q.id, "tag_id": t} for q in rows
                                       for t in set(rnd.sample(tag_ids, rnd.randint(1, 3)))], "question tags")
        answers, n = [], 0
        for q in rows:
            if q.status is QuestionStatus.OPEN:
                continue
            for k in range(rnd.randint(1, 2)):
                n += 1
                answers.append({"question_id": q.id, "author_id": rnd.choice(person_ids),
                                "conversation_id": q.conversation_id, "message_id": f"a{n}",
                                "text": f"Answer {n}: roll it out behind a flag and watch the dashboards.",
                                "is_accepted": q.status is QuestionStatus.ACCEPTED and k == 0,
                                "created_at": q.created_at + timedelta(hours=rnd.randint(1, 48))})
        _insert(session, Answer, answers, "answers")
        accepted = session.execute(select(Answer.id, Answer.created_at, Question.asker_id)
                                   .join(Question, Question.id == Answer.question_id).where(Answer.is_accepted)).all()
        _insert(session, Activity, [{"workspace_id": ws, "person_id": a.asker_id, "kind": "accepted",
                                     "subject_id": a.id, "created_at": a.created_at + timedelta(hours=2)}
                                    for a in accepted], "acceptances")
        flagged = rnd.sample(accepted, min(len(accepted), max(1, questions // 50)))
        _insert(session, Flag, [{"answer_id": a.id, "person_id": rnd.choice(person_ids), "kind": FlagKind.OUTDATED,
                                 "reason": None, "created_at": a.created_at + timedelta(days=3)}
                                for a in flagged], "flags")


def build_all(engine: Engine, limit: int | None, trace: bool) -> dict[str, float]:
    """Build every person's digest as the scheduler does: a group of claimed digests per transaction,
    set-based (:func:`kbbot.services.digest.personal_many`); returns figures."""
    sessions = session_factory(engine)
    with sessions() as session:
        person_ids = list(session.scalars(select(Person.id).order_by(Person.id)))[:limit]
    window = digest.Window(start=DIGEST_DUE - timedelta(days=7), end=DIGEST_DUE)
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    worth = blocks = 0
    for first in range(0, len(person_ids), DIGEST_GROUP):
        group = person_ids[first:first + DIGEST_GROUP]
        with sessions() as session:
            people = session.scalars(select(Person).where(Person.id.in_(group)).order_by(Person.id)).all()
            replies = digest.personal_many(session, [digest.Recipient(person, window, delivery_id=first + n)
                                                     for n, person in enumerate(people, 1)])
            for reply in replies:
                if reply is not None:
                    worth += 1
                    blocks += len(reply.blocks)
        number = first + len(group)
        if number % 1000 < DIGEST_GROUP or number == len(person_ids):
            elapsed = time.perf_counter() - started
            _say(f"    digests: {number:,}/{len(person_ids):,} ({number / elapsed:,.0f}/s)")
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else float("nan")
    if trace:
        tracemalloc.stop()
    return {"people": len(person_ids), "seconds": elapsed, "worth": worth, "blocks": blocks, "traced_peak_mb": peak}


def run_backend(name: str, url: str, people: int, questions: int, trace: bool) -> None:
    _say(f"\n== {name}: {people:,} people, {questions:,} questions ==")
    upgrade(url)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        populate(engine, people, questions)
        with engine.begin() as connection:  # planner statistics, on either backend
            connection.execute(text("ANALYZE"))
        _say(f"  data ready in {time.perf_counter() - started:.1f}s (peak RSS so far {_rss_mb():.0f} MB)")
        figures = build_all(engine, None, trace)
    finally:
        engine.dispose()
    per = figures["seconds"] / max(1, figures["people"]) * 1000
    _say(f"  RESULT {name}: built {figures['people']:,} personal digests in {figures['seconds']:.1f}s "
         f"({per:.1f} ms each), {figures['worth']:,} worth sending; peak RSS {_rss_mb():.0f} MB"
         + (f", traced peak during building {figures['traced_peak_mb']:.1f} MB" if trace else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("KBBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also trace Python allocations while building (slower, exact peak of the build)")
    args = parser.parse_args(argv)
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            run_backend("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}", args.people, args.questions,
                        args.tracemalloc)
    if args.backend in ("postgresql", "both"):
        if not args.postgres_url:
            _say("\n== PostgreSQL skipped: pass --postgres-url or set KBBOT_TEST_POSTGRES_URL ==")
            return 0
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(args.postgres_url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in args.postgres_url else "?"
        try:
            run_backend("PostgreSQL", f"{args.postgres_url}{separator}options=-csearch_path%3D{schema}",
                        args.people, args.questions, args.tracemalloc)
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
