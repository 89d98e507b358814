"""``kbbot status``: an operator sees what waits and what was given up, and never what anyone wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot import cli, status
from kbbot.pipeline import inbox, outbox
from kbbot.clock import system_clock
from kbbot.config import Settings
from kbbot.contract.events import Actor, CommandInvoked, Place
from kbbot.contract.outbound import DeliveryFailed
from kbbot.scheduler import ledger
from kbbot.weekly.timing import current_period
from kbbot.store.db import unit_of_work
from kbbot.store.models import InboundEvent, Workspace

KBBOT = str(Path(sys.executable).with_name("kbbot"))
SECRET = "the reorg plan for the Utrecht office"  # written in a private channel
CONTEXT = {"user_id": "U1", "channel_id": "G1"}


def ask(event_id: str, text: str = f"Who has {SECRET}?") -> CommandInvoked:
    return CommandInvoked(platform="slack", workspace_id="T1", event_id=event_id,
                          actor=Actor(id="U1", name="Ann"), conversation=Place(id="G1", kind="private", name="board"),
                          occurred_at=system_clock(), command="ask", text=text)


def park(sessions: sessionmaker[Session], settings: Settings, monkeypatch: pytest.MonkeyPatch, event_id: str) -> None:
    """An event whose handling fails, quoting what was written, until the inbox parks it."""
    event = ask(event_id)
    assert inbox.accept(sessions, event, system_clock(), CONTEXT)

    def broken(*_args: object, **_kwargs: object) -> list[object]:
        raise RuntimeError(f"could not index {SECRET!r}")

    with monkeypatch.context() as patch:
        patch.setattr(inbox, "handle", broken)
        for _ in range(inbox.MAX_ATTEMPTS):
            with pytest.raises(RuntimeError):
                inbox.process_to_outbox(sessions, event, settings, system_clock(), CONTEXT)


def handled(sessions: sessionmaker[Session], settings: Settings, event_id: str, now: datetime) -> list[outbox.Parcel]:
    event = ask(event_id, "How do I book a meeting room?")
    assert inbox.accept(sessions, event, now, CONTEXT)
    return inbox.process_to_outbox(sessions, event, settings, now, CONTEXT)


def kbbot_status(db_url: str, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str]:
    """``kbbot status`` through the command line's own entry point; its exit code and what it printed."""
    code = cli.main(["--database-url", db_url, "status", *flags],
                    settings_factory=lambda **values: Settings(_env_file=None, **values))
    return code, capsys.readouterr().out


def lines(out: str) -> list[str]:
    """The printed lines with their alignment collapsed to single spaces."""
    return [" ".join(line.split()) for line in out.splitlines()]


