"""Migration 0025 on a database that imported before it: votes already on imported threads count as applied.

Before 0025 nothing remembered which votes an import had applied. Upgrading takes every vote
the activity log records on an imported thread's answers as applied, so that a vote someone
took back before the upgrade is not brought back by the next import either.
"""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kbbot.contract.events import Actor, Place
from kbbot.services import directory
from kbbot.store.db import _alembic_config, make_engine, upgrade
from kbbot.store.models import Activity, Answer, ImportedVote, Question, QuestionStatus

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_votes_logged_on_imported_threads_become_applied_imported_votes(db_url: str) -> None:
    command.downgrade(_alembic_config(db_url), "0023")
    engine = make_engine(db_url)
    with Session(engine) as session, session.begin():
        space = directory.workspace(session, "slack", "T1", "Acme", NOW)
        ann, bob, dan = (directory.person(session, space, Actor(id=uid), NOW, "UTC") for uid in ("U1", "U2", "U3"))
        general = directory.conversation(session, space, Place(id="C1", kind="channel", name="general"), NOW)
        session.flush()
        imported, live = (Question(workspace_id=space.id, conversation_id=general.id, message_id=ts, asker_id=ann.id,
                                   is_anonymous=False, text=text_, status=QuestionStatus.ANSWERED, created_at=NOW,
                                   updated_at=NOW)
                          for ts, text_ in (("1.0", "How do I rotate keys?"), ("2.0", "Where is the VPN guide?")))
        session.add_all([imported, live])
        session.flush()
        answers = [Answer(question_id=q.id, author_id=bob.id, conversation_id=general.id, message_id=f"{q.id}.5",
                          text="like this", is_accepted=False, created_at=NOW) for q in (imported, live)]
        session.add_all(answers)
        session.flush()
        for answer in answers:
            # Dan voted on both (on the imported one he took it back since: only the log says so); Bob's own
            # answer is not a vote of his.
            session.add(Activity(workspace_id=space.id, person_id=dan.id, kind="voted", subject_id=answer.id,
                                 created_at=NOW))
        session.add(Activity(workspace_id=space.id, person_id=bob.id, kind="voted", subject_id=answers[0].id,
                             created_at=NOW))
        session.execute(text("INSERT INTO imported_threads (conversation_id, message_id, fingerprint, question_id, "
                             "imported_at) VALUES (:c, '1.0', 'x', :q, :n)"),
                        {"c": general.id, "q": imported.id, "n": NOW})
        expected = [(answers[0].id, dan.id)]
    upgrade(db_url)
    with Session(engine) as session:
        assert session.execute(select(ImportedVote.answer_id, ImportedVote.person_id)).all() == expected
    engine.dispose()
