"""``kbbot report knowledge``: per tag, answers current / verified / due / flagged / retired, counts and a chart."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.services import knowledge_report
from kbbot.store.db import unit_of_work
from test_scheduler_support import World, text_of

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
KBBOT = str(Path(sys.executable).with_name("kbbot"))


def _knowledge(sessions: sessionmaker[Session], settings: Settings) -> World:
    """Four accepted #vpn answers and one #hr answer written on START; then, 200 days on, one #vpn answer is
    verified, one flagged, one retired, one left due, and the #hr one is found twice while due."""
    world = World(sessions, settings, START)
    for who in ("alice", "bob", "carol", "dave", "erin"):
        world.join(who)
    for text in ("How do I reach the staging VPN?", "Which VPN client runs on Linux?",
                 "Who resets a VPN token?", "Where is the VPN status page?"):
        question = world.ask("alice", "general", f"{text} #vpn")
        world.accept("alice", world.answer("bob", question, f"For {text.lower()} see the VPN wiki page."))
    question = world.ask("carol", "general", "How many holidays do new colleagues get? #hr")
    world.accept("carol", world.answer("dave", question, "Twenty-five days a year."))
    world.time.now = START + timedelta(days=200)
    assert "still right" in text_of(world.command("bob", "kb", "verify 1")[0])
    world.command("carol", "kb", "flag 2 outdated the client changed")
    assert "retired" in text_of(world.command("bob", "kb", "retire 3")[0])
    for _ in range(2):
        assert "holidays" in text_of(world.command("erin", "kb", "search holidays new colleagues")[0])
    return world


def test_counts_per_tag_and_a_chart_without_names(sessions: sessionmaker[Session], settings: Settings) -> None:
    _knowledge(sessions, settings)
    with unit_of_work(sessions) as session:
        rows = knowledge_report.figures(session, START + timedelta(days=201), 180)
    by_tag = {row.tag: row for row in rows}
    vpn, hr = by_tag["vpn"], by_tag["human-resources"]
    assert (vpn.current, vpn.verified, vpn.due, vpn.flagged, vpn.retired) == (1, 1, 1, 1, 1)
    assert (hr.current, hr.due, hr.due_shown) == (0, 1, 2)
    page = knowledge_report.html(rows, START)
    svg = page[page.index("<svg"):page.index("</svg>") + len("</svg>")]
    ElementTree.fromstring(svg)
    text = knowledge_report.table(rows) + page
    for name in ("Alice", "Bob", "Carol", "Dave", "Erin", "alice", "bob"):
        assert name not in text
    assert "vpn" in svg and "due" in svg


def test_due_answers_shown_last_month_are_counted(sessions: sessionmaker[Session], settings: Settings) -> None:
    _knowledge(sessions, settings)
    with unit_of_work(sessions) as session:
        rows = {row.tag: row for row in knowledge_report.figures(session, START + timedelta(days=201), 180)}
        later = {row.tag: row for row in knowledge_report.figures(session, START + timedelta(days=260), 180)}
    assert rows["human-resources"].due_shown == 2
    assert later["human-resources"].due_shown == 0  # shown more than 30 days before: not last month


def test_the_command_writes_the_report(tmp_path: Path) -> None:
    env = {"KBBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'kbbot.db'}", "PATH": "/usr/bin:/bin"}
    assert subprocess.run([KBBOT, "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True).returncode == 0
    script = "/ask Where is the VPN status page? #vpn\n:as bob\n:reply 1 On the intranet.\n:as alice\n:react 2 ✅\n"
    assert subprocess.run([KBBOT, "console"], input=script, text=True, env=env, cwd=tmp_path,
                          capture_output=True).returncode == 0
    done = subprocess.run([KBBOT, "report", "knowledge", "-o", "report.html"], env=env, cwd=tmp_path,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "vpn" in done.stdout and "Report with chart written to report.html." in done.stdout
    assert "<svg" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_an_export_for_one_person_holds_what_they_may_see(tmp_path: Path) -> None:
    env = {"KBBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'kbbot.db'}", "PATH": "/usr/bin:/bin"}
    assert subprocess.run([KBBOT, "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True).returncode == 0
    script = ("/ask Where is the VPN status page? #vpn\n:in #board private\n"
              "/ask Who approves the reorganisation budget? #finance\n:as bob\n:in #general\n/kb search vpn\n")
    assert subprocess.run([KBBOT, "console"], input=script, text=True, env=env, cwd=tmp_path,
                          capture_output=True).returncode == 0
    run = lambda *args: subprocess.run([KBBOT, "export", *args], env=env, cwd=tmp_path,  # noqa: E731
                                       capture_output=True, text=True)
    alice = run("--include-private", "--as", "alice")
    assert alice.returncode == 0 and "reorganisation" in alice.stdout  # she is in #board
    bob = run("--include-private", "--as", "bob")
    assert bob.returncode == 0 and "VPN status page" in bob.stdout and "reorganisation" not in bob.stdout
    unknown = run("--as", "nobody")
    assert unknown.returncode != 0 and "unknown person: nobody" in unknown.stderr and unknown.stdout == ""