def test_a_quiet_kbbot_is_ok(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = kbbot_status(db_url, capsys, "--check")
    assert code == 0
    assert out.splitlines()[0].endswith(": ok")
    assert "!" not in out
    code, out = kbbot_status(db_url, capsys, "--json", "--check")
    assert code == 0
    document = json.loads(out)
    assert document["verdict"] == "ok" and document["concerns"] == []
    assert document["inbox"]["pending"] == [] and document["outbox"]["waiting"] == 0


def test_a_parked_event_shows_its_kind_and_exception_type_but_not_what_was_written(
        sessions: sessionmaker[Session], settings: Settings, db_url: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    park(sessions, settings, monkeypatch, "Ev-park")
    with unit_of_work(sessions) as session:  # the inbox keeps the text for debugging; status must not show it
        assert SECRET in (session.scalars(select(InboundEvent.error)).one() or "")

    code, out = kbbot_status(db_url, capsys)
    assert code == 0  # without --check a concern is printed, not signalled
    shown = lines(out)
    assert "! 1 event parked as failed in the last 24 h" in shown
    assert "parked, last 7 days 1 last 24 h: 1" in shown
    assert "by event type 1 command" in shown
    assert "by error 1 RuntimeError" in shown
    assert SECRET not in out and "could not index" not in out

    code, out = kbbot_status(db_url, capsys, "--json", "--check")
    assert code == 1
    document = json.loads(out)
    assert document["verdict"] == "concerns"
    assert [concern["code"] for concern in document["concerns"]] == ["inbox_parked"]
    assert document["inbox"]["parked_by_type"] == {"command": 1}
    assert document["inbox"]["parked_by_error"] == {"RuntimeError": 1}
    assert SECRET not in out and "could not index" not in out


def test_a_backlog_and_the_replies_of_a_process_that_died_are_concerns(
        sessions: sessionmaker[Session], settings: Settings, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    now = system_clock()
    assert inbox.accept(sessions, ask("Ev-waits"), now - timedelta(minutes=10))  # nobody ever handled it
    handled(sessions, settings, "Ev-died", now - timedelta(minutes=30))  # stored its reply, died before sending

    snapshot = status.snapshot(sessions, now)
    assert [(b.platform, b.pending) for b in snapshot.inbox.pending] == [("slack", 1)]
    assert snapshot.inbox.pending[0].oldest_seconds == 600
    assert (snapshot.outbox.waiting, snapshot.outbox.past_due, snapshot.outbox.past_due_long) == (1, 1, 1)
    assert snapshot.outbox.oldest_seconds == 1800
    assert [concern.code for concern in snapshot.concerns] == ["inbox_stale", "outbox_past_due"]

    code, out = kbbot_status(db_url, capsys, "--check")
    assert code == 1
    shown = lines(out)
    assert ("! events wait longer than 2 min to be handled (oldest: slack 10 min): are the workers running?"
            in shown)
    assert "! 1 reply past due for more than 5 min: is anything sweeping the outbox?" in shown
    assert shown[shown.index("pending 1") + 1] == "slack 1 oldest 10 min"
    assert "waiting 1 oldest 30 min" in shown
    assert "past due 1 1 of them for more than 5 min" in shown


def test_replies_that_could_not_be_delivered_are_counted_by_platform_and_reason(
        sessions: sessionmaker[Session], settings: Settings, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    now = system_clock() - timedelta(hours=1)
    refused = handled(sessions, settings, "Ev-refused", now)

    def channel_gone(_parcel: outbox.Parcel) -> None:
        raise DeliveryFailed("slack: channel_not_found")

    assert outbox.deliver(sessions, refused, channel_gone, lambda: now).failed == 1

    def renderer_bug(_parcel: outbox.Parcel) -> None:
        raise ValueError(f"cannot render {SECRET!r}")

    parcels = handled(sessions, settings, "Ev-bug", now)
    for _ in range(outbox.MAX_ATTEMPTS):  # retried by the sweep until the outbox parks it
        outbox.deliver(sessions, parcels, renderer_bug, lambda: now)
        now += timedelta(seconds=61)
        parcels = outbox.due(sessions, now)
    assert parcels == []

    snapshot = status.snapshot(sessions, system_clock())
    assert (snapshot.outbox.failed, snapshot.outbox.failed_recently, snapshot.outbox.waiting) == (2, 2, 0)
    assert snapshot.outbox.failed_by_platform == {"slack": 2}
    assert snapshot.outbox.failed_by_reason == {"ValueError": 1, "slack: channel_not_found": 1}

    code, out = kbbot_status(db_url, capsys, "--check")
    assert code == 1
    shown = lines(out)
    assert "! 2 replies could not be delivered in the last 24 h" in shown
    assert "failed, kept 30 days 2 last 24 h: 2" in shown
    assert "by platform 2 slack" in shown
    reasons = shown.index("by reason 1 ValueError")
    assert shown[reasons + 1] == "1 slack: channel_not_found"
    assert SECRET not in out and SECRET not in status.as_json(snapshot)


def test_this_weeks_deliveries_by_kind_and_status_and_a_stuck_claim(
        sessions: sessionmaker[Session], settings: Settings, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    now = system_clock()
    week = current_period(settings.default_timezone, now)
    with unit_of_work(sessions) as session:
        space = Workspace(platform="slack", external_id="T1", name="T", settings={}, created_at=now)
        session.add(space)
        session.flush()

        def claim(recipient: str, kind: str, period: str, at: datetime) -> ledger.Claim:
            delivery_id = ledger.claim(session, ledger.Wanted(space.id, recipient, kind, period, at), at, "w")
            assert delivery_id is not None
            return ledger.Claim(delivery_id, "w", 1)

        ledger.mark_sent(session, claim("person:1", "prompt", week, now), now, "ts-1")
        ledger.mark_empty(session, claim("person:2", "prompt", week, now))
        ledger.mark_failed(session, claim("person:1", "digest", week, now), "slack: user_not_found")
        claim("person:2", "digest", week, now - timedelta(hours=1))  # its process died mid-send
        ledger.mark_sent(session, claim("person:1", "prompt", "2000-W01", now), now, "ts-old")  # not this week

    snapshot = status.snapshot(sessions, now, settings.default_timezone)
    assert snapshot.ledger.week == week
    assert snapshot.ledger.deliveries == {"digest": {"claimed": 1, "failed": 1}, "prompt": {"empty": 1, "sent": 1}}
    assert snapshot.ledger.overdue == 1
    assert [concern.code for concern in snapshot.concerns] == ["ledger_overdue"]

    code, out = kbbot_status(db_url, capsys)
    shown = lines(out)
    assert f"Scheduled deliveries, week {week}" in shown
    assert "digest 2 claimed 1, failed 1" in shown
    assert "prompt 2 empty 1, sent 1" in shown
    assert "overdue retries 1" in shown
    assert "! 1 scheduled delivery overdue for a retry: is the scheduler running?" in shown


@pytest.mark.parametrize(("error", "shown"), [
    ("slack: channel_not_found", "slack: channel_not_found"),
    ("slack: not_in_channel C0PRIVATE1", "slack: not_in_channel"),
    ("slack: rate limited", "slack: rate limited"),
    ("slack: URLError: <urlopen error private text>", "slack: URLError"),
    ("response_url: 404 {'text': 'private text'}", "response_url: 404"),
    ("replying in 19:abc@thread.skype: Bot Connector answered 403", "Bot Connector answered 403"),
    ("posting to a:1x: outcome unknown (TimeoutError); not sent again", "outcome unknown (TimeoutError)"),
    ("kbbot is not installed in Slack workspace T0123", "kbbot is not installed in Slack workspace …"),
    ("question 12 was never posted; no thread to reply in", "question … was never posted"),
    ("ValueError: private text", "ValueError"),
    ("unreadable reply (3 validation errors)", "unreadable reply (… validation errors)"),
    (None, "unknown"),
])
def test_a_failure_is_shown_by_its_kind_only(error: str | None, shown: str) -> None:
    assert status.reason(error) == shown


def test_an_exception_type_is_all_an_inbox_error_shows() -> None:
    assert status.error_type("KeyError: 'private text'") == "KeyError"
    assert status.error_type("DeliveryFailed: replying in 19:x: Bot Connector answered 403") == "DeliveryFailed"
    assert status.error_type("unreadable payload (2 validation errors)") == "unreadable payload (… validation errors)"


def test_the_installed_command_as_a_probe_would_run_it(sessions: sessionmaker[Session], settings: Settings,
                                                       db_url: str, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KBBOT_")}
    env["KBBOT_DATABASE_URL"] = db_url

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([KBBOT, "status", *args], capture_output=True, text=True, cwd=tmp_path, env=env,
                              timeout=120)

    quiet = run("--check")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout.startswith("kbbot status at ") and quiet.stdout.splitlines()[0].endswith(": ok")

    park(sessions, settings, monkeypatch, "Ev-probe")
    alarmed = run("--check", "--json")
    assert alarmed.returncode == 1, alarmed.stderr
    assert json.loads(alarmed.stdout)["concerns"][0]["code"] == "inbox_parked"
    assert SECRET not in alarmed.stdout + alarmed.stderr


def test_an_unmigrated_database_is_exit_code_3_not_a_false_ok(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KBBOT_")}
    env["KBBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'empty.db'}"
    result = subprocess.run([KBBOT, "status", "--check"], capture_output=True, text=True, cwd=tmp_path, env=env,
                            timeout=120)
    assert result.returncode == 3 and "Run: kbbot db upgrade" in result.stderr
