"""Retention: each workspace's policy deletes exactly what is past its age, at the injected clock's time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.privacy import retention
from kbbot.scheduler import jobs
from kbbot.store.db import unit_of_work
from kbbot.store.models import (
    Answer,
    AuditEntry,
    Conversation,
    InboundEvent,
    OutboxReply,
    Person,
    Question,
    SharedPost,
    Workspace,
)

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)
SECOND = timedelta(seconds=1)


def _space(session: Session, external_id: str, settings: dict) -> tuple[Workspace, Person, Conversation]:
    space = Workspace(platform="console", external_id=external_id, name=external_id, settings=settings,
                      created_at=NOW - timedelta(days=900))
    session.add(space)
    session.flush()
    person = Person(workspace_id=space.id, external_id=f"{external_id}-ann", display_name="Ann",
                    created_at=space.created_at)
    channel = Conversation(workspace_id=space.id, external_id=f"{external_id}-C1", name="general", kind="channel",
                           created_at=space.created_at)
    session.add_all([person, channel])
    session.flush()
    return space, person, channel


def _aged(session: Session, space: Workspace, person: Person, channel: Conversation, name: str,
          age: timedelta) -> None:
    """One of each kind of record, ``age`` old at NOW; texts carry ``name`` to tell them apart."""
    at = NOW - age
    session.add_all([
        InboundEvent(platform="console", event_key=f"{space.external_id}-{name}", payload={"type": "command"},
                     status="done", attempts=1, received_at=at, processed_at=at),
        OutboxReply(position=0, platform="console", workspace_id=space.external_id, reply={"text": name},
                    status="failed", due_at=at, created_at=at),
        AuditEntry(workspace_id=space.id, actor="operator", action="setting", key=name, created_at=at),
        SharedPost(workspace_id=space.id, author_id=person.id, conversation_id=channel.id,
                   source_key=f"{space.external_id}-{name}", text=f"post {name}", created_at=at),
    ])
    question = Question(workspace_id=space.id, conversation_id=channel.id, asker_id=person.id, status="open",
                        text=f"question {name}", created_at=at, updated_at=at)
    session.add(question)
    session.flush()
    session.add(Answer(question_id=question.id, author_id=person.id, conversation_id=channel.id,
                       message_id=f"{space.external_id}-{name}", text=f"answer {name}", created_at=at))


def _left(sessions: sessionmaker[Session], external_id: str) -> dict[str, list[str]]:
    with unit_of_work(sessions) as session:
        space = session.scalars(select(Workspace).where(Workspace.external_id == external_id)).one()
        return {
            "events": sorted(key.split("-", 1)[1] for key in session.scalars(select(InboundEvent.event_key).where(
                InboundEvent.event_key.startswith(f"{external_id}-")))),
            "outbox": sorted(r["text"] for r in session.scalars(select(OutboxReply.reply).where(
                OutboxReply.workspace_id == external_id))),
            "audit": sorted(session.scalars(select(AuditEntry.key).where(AuditEntry.workspace_id == space.id))),
            "posts": sorted(t.split()[1] for t in session.scalars(select(SharedPost.text).where(
                SharedPost.workspace_id == space.id))),
            "questions": sorted(t.split()[1] for t in session.scalars(select(Question.text).where(
                Question.workspace_id == space.id))),
        }


def test_the_retention_job_deletes_exactly_what_is_past_each_workspaces_policy(
        sessions: sessionmaker[Session]) -> None:
    strict = {"retention_events_days": 2, "retention_outbox_days": 5, "retention_audit_days": 60,
              "retention_posts_days": 30, "retention_knowledge_days": 365}
    with unit_of_work(sessions) as session:
        for external_id, settings in (("strict", strict), ("defaults", {})):
            space, person, channel = _space(session, external_id, settings)
            for name, age in (("fresh", timedelta(hours=1)), ("2d-", timedelta(days=2) - SECOND),
                              ("2d+", timedelta(days=2) + SECOND), ("5d+", timedelta(days=5) + SECOND),
                              ("7d+", timedelta(days=7) + SECOND), ("30d+", timedelta(days=30) + SECOND),
                              ("60d-", timedelta(days=60) - SECOND), ("60d+", timedelta(days=60) + SECOND),
                              ("365d+", timedelta(days=365) + SECOND), ("731d+", timedelta(days=731))):
                _aged(session, space, person, channel, name, age)

    pruned = retention.run_once(sessions, NOW)

    assert _left(sessions, "strict") == {
        "events": sorted(["fresh", "2d-"]),
        "outbox": sorted(["fresh", "2d-", "2d+"]),
        "audit": sorted(["fresh", "2d-", "2d+", "5d+", "7d+", "30d+", "60d-"]),
        "posts": sorted(["fresh", "2d-", "2d+", "5d+", "7d+"]),
        "questions": sorted(["fresh", "2d-", "2d+", "5d+", "7d+", "30d+", "60d-", "60d+"]),
    }
    # The defaults: a week of event keys (the shortest policy of the platform applies to them: here 2 days,
    # since handled events carry no workspace), 30 days of replies, two years of audit, knowledge kept.
    defaults = _left(sessions, "defaults")
    assert defaults["events"] == sorted(["fresh", "2d-"])
    assert defaults["outbox"] == sorted(["fresh", "2d-", "2d+", "5d+", "7d+"])
    assert defaults["audit"] == sorted(["fresh", "2d-", "2d+", "5d+", "7d+", "30d+", "60d-", "60d+", "365d+"])
    assert len(defaults["posts"]) == len(defaults["questions"]) == 10
    assert pruned.questions == 2 and pruned.total() > 0

    assert retention.run_once(sessions, NOW).total() == 0  # a second replica, or the next hour, finds nothing


def test_an_answer_deleted_on_the_platform_is_gone_for_good_after_its_period(
        sessions: sessionmaker[Session]) -> None:
    from kbbot.store.models import AnswerRevision

    with unit_of_work(sessions) as session:
        space, person, channel = _space(session, "acme", {"retention_deleted_days": 3})
        _aged(session, space, person, channel, "kept", timedelta(days=10))
        _aged(session, space, person, channel, "gone", timedelta(days=10))
        for answer in session.scalars(select(Answer)):
            age = timedelta(days=3) + SECOND if answer.text.endswith("gone") else timedelta(days=3) - SECOND
            answer.deleted_at = NOW - age
            session.add(AnswerRevision(answer_id=answer.id, change="delete", previous_text=answer.text,
                                       changed_at=NOW - age))
    assert retention.run_once(sessions, NOW).deleted_answers == 1
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Answer.text)).all() == ["answer kept"]
        assert session.scalars(select(AnswerRevision.previous_text)).all() == ["answer kept"]
        assert len(session.scalars(select(Question)).all()) == 2  # the questions themselves are knowledge


def test_knowledge_deleted_by_retention_leaves_the_search_index(sessions: sessionmaker[Session]) -> None:
    from kbbot.services import search

    with unit_of_work(sessions) as session:
        space, person, channel = _space(session, "acme", {"retention_knowledge_days": 30})
        _aged(session, space, person, channel, "zeppelin", timedelta(days=31))
        _aged(session, space, person, channel, "dirigible", timedelta(days=29))
    retention.run_once(sessions, NOW)
    with unit_of_work(sessions) as session:
        reader = session.scalars(select(Person).where(Person.external_id == "acme-ann")).one()
        assert [hit.question.text for hit in search.search(session, reader, "dirigible")] == ["question dirigible"]
        assert search.search(session, reader, "zeppelin") == []


def test_retention_is_a_registered_scheduler_job() -> None:
    job = jobs.get(jobs.RETENTION)
    assert job is not None and job.every == jobs.PRUNE_EVERY
