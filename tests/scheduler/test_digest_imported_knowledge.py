"""Imported knowledge in the weekly digests: what happened this week counts, two years of history does not.

Acme installs kbbot on Tuesday 24 November 2026 and on Friday imports its Slack export
(built exactly as Slack documents it: tests/slack_support/export_builder.py). The export
holds threads from March 2024 and threads from this very week. Imported threads keep their
original dates, and a digest reports what happened during its window, so:

* the threads of this week are news like live ones: new questions and accepted answers in the
  channel digest, answers in the asker's digest, the acceptance in the answerer's, open
  questions in the digests of those who know the tag;
* the old threads are not "new this week" (the first digest after an import would otherwise
  list two years of history); that starter knowledge is found by ``/kb search`` and credits its
  authors' expertise (``/experts``), which in turn decides whose digest lists the open questions;
* privacy is kept: a private channel's imported thread reaches its members' digests only, and
  expertise earned there is not shown to someone outside it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from test_scheduler_support import PLATFORM, WORKSPACE, World, text_of, utc

from kbbot.config import Settings
from kbbot.contract import platform
from kbbot.contract.history import HistoryOptions
from kbbot.contract.replies import Reply
from kbbot.importing import run
from kbbot.importing.writer import ImportOptions
from slack_support.export_builder import SlackExport, ts


def at(moment: datetime) -> str:
    """A Slack ``ts`` for a moment of this week."""
    return f"{moment.timestamp():.6f}"


def export() -> SlackExport:
    """Acme's export, taken on Friday 27 November 2026: March 2024 and this week."""
    slack = SlackExport(team=WORKSPACE)
    for uid in ("alice", "bob", "carol", "dave"):
        slack.user(uid, uid.capitalize())
    slack.conversation("channels", "C-general", "general", ["alice", "bob", "carol", "dave"])
    slack.conversation("groups", "C-secret", "secret", ["alice", "carol"])
    # March 2024: answered and accepted long ago.
    slack.thread("general", ts(5), "alice", "How do I rotate the #postgres credentials for the billing service?", [
        (ts(10), "bob", "Run the rotate-secrets job in Jenkins, then restart the billing pods",
         {"reactions": [("white_check_mark", ["alice"])]})])
    slack.thread("secret", ts(30), "carol", "Weet iemand waar de #postgres backup van Nightingale staat?", [
        (ts(31), "alice", "In de kluis, bucket nightingale-backups", {"reactions": [("white_check_mark", ["carol"])]})])
    # This week, Wednesday 25 November.
    wednesday = utc(2026, 11, 25, 10, 0)
    slack.thread("general", at(wednesday), "dave", "How do I get read access to the #postgres reporting replica?", [
        (at(wednesday.replace(minute=30)), "bob", "Request the reporting-reader role in the access portal",
         {"reactions": [("white_check_mark", ["dave"])]})])
    slack.thread("general", at(wednesday.replace(hour=11)), "dave",
                 "Where is the #postgres connection string for the staging reporting job?", [
                     (at(wednesday.replace(hour=15)), "dave", "anyone?", {})])  # still open: only his own bump
    slack.thread("secret", at(wednesday.replace(hour=12)), "carol",
                 "Which #postgres replica does Nightingale read from?", [
                     (at(wednesday.replace(hour=16)), "carol", "bump", {})])  # still open, private
    return slack


def import_export(world: World, path: Path) -> None:
    """``kbbot import slack`` as the command line runs it, at the world's time."""
    slack = platform.get(PLATFORM)
    assert slack is not None
    history = slack.read_history(str(path), HistoryOptions())  # type: ignore[attr-defined]
    summary = run.run(history, world.sessions, ImportOptions(platform=PLATFORM, source=path.name), world.time.now)
    assert summary.counts["questions"] == 5 and summary.counts["accepted"] == 3, summary.lines()


def digest_for(world: World, who: str) -> str:
    """The text of ``who``'s personal digest of the week ("" when none was sent)."""
    sent = [r for r in world.outbound.to(who) if "kbbot," in r.text]
    assert len(sent) <= 1, sent
    return text_of(sent[0]) if sent else ""


def channel_digest(world: World) -> Reply:
    posted = [r for r in world.outbound.to("C-general") if r.text.startswith("📰")]
    assert len(posted) == 1, posted
    return posted[0]


def command(world: World, who: str, name: str, text: str) -> str:
    return "\n".join(text_of(reply) for reply in world.command(who, name, text))


@pytest.fixture
def week(sessions: sessionmaker[Session], settings: Settings, tmp_path: Path) -> World:
    """Installed Tuesday, the export imported Friday, digests on Monday 30 November (Amsterdam)."""
    world = World(sessions, settings, utc(2026, 11, 24, 9, 0))
    world.join("alice", private=("secret",))
    world.join("bob")
    world.join("carol", private=("secret",))
    world.join("dave")
    world.say("alice", "general", "digest on", mentions_bot=True)
    world.deliverer().run()  # last week's moments: recorded as skipped
    world.run_until(utc(2026, 11, 27, 10, 0), step_minutes=120)
    import_export(world, export().write(tmp_path / "acme-export.zip"))
    world.run_until(utc(2026, 11, 30, 9, 30), step_minutes=120)  # Monday 10:30 in Amsterdam (due 09:00)
    return world


def test_the_channel_digest_lists_this_weeks_imported_threads_and_not_two_years_of_history(week: World) -> None:
    shown = text_of(channel_digest(week))
    assert "How do I get read access to the #postgres reporting replica?" in shown  # new this week
    assert "Request the reporting-reader role" in shown  # accepted this week
    assert "Where is the #postgres connection string" in shown
    assert "Thank you for helping most this week: Bob" in shown
    assert "rotate the #postgres credentials" not in shown and "rotate-secrets" not in shown  # March 2024
    assert "Nightingale" not in shown  # the private channel's, imported or not


def test_personal_digests_hold_this_weeks_imported_answers_and_open_questions_for_those_who_may_see_them(
        week: World) -> None:
    dave = digest_for(week, "dave")
    assert "New answers to your questions" in dave and "Bob answered: Request the reporting-reader role" in dave

    bob = digest_for(week, "bob")  # expertise in #postgresql earned only by answers the import brought in
    assert "✅ Accepted: Request the reporting-reader role" in bob
    assert "Questions in your expertise still waiting for an answer" in bob
    assert "Where is the #postgres connection string for the staging reporting job?" in bob
    assert "Nightingale" not in bob  # open in #secret, and Bob is not a member
    assert "rotate-secrets" not in bob  # accepted in 2024: not this week's news

    alice = digest_for(week, "alice")  # a member of #secret, with expertise earned there
    assert "Which #postgres replica does Nightingale read from?" in alice
    assert "Where is the #postgres connection string" in alice
    assert "New answers to your questions" not in alice  # Bob answered her question in March 2024
    assert "nightingale-backups" not in alice  # her own answer, accepted in 2024


def test_old_imported_knowledge_is_found_and_credits_its_authors_for_those_who_may_see_it(week: World) -> None:
    assert "rotate-secrets job" in command(week, "dave", "kb", "search rotate postgres credentials")
    assert "nightingale-backups" not in command(week, "dave", "kb", "search postgres backup nightingale")
    assert "nightingale-backups" in command(week, "carol", "kb", "search postgres backup nightingale")

    for_dave = command(week, "dave", "experts", "postgres")
    assert "Bob" in for_dave and "Alice" not in for_dave  # Alice's only credit is in #secret
    for_carol = command(week, "carol", "experts", "postgres")
    assert "Bob" in for_carol and "Alice" in for_carol

