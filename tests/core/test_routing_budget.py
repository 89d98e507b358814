"""The ping budget holds under concurrent askers: many questions posted at once never push anyone over it.

Each thread is an asker in its own transaction on its own connection, all
released together, on SQLite and on PostgreSQL (where the counter's row lock
is what makes it hold).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.routing import ladder
from kbbot.services import expertise
from kbbot.store.db import unit_of_work
from kbbot.store.models import (
    Conversation,
    ConversationKind,
    Invitation,
    Person,
    PingCount,
    Question,
    QuestionStatus,
    Workspace,
)
from kbbot.services import tagging

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
ASKERS = 12


def _world(sessions: sessionmaker[Session]) -> list[int]:
    """Two #postgres experts and twelve open questions by twelve askers, not yet routed."""
    with unit_of_work(sessions) as session:
        space = Workspace(platform="console", external_id="local", name="Local", settings={}, created_at=NOW)
        session.add(space)
        session.flush()
        general = Conversation(workspace_id=space.id, external_id="C-general", name="general",
                               kind=ConversationKind.CHANNEL, created_at=NOW)
        session.add(general)

        def person(name: str) -> Person:
            row = Person(workspace_id=space.id, external_id=name, display_name=name.capitalize(), locale="en",
                         timezone="Europe/Amsterdam", created_at=NOW)
            session.add(row)
            session.flush()
            return row

        for expert in (person("bob"), person("carol")):
            expertise.declare(session, expert, ["postgres"], NOW)
        ids = []
        for number in range(ASKERS):
            question = Question(workspace_id=space.id, conversation_id=general.id, asker_id=person(f"asker{number}").id,
                                text=f"Why is query {number} slow?", status=QuestionStatus.OPEN, created_at=NOW,
                                updated_at=NOW)
            question.tags = tagging.ensure(session, ["postgres"])
            session.add(question)
            session.flush()
            ids.append(question.id)
        return ids


def test_concurrent_askers_never_push_an_expert_over_budget(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    settings = settings.model_copy(update={"routing_first_invites": 2, "routing_pings_per_week": 3})
    questions = _world(sessions)
    start = threading.Barrier(len(questions))
    errors: list[BaseException] = []

    def ask(question_id: int) -> None:
        try:
            with unit_of_work(sessions) as session:
                question = session.get(Question, question_id)
                assert question is not None
                start.wait()
                ladder.start(session, settings, question, NOW, "en")
        except BaseException as error:  # reported below, with the thread's own error
            errors.append(error)

    threads = [threading.Thread(target=ask, args=(question_id,)) for question_id in questions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    with unit_of_work(sessions) as session:
        per_person = dict(session.execute(select(Invitation.person_id, func.count())
                                          .group_by(Invitation.person_id)).all())
        counted = dict(session.execute(select(PingCount.person_id, PingCount.used)).all())
    # Every asker wanted both experts; together they may have three invitations each, not one more.
    assert sorted(per_person.values()) == [3, 3]
    assert counted == per_person
