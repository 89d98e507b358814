"""A later export never undoes what people changed in kbbot since the first import.

Ann's team imports its export, then lives with kbbot for a while: Carla takes back her 👍 on
Eve's answer, Ann takes back her ✅ on Bob's. A month later the operator imports a newer,
overlapping export (the thread has a new reply, so it is read again), and that export still
shows Carla's 👍 and Ann's ✅ as they were on the day of the first one. What people see in
kbbot must stay what they chose live: Eve's answer with two votes, no accepted answer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from slack_support.acme_export import ask_kbbot, build, react, run_import
from slack_support.export_builder import SlackExport, ts


def rotate_answers(sessions: sessionmaker[Session], settings: Settings) -> list[str]:
    """The rotate question as Dan finds it: its result line and one line per answer, with ✅ and 👍 marks."""
    shown = json.loads(ask_kbbot(sessions, settings, "U0DAN", "kb", "search rotate postgres credentials"))
    items = [item for reply in shown for block in reply.get("blocks") or [] for item in block.get("items") or []]
    hit = next(item for item in items if "rotate" in item["text"])
    return [hit["detail"], *hit["lines"]]


def later(export: SlackExport, days: int = 2) -> SlackExport:
    """The same workspace exported again later: the rotate thread has grown by one reply, ``days`` after it began."""
    parent = next(m for m in export.days["general/2024-03-01.json"] if m["ts"] == ts(5))
    export.message("general", ts(60 * 24 * days), "U0DAN", f"Note: the job needs the billing-admin role ({days})",
                   thread_ts=ts(5))
    parent["reply_count"] += 1
    parent["latest_reply"] = ts(60 * 24 * days)
    return export


def test_votes_and_acceptances_taken_back_live_stay_taken_back_after_a_later_import(
        db_url: str, sessions: sessionmaker[Session], settings: Settings, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert run_import(db_url, build().write(tmp_path / "first.zip")) == 0
    before = rotate_answers(sessions, settings)
    eve = next(line for line in before if "DBA team" in line)
    assert "👍 3" in eve, before  # Dan, Carla and Bob
    assert "✅ Bob: Run the rotate-secrets job" in before[0], before

    react(sessions, settings, "U0CAR", "C0GENERAL", ts(11), "👍", removed=True)
    react(sessions, settings, "U0ANN", "C0GENERAL", ts(10), "✅", removed=True)
    taken_back = rotate_answers(sessions, settings)
    assert "👍 2" in next(line for line in taken_back if "DBA team" in line), taken_back
    assert not any("✅" in line for line in taken_back), taken_back

    capsys.readouterr()
    assert run_import(db_url, later(build()).write(tmp_path / "later.zip")) == 0
    out, _ = capsys.readouterr()
    assert "answers created: 1 (0 accepted); votes from reactions: 0." in out, out
    after = rotate_answers(sessions, settings)
    assert "4 answer(s)" in after[0], after  # the later export was read: Dan's new reply is the fourth
    assert "👍 2" in next(line for line in after if "DBA team" in line), after
    assert not any("✅" in line for line in after), after


def bob_votes(sessions: sessionmaker[Session], settings: Settings) -> str:
    """The 👍 mark on Bob's (accepted) answer as Dan sees it, or "" without votes."""
    line = next(line for line in rotate_answers(sessions, settings) if "rotate-secrets job" in line)
    return next((mark for mark in line.split(" · ") if mark.startswith("👍")), "")


def test_a_vote_given_live_and_in_the_export_counts_once_and_its_withdrawal_is_kept(
        db_url: str, sessions: sessionmaker[Session], settings: Settings, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Carla 👍s Bob's answer in Slack after the first export: kbbot counts it live, the next export shows it too."""
    assert run_import(db_url, build().write(tmp_path / "first.zip")) == 0
    assert bob_votes(sessions, settings) == "👍 1"  # Dan's, from the export
    react(sessions, settings, "U0CAR", "C0GENERAL", ts(10), "👍")
    assert bob_votes(sessions, settings) == "👍 2"

    grown = later(build())
    bob = next(m for m in grown.days["general/2024-03-01.json"] if m["ts"] == ts(10))
    bob["reactions"].append({"name": "+1", "users": ["U0CAR"], "count": 1})
    capsys.readouterr()
    assert run_import(db_url, grown.write(tmp_path / "grown.zip")) == 0
    out, _ = capsys.readouterr()
    assert "votes from reactions: 0." in out, out
    assert bob_votes(sessions, settings) == "👍 2"  # one vote each, not Carla's twice

    react(sessions, settings, "U0CAR", "C0GENERAL", ts(10), "👍", removed=True)
    assert bob_votes(sessions, settings) == "👍 1"
    latest = later(grown, days=5)  # grown once more: read again, Carla's 👍 still in it
    assert run_import(db_url, latest.write(tmp_path / "latest.zip")) == 0
    out, _ = capsys.readouterr()
    assert "answers created: 1 (0 accepted); votes from reactions: 0." in out, out
    assert bob_votes(sessions, settings) == "👍 1"
