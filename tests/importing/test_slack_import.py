"""Importing a Slack workspace export: Ann's team brings two years of channel threads into kbbot on day one.

The export is built exactly as Slack documents it (tests/slack_support/acme_export.py):
public and private channels, a group DM and a DM, threads with late replies in later day files,
reactions, edits, files, a deleted user, a bot, a join, a reply from someone the export does not
list and a damaged day file. It is imported through ``kbbot import slack`` on both databases, and
what people then see is checked through the core as they would use it: ``/kb search`` and
``/experts`` as a member and as a non-member of the private channel.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.store.db import unit_of_work
from kbbot.store.models import (
    Activity,
    Answer,
    Conversation,
    ConversationKind,
    ImportedThread,
    ImportRun,
    Membership,
    OutboxReply,
    Person,
    Question,
    QuestionStatus,
    Vote,
)
from slack_support.acme_export import ask_kbbot, build, run_import
from slack_support.export_builder import ts


def census(session: Session) -> dict[str, int]:
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Person, Conversation, Membership, Question, Answer, Vote, Activity, ImportedThread)}


def test_an_export_becomes_knowledge_that_only_the_right_people_see(
        db_url: str, sessions: sessionmaker[Session], settings: Settings, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = build().write(tmp_path / "export.zip")

    assert run_import(db_url, path) == 0
    out, err = capsys.readouterr()
    assert "100%" in err  # the progress bar, on standard error
    assert "Questions created: 2; answers created: 4 (2 accepted); votes from reactions: 5." in out, out
    assert "Read 14 messages in 2 conversations; 3 threads found." in out, out
    for reason in ("not JSON", "written by someone the export does not list", "written by an integration",
                   "not a message", "did not start with a question", "direct or group direct messages",
                   "the asker's own follow-up", "message longer than a message can be"):
        assert reason in out, (reason, out)
    assert "general/2024-03-04.json" in out

    with unit_of_work(sessions) as session:
        people = {p.external_id: p for p in session.scalars(select(Person))}
        assert not people["U0EVE"].is_active and people["U0ANN"].is_active and people["U0BOT"].is_bot
        assert "U0GHOST" not in people
        assert people["U0CAR"].locale == "nl"
        kinds = {c.external_id: c.kind for c in session.scalars(select(Conversation))}
        assert kinds == {"C0GENERAL": ConversationKind.CHANNEL, "G0SECRET": ConversationKind.PRIVATE}
        secret = session.scalars(select(Conversation).where(Conversation.external_id == "G0SECRET")).one()
        members = set(session.scalars(select(Person.external_id).join(Membership).where(
            Membership.conversation_id == secret.id)))
        assert members == {"U0ANN", "U0CAR"}

        rotate = session.scalars(select(Question).where(Question.text.like("%rotate%"))).one()
        assert rotate.asker.external_id == "U0ANN" and rotate.message_id == ts(5)
        assert rotate.created_at.timestamp() == pytest.approx(float(ts(5)))
        assert [t.name for t in rotate.tags] == ["postgresql"]  # through the tag aliases, as /ask does
        assert rotate.status is QuestionStatus.ACCEPTED
        answers = {a.author.external_id: a for a in rotate.answers}
        assert set(answers) == {"U0BOB", "U0EVE", "U0CAR"}  # no bot, no unknown person, not the asker herself
        assert answers["U0BOB"].is_accepted and not answers["U0EVE"].is_accepted  # the asker's ✅ beats the 👍s
        assert answers["U0BOB"].edited_at is not None
        assert answers["U0CAR"].created_at.timestamp() == pytest.approx(float(ts(60 * 24 + 30)))
        voters = set(session.scalars(select(Person.external_id).join(Vote, Vote.person_id == Person.id).where(
            Vote.answer_id == answers["U0EVE"].id)))
        assert voters == {"U0DAN", "U0CAR", "U0BOB"}
        assert len(answers["U0BOB"].votes) == 1  # Dan's 👍; Ann's ✅ accepted it, as it does live
        vault = session.scalars(select(Question).where(Question.text.like("%sleutel%"))).one()
        assert vault.status is QuestionStatus.ACCEPTED and vault.answers[0].is_accepted
        assert session.scalar(select(func.count()).select_from(OutboxReply)) == 0  # nothing posted back
        run = session.scalars(select(ImportRun)).one()
        assert run.finished_at is not None and run.summary["counts"]["questions"] == 2
        before = census(session)

    # Search as people would: the public answer for everyone, the private one only for the channel's members.
    assert "rotate-secrets job" in ask_kbbot(sessions, settings, "U0DAN", "kb", "search rotate postgres credentials")
    # (what is looked for is not what is checked: kbbot repeats the query when it finds nothing)
    assert "kluis Productie" in ask_kbbot(sessions, settings, "U0CAR", "kb", "search sleutel productie vault")
    assert "kluis Productie" not in ask_kbbot(sessions, settings, "U0DAN", "kb", "search sleutel productie vault")
    assert "kluis Productie" not in ask_kbbot(sessions, settings, "U0DAN", "kb", "search 1Password")
    assert "top shelf" not in ask_kbbot(sessions, settings, "U0BOB", "kb", "search vault recovery sheet")
    # Earned expertise: Bob's accepted answer on a #postgres question makes him the one to ask.
    assert "Bob" in ask_kbbot(sessions, settings, "U0DAN", "experts", "postgres")

    # The same export again changes nothing.
    with unit_of_work(sessions) as session:
        before = census(session)
    assert run_import(db_url, path) == 0
    out, _ = capsys.readouterr()
    assert "Questions created: 0; answers created: 0 (0 accepted); votes from reactions: 0." in out, out
    assert "already imported, unchanged since" in out
    with unit_of_work(sessions) as session:
        assert census(session) == before
        assert session.scalar(select(func.count()).select_from(OutboxReply)) == 0


def test_a_later_overlapping_export_adds_only_what_is_new(db_url: str, sessions: sessionmaker[Session],
                                                          tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = build()
    assert run_import(db_url, first.write(tmp_path / "first.zip")) == 0
    later = build()
    parent = next(m for m in later.days["general/2024-03-01.json"] if m["ts"] == ts(5))
    later.message("general", ts(60 * 48), "U0DAN", "Note: the job needs the billing-admin role", thread_ts=ts(5))
    parent["reply_count"] += 1
    parent["latest_reply"] = ts(60 * 48)
    bob = next(m for m in later.days["general/2024-03-01.json"] if m["ts"] == ts(10))
    bob["text"] = "Run the rotate-secrets job in Jenkins (billing folder), then restart the billing pods"
    bob["edited"]["ts"] = ts(90)
    capsys.readouterr()
    assert run_import(db_url, later.write(tmp_path / "later.zip")) == 0
    out, _ = capsys.readouterr()
    assert "answers created: 1 (0 accepted)" in out, out
    assert "Threads that grew since an earlier import: 1" in out
    with unit_of_work(sessions) as session:
        rotate = session.scalars(select(Question).where(Question.text.like("%rotate%"))).one()
        assert len(rotate.answers) == 4 and sum(a.is_accepted for a in rotate.answers) == 1
        bob_answer = next(a for a in rotate.answers if a.author.external_id == "U0BOB")
        assert "billing folder" in bob_answer.text
        assert session.scalar(select(func.count()).select_from(Question)) == 2
    assert run_import(db_url, tmp_path / "later.zip") == 0  # and that later export once more: nothing
    out, _ = capsys.readouterr()
    assert "Questions created: 0; answers created: 0" in out


def test_direct_messages_only_when_asked_and_then_only_for_their_participants(
        db_url: str, sessions: sessionmaker[Session], settings: Settings, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = build().write(tmp_path / "export.zip")
    assert run_import(db_url, path, "--include-dms") == 0
    out, _ = capsys.readouterr()
    assert "Questions created: 4" in out, out
    assert "top shelf" in ask_kbbot(sessions, settings, "U0BOB", "kb", "search vault recovery sheet")
    assert "top shelf" not in ask_kbbot(sessions, settings, "U0DAN", "kb", "search vault recovery sheet")
    assert "by mail" in ask_kbbot(sessions, settings, "U0ANN", "kb", "search vault audit log")
    assert "by mail" not in ask_kbbot(sessions, settings, "U0CAR", "kb", "search vault audit log")


def test_a_dry_run_counts_everything_and_writes_nothing(db_url: str, sessions: sessionmaker[Session],
                                                       tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = build().write(tmp_path / "export.zip")
    with unit_of_work(sessions) as session:
        before = census(session)
    assert run_import(db_url, path, "--dry-run") == 0
    out, _ = capsys.readouterr()
    assert "Dry run: nothing was written." in out
    assert "Questions would be created: 2; answers would be created: 4 (2 accepted)" in out, out
    with unit_of_work(sessions) as session:
        assert census(session) == before
        assert session.scalar(select(func.count()).select_from(ImportRun)) == 0


def test_channels_and_since_choose_what_is_read(db_url: str, sessions: sessionmaker[Session], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = build().write(tmp_path / "export.zip")
    assert run_import(db_url, path, "--channels", "security") == 0
    out, _ = capsys.readouterr()
    assert "Questions created: 1" in out and "in 1 conversations" in out, out
    assert run_import(db_url, path, "--since", "2024-03-02") == 0
    out, _ = capsys.readouterr()
    assert "Questions created: 0" in out and "a reply whose thread" not in out
    assert "thread started before --since" in out, out


def test_bad_exports_are_refused_with_the_reason_and_change_nothing(
        db_url: str, sessions: sessionmaker[Session], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = build().write(tmp_path / "export.zip")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    text = tmp_path / "notes.zip"
    text.write_text("these are my notes, not an export")
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "hello")
    for path, says in ((cut, "not a ZIP archive, or cut short"), (text, "not a ZIP archive"),
                       (empty, "not a Slack workspace export"), (tmp_path / "missing.zip", "no such file")):
        assert run_import(db_url, path) != 0
        _, err = capsys.readouterr()
        assert says in err and "Traceback" not in err, err
    with unit_of_work(sessions) as session:
        assert census(session)["people"] == 0


def test_an_oversized_day_file_is_reported_and_the_rest_imported(
        db_url: str, sessions: sessionmaker[Session], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = build()
    huge = "x" * (100 * 1024 * 1024)
    export.raw["general/2024-03-05.json"] = json.dumps([{"type": "message", "user": "U0BOB", "text": huge,
                                                         "ts": ts(60 * 24 * 4)}]).encode()
    del huge
    assert run_import(db_url, export.write(tmp_path / "export.zip")) == 0
    out, _ = capsys.readouterr()
    assert "file larger than the import reads" in out and "general/2024-03-05.json" in out, out
    assert "Questions created: 2" in out
