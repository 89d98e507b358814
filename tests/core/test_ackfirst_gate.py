"""The ack-first gate: an acknowledgement never queues behind work that has not started yet."""

from __future__ import annotations

import threading
import time

from kbbot.pipeline.gate import AckFirstGate


def _hold(gate: AckFirstGate, kind: str, order: list[str], started: threading.Event | None = None,
          release: threading.Event | None = None) -> threading.Thread:
    def run() -> None:
        with getattr(gate, kind)():
            order.append(kind)
            if started:
                started.set()
            if release:
                release.wait(5)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _wait_for_waiters(gate: AckFirstGate, urgent: int) -> None:
    deadline = time.monotonic() + 5
    while gate._urgent < urgent and time.monotonic() < deadline:  # noqa: SLF001 - observing the gate's queue
        time.sleep(0.001)


def test_on_sqlite_a_waiting_ack_writes_before_waiting_work() -> None:
    gate = AckFirstGate(exclusive=True, max_patience=5)
    order: list[str] = []
    started, release = threading.Event(), threading.Event()
    first = _hold(gate, "patient", order, started, release)
    started.wait(5)
    work = _hold(gate, "patient", order)
    time.sleep(0.02)  # the second piece of work is now waiting
    ack = _hold(gate, "urgent", order)
    _wait_for_waiters(gate, urgent=1)
    release.set()
    for thread in (first, work, ack):
        thread.join(5)
    assert order == ["patient", "urgent", "patient"]


def test_on_postgresql_acks_run_together_and_work_waits_for_them_but_not_forever() -> None:
    gate = AckFirstGate(exclusive=False, max_patience=0.1)
    order: list[str] = []
    started_1, started_2, release = threading.Event(), threading.Event(), threading.Event()
    acks = [_hold(gate, "urgent", order, started_1, release), _hold(gate, "urgent", order, started_2, release)]
    assert started_1.wait(5) and started_2.wait(5)  # two acks at once
    began = time.monotonic()
    work = _hold(gate, "patient", order)
    work.join(5)
    assert time.monotonic() - began >= 0.09  # it waited for the acks, up to its patience
    assert order == ["urgent", "urgent", "patient"]
    release.set()
    for thread in acks:
        thread.join(5)
