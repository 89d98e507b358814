"""Benchmark: what the scheduler's minute tick costs, for 1,000 to 50,000 people.

A delivery round runs every minute in every ``kbbot serve``. It used to work
out every active person's prompt and digest moment each time; now each
person's next moment is stored (kbbot/scheduler/next_due.py) and a round
reads only the people whose moment has come. This prints, per size and
backend: the first round (everyone worked out once), a quiet round (nobody
due: the cost every other minute of the week) and the round at a moment
when everyone in one timezone is due.

    python bench/tick.py                                   # 1,000, 10,000 and 50,000 people, both backends
    python bench/tick.py --people 1000 5000 --backend sqlite

PostgreSQL uses ``--postgres-url`` or ``KBBOT_TEST_POSTGRES_URL`` (a private
schema is created and dropped); without either it is skipped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from digest import ZONES, _insert, _say  # noqa: E402
from kbbot.config import Settings  # noqa: E402
from kbbot.scheduler.delivery import Deliverer  # noqa: E402
from kbbot.store.db import make_engine, session_factory, unit_of_work, upgrade  # noqa: E402
from kbbot.store.models import Person, Workspace  # noqa: E402

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday: nobody's default moment
THURSDAY_AMSTERDAM = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)  # 15:00 in Amsterdam: one zone's prompts


def populate(url: str, people: int) -> None:
    engine = make_engine(url)
    with session_factory(engine)() as session, session.begin():
        space = Workspace(platform="slack", external_id="TTICK", name="Tick", settings={}, created_at=START)
        session.add(space)
        session.flush()
        _insert(session, Person, [
            {"workspace_id": space.id, "external_id": f"U{n:06d}", "display_name": f"Person {n}", "locale": "en",
             "timezone": ZONES[n % len(ZONES)], "prompts_enabled": True, "digest_enabled": True, "is_active": True,
             "is_bot": False, "locale_chosen": False, "timezone_chosen": False,
             "created_at": START - timedelta(days=90)} for n in range(people)], "people")
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def timed_due(deliverer: Deliverer, now: datetime) -> tuple[float, int]:
    """Seconds one round takes to find what is due (the part that read everyone), and how many it found."""
    started = time.perf_counter()
    with unit_of_work(deliverer.sessions) as session:
        fresh, late = deliverer.due(session, now)
        deliverer_ledger_record(session, late, now)
    return time.perf_counter() - started, len(fresh)


def deliverer_ledger_record(session: object, late: list, now: datetime) -> None:
    from kbbot.scheduler import ledger
    from kbbot.store.scheduling import DeliveryStatus

    if late:
        ledger.record(session, late, DeliveryStatus.SKIPPED, now)  # type: ignore[arg-type]


def run(name: str, url: str, people: int) -> None:
    upgrade(url)
    populate(url, people)
    engine = make_engine(url)
    try:
        deliverer = Deliverer(Settings(), session_factory(engine), {})
        first, _ = timed_due(deliverer, START)
        quiet = [timed_due(deliverer, START + timedelta(minutes=minute))[0] for minute in range(1, 21)]
        # A round for named kinds remembers nothing and reads everyone: what every round did before.
        everyone = Deliverer(Settings(), session_factory(engine), {}, kinds=frozenset({"prompt", "digest"}))
        before = [timed_due(everyone, START + timedelta(minutes=minute))[0] for minute in range(21, 26)]
        for minute in range(60 * 24 * 2, 0, -60):  # a round an hour up to Thursday 14:59, as kbbot would
            timed_due(deliverer, THURSDAY_AMSTERDAM - timedelta(minutes=minute))
        due_seconds, due_count = timed_due(deliverer, THURSDAY_AMSTERDAM)
    finally:
        engine.dispose()
    _say(f"  RESULT {name} {people:>6,} people: first round {first * 1000:8.1f} ms, quiet round "
         f"{statistics.median(quiet) * 1000:6.1f} ms (median of 20; reading everyone as before: "
         f"{statistics.median(before) * 1000:6.1f} ms), Thursday 15:00 Amsterdam "
         f"{due_seconds * 1000:7.1f} ms for {due_count:,} due")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("KBBOT_TEST_POSTGRES_URL"))
    args = parser.parse_args(argv)
    for people in args.people:
        if args.backend in ("sqlite", "both"):
            with tempfile.TemporaryDirectory() as folder:
                run("SQLite    ", f"sqlite:///{folder}/tick.db", people)
        if args.backend in ("postgresql", "both") and args.postgres_url:
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = make_engine(args.postgres_url)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            separator = "&" if "?" in args.postgres_url else "?"
            try:
                run("PostgreSQL", f"{args.postgres_url}{separator}options=-csearch_path%3D{schema}", people)
            finally:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
