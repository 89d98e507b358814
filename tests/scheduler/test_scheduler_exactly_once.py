"""Exactly once: restarts, retries, failures and several schedulers on one database."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from test_scheduler_support import FakeTime, RecordingOutbound, World, dm_to, text_of, utc

from kbbot.config import Settings
from kbbot.contract.outbound import DeliveryFailed, RetryLater
from kbbot.scheduler import jobs, ledger, runner
from kbbot.scheduler.delivery import Deliverer
from kbbot.scheduler.pacing import Pacer
from kbbot.store.db import make_engine, session_factory, unit_of_work
from kbbot.store.scheduling import APSCHEDULER_JOBS, Delivery, DeliveryStatus

THURSDAY_1505 = utc(2026, 11, 26, 14, 5)  # 15:05 in Amsterdam: prompts are due


@pytest.fixture
def world(sessions: sessionmaker[Session], settings: Settings) -> World:
    world = World(sessions, settings, utc(2026, 11, 25, 12, 0))
    for who in ("alice", "bob", "carol"):
        world.join(who)
    world.deliverer().run()  # last week's moments are recorded as skipped
    world.time.now = THURSDAY_1505
    return world


def prompts_sent(outbound: RecordingOutbound, who: str) -> int:
    return sum(1 for reply in outbound.to(who) if "Working out loud" in text_of(reply))


def statuses(sessions: sessionmaker[Session], kind: str = "prompt", period: str = "2026-W48") -> dict[str, str]:
    with unit_of_work(sessions) as session:
        return {recipient: status for recipient, status in session.execute(
            select(Delivery.recipient, Delivery.status).where(Delivery.kind == kind, Delivery.period == period))}


def test_restart_between_claim_and_send_retries_without_duplicate_or_loss(world: World) -> None:
    # A process claims alice's prompt and dies before sending it.
    crashed = world.deliverer(worker="crashed-process")
    with unit_of_work(world.sessions) as session:
        fresh, _ = crashed.due(session, world.time.now)
        alices = next(w for w in fresh if w.recipient == f"person:{world.person('alice').id}")
        assert ledger.claim(session, alices, world.time.now, "crashed-process") is not None

    # The restarted process sends the others at once but leaves alice's claim alone while its lease runs.
    world.deliverer().run()
    assert prompts_sent(world.outbound, "bob") == prompts_sent(world.outbound, "carol") == 1
    assert prompts_sent(world.outbound, "alice") == 0
    world.time.now += timedelta(minutes=2)
    world.deliverer().run()
    assert prompts_sent(world.outbound, "alice") == 0

    # Once the lease has expired the claim is taken over and sent: once.
    world.time.now += ledger.LEASE
    world.deliverer().run()
    world.time.now += timedelta(minutes=15)
    world.deliverer().run()
    assert [prompts_sent(world.outbound, who) for who in ("alice", "bob", "carol")] == [1, 1, 1]
    with unit_of_work(world.sessions) as session:
        row = session.scalars(select(Delivery).where(Delivery.recipient == alices.recipient,
                                                     Delivery.kind == "prompt", Delivery.period == "2026-W48")).one()
        assert (row.status, row.attempts) == (DeliveryStatus.SENT, 2) and row.claimed_by != "crashed-process"


def test_retry_later_is_honoured_and_one_failure_never_stops_the_rest(world: World) -> None:
    world.outbound.fail["alice"] = [RetryLater("429 Too Many Requests", retry_after=30)]
    world.outbound.fail["bob"] = [DeliveryFailed("user_not_found")]
    world.time.slept = 0.0
    report = world.deliverer().run()
    assert report.statuses == {DeliveryStatus.PENDING: 1, DeliveryStatus.FAILED: 1, DeliveryStatus.SENT: 1}
    assert prompts_sent(world.outbound, "carol") == 1
    # The workspace paused for the 30 s the platform asked for before carol's prompt went out.
    assert world.time.slept >= 30

    world.time.now += timedelta(seconds=31)
    world.deliverer().run()
    world.time.now += timedelta(minutes=30)
    world.deliverer().run()
    assert [prompts_sent(world.outbound, who) for who in ("alice", "bob", "carol")] == [1, 0, 1]
    alice, bob = world.person("alice").id, world.person("bob").id
    assert statuses(world.sessions)[f"person:{alice}"] == DeliveryStatus.SENT
    assert statuses(world.sessions)[f"person:{bob}"] == DeliveryStatus.FAILED
    assert world.outbound.attempts.count("bob") == 1  # refused for good: never retried


def test_an_unexpected_error_is_retried_with_backoff_then_given_up(world: World) -> None:
    world.outbound.fail["alice"] = [RuntimeError("connection reset")] * ledger.MAX_ATTEMPTS
    for _ in range(ledger.MAX_ATTEMPTS + 2):
        world.deliverer().run()
        world.time.now += timedelta(minutes=20)
    alice = world.person("alice").id
    assert statuses(world.sessions)[f"person:{alice}"] == DeliveryStatus.FAILED
    assert world.outbound.attempts.count("alice") == ledger.MAX_ATTEMPTS
    assert prompts_sent(world.outbound, "bob") == 1


def test_pacing_spaces_messages_per_conversation_and_workspace() -> None:
    clock = FakeTime(utc(2026, 1, 1))
    pacer = Pacer(per_conversation=1.0, per_workspace=0.1, monotonic=clock.monotonic, sleep=clock.sleep)
    sent_at = []
    for conversation in ["C1", "C1", "C2", "C1"]:
        pacer.wait("T1", conversation)
        sent_at.append(round(clock.monotonic(), 2))
    assert sent_at == [0.0, 1.0, 1.1, 2.0]
    pacer.back_off("T1", 30)
    pacer.wait("T1", "C9")
    assert round(clock.monotonic(), 2) == 32.0


def test_two_rounds_racing_on_one_database_send_each_once(world: World, db_url: str) -> None:
    """Two processes' rounds at the same moment, each with its own engine: every prompt goes out once."""
    for number in range(12):
        world.join(f"member{number}")
    world.time.now = THURSDAY_1505
    outbounds = [RecordingOutbound(), RecordingOutbound()]
    engines = [make_engine(db_url), make_engine(db_url)]
    start = threading.Barrier(2)

    def process(index: int) -> None:
        deliverer = Deliverer(world.settings, session_factory(engines[index]), {"slack": outbounds[index]},
                              clock=world.time, pacer=Pacer(per_conversation=0, per_workspace=0.001))
        start.wait()
        deliverer.run()

    threads = [threading.Thread(target=process, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for engine in engines:
        engine.dispose()
    recipients = [dm_to(r) for outbound in outbounds for _, _, r in outbound.sent]
    assert sorted(recipients) == sorted(["alice", "bob", "carol", *(f"member{n}" for n in range(12))])


def test_two_schedulers_on_one_database_send_each_digest_once(sessions: sessionmaker[Session],
                                                             settings: Settings, db_url: str) -> None:
    """Two started schedulers (APScheduler, job store in the database) deliver Monday's digests once."""
    world = World(sessions, settings, utc(2026, 11, 24, 9, 0))
    people = [f"reader{n}" for n in range(15)]
    for who in ["asker", *people]:
        world.join(who)
    for who in people:
        world.command(who, "expertise", "add #python")
    world.ask("asker", "general", "Who knows a good #python profiler?")
    world.deliverer(kinds=frozenset({"prompt"})).run()
    world.time.now = utc(2026, 11, 30, 8, 10)  # Monday 09:10 in Amsterdam
    with unit_of_work(sessions) as session:
        # Nothing else but digests is due in this test; prompts of the week were dealt with.
        session.execute(Delivery.__table__.delete().where(Delivery.kind == "digest"))

    outbounds = [RecordingOutbound(), RecordingOutbound()]
    engines = [make_engine(db_url), make_engine(db_url)]
    # The python question is a week old: the routing ladder (another job of the same schedulers) would rightly
    # escalate it; here only the digests are counted, so its later steps are set beyond this test.
    settings = settings.model_copy(update={"routing_second_after_hours": 1000, "routing_repost_after_days": 1000,
                                           "routing_tell_after_days": 1000})
    runners = [runner.start(settings, session_factory(engine), {"slack": outbound}, clock=world.time,
                            pacer=Pacer(per_conversation=0, per_workspace=0.002), tick_seconds=0.2,
                            first_round_after=0.05)
               for engine, outbound in zip(engines, outbounds, strict=True)]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done = statuses(sessions, "digest", "2026-W49")
            if len(done) == 16 and all(s in (DeliveryStatus.SENT, DeliveryStatus.EMPTY) for s in done.values()):
                break
            time.sleep(0.05)
        time.sleep(0.5)  # a few more rounds by both: still nothing doubles
    finally:
        for handle in runners:
            handle.shutdown()
        for engine in engines:
            engine.dispose()

    received = sorted(dm_to(r) for outbound in outbounds for _, _, r in outbound.sent)  # type: ignore[type-var]
    assert received == sorted(people)  # the asker has nothing worth saying
    assert sum(handle.rounds for handle in runners) >= 2
    with unit_of_work(sessions) as session:
        # Each registered job lives in the database (it survives a restart) and only once.
        assert session.scalar(select(func.count()).select_from(
            Delivery.metadata.tables[APSCHEDULER_JOBS])) == len(jobs.registered())


def test_the_schedule_lives_in_the_database_and_survives_a_restart(sessions: sessionmaker[Session],
                                                                  settings: Settings) -> None:
    table = Delivery.metadata.tables[APSCHEDULER_JOBS]
    first = runner.start(settings, sessions, {}, tick_seconds=3600, first_round_after=3600)
    first.shutdown()
    with unit_of_work(sessions) as session:
        stored = session.execute(select(table.c.id, table.c.next_run_time)).all()
    registered = sorted(job.id for job in jobs.registered())
    assert sorted(row.id for row in stored) == registered and runner.JOB_ID in registered
    assert all(row.next_run_time > time.time() for row in stored)
    second = runner.start(settings, sessions, {}, tick_seconds=3600, first_round_after=3600)
    try:
        assert second.scheduler is not None and all(second.scheduler.get_job(id) is not None for id in registered)
    finally:
        second.shutdown()
    with unit_of_work(sessions) as session:
        assert session.scalar(select(func.count()).select_from(table)) == len(registered)


def test_a_big_batch_is_spread_over_rounds_not_burst(world: World) -> None:
    for number in range(20):
        world.join(f"member{number}")
    world.time.now = THURSDAY_1505
    first = world.deliverer().run(budget=1.0)  # the scheduler's round stops claiming when its time is up
    sent_first = len(world.outbound.sent)
    assert first.unfinished > 0 and 5 <= sent_first <= 15
    gaps = [(b - a).total_seconds() for (a, _, _), (b, _, _) in zip(world.outbound.sent, world.outbound.sent[1:])]
    assert min(gaps) >= 0.099  # at most ten messages a second per workspace
    world.deliverer().run()
    recipients = [dm_to(reply) for _, _, reply in world.outbound.sent]
    assert len(recipients) == len(set(recipients)) == 23


def test_a_long_retry_after_is_not_slept_through_within_a_round(world: World) -> None:
    world.outbound.fail["alice"] = [RetryLater("429 Too Many Requests", retry_after=3600)]
    world.time.slept = 0.0
    report = world.deliverer().run(budget=48)
    assert report.statuses[DeliveryStatus.PENDING] == 1  # alice: later
    assert report.unfinished >= 1  # bob and carol wait for a later round instead of an hour-long sleep
    assert world.time.slept < 48
    world.time.now += timedelta(hours=1, seconds=1)
    world.time.sleep(3601)  # the hour passes for the pacer's clock too
    world.deliverer().run(budget=48)
    assert [prompts_sent(world.outbound, who) for who in ("alice", "bob", "carol")] == [1, 1, 1]


def test_a_round_whose_look_took_its_whole_budget_still_sends_something(world: World) -> None:
    """A busy database can make finding what is due take longer than a round's budget: the round must still
    make progress (else every round would find the same work and leave it all, and nothing would ever go)."""
    world.time.now = THURSDAY_1505
    report = world.deliverer().run(budget=-1.0)  # the budget was spent before the first send
    assert len(world.outbound.sent) >= 1 and report.unfinished >= 1
    for _ in range(3):
        world.deliverer().run(budget=-1.0)
    assert [prompts_sent(world.outbound, who) for who in ("alice", "bob", "carol")] == [1, 1, 1]
