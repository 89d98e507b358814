"""A database outage: the log shows one traceback per kind of failure, then one line per interval with a count."""

from __future__ import annotations

import io
import logging

from sqlalchemy.exc import OperationalError

from kbbot.pipeline.quiet_logs import Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def outage_log() -> tuple[logging.Logger, io.StringIO, Throttle, Clock]:
    clock = Clock()
    throttle = Throttle(interval=10.0, clock=clock)
    text = io.StringIO()
    handler = logging.StreamHandler(text)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(throttle)
    logger = logging.getLogger("kbbot.tests.outage")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, text, throttle, clock


def database_down() -> OperationalError:
    return OperationalError("INSERT INTO inbound_events …", {}, ConnectionRefusedError(
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused\n\tIs the server running?'))


def fail(logger: logging.Logger, event_id: str) -> None:
    try:
        raise database_down()
    except OperationalError:
        logger.exception("event %s failed; it stays pending", event_id)


def test_a_thousand_identical_failures_in_an_interval_give_one_traceback_and_one_count() -> None:
    logger, text, throttle, clock = outage_log()
    for number in range(1000):
        clock.now = 1000.0 + number * 0.0099  # all within 10 s
        fail(logger, f"Ev{number}")
    assert text.getvalue().count("Traceback") == 1
    assert text.getvalue().count("\n") > 3  # the traceback itself, once
    assert "Ev0" in text.getvalue() and "Ev1 " not in text.getvalue()

    text.truncate(0), text.seek(0)
    clock.now = 1010.0
    for record in throttle.pending():  # what the sweeper's round logs when the interval is over
        logger.handle(record)
    [line] = text.getvalue().splitlines()
    assert "999 times in the last 10 s: OperationalError" in line and "Traceback" not in line

    # The outage goes on: the next interval is one line again, told by its next failure.
    text.truncate(0), text.seek(0)
    for number in range(500):
        clock.now = 1010.0 + number * 0.019
        fail(logger, f"Ev{1000 + number}")
    clock.now = 1020.5
    fail(logger, "Ev1500")
    [line] = text.getvalue().splitlines()
    assert "Ev1500" in line and "501 times in the last 10 s" in line


def test_each_kind_of_failure_shows_its_own_traceback_once() -> None:
    logger, text, _, clock = outage_log()
    for _ in range(50):
        fail(logger, "Ev1")
        try:
            raise TimeoutError("pool timeout")
        except TimeoutError:
            logger.exception("worker round failed; trying again shortly")
        logger.warning("reply %s to %s given up: %s", 1, "C1", "channel_not_found")  # no exception: never held back
    assert text.getvalue().count("Traceback") == 2
    assert text.getvalue().count("given up") == 50


def test_a_failure_after_a_quiet_interval_shows_its_traceback_again() -> None:
    logger, text, throttle, clock = outage_log()
    fail(logger, "Ev1")
    clock.now += 60
    assert throttle.pending() == []
    fail(logger, "Ev2")
    assert text.getvalue().count("Traceback") == 2
