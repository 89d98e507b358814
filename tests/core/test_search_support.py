"""Shared helpers of the search tests: a tiny knowledge base built through the ORM.

Questions, answers and posts are stored as the services store them, so the
search index is filled by the same flush listener as in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from conftest import BACKENDS, POSTGRES_ENV, _drop_postgres_schema, _fresh_postgres_schema, postgres_url
from sqlalchemy.orm import Session, sessionmaker

from kbbot.services import search
from kbbot.services.tagging import ensure
from kbbot.store.db import make_engine, session_factory, upgrade
from kbbot.store.models import (
    Answer,
    Conversation,
    ConversationKind,
    Membership,
    Person,
    Question,
    QuestionStatus,
    SharedPost,
    Workspace,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class KB:
    """A tiny workspace with one public channel and a few people, for building knowledge quickly."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.workspace = Workspace(platform="console", external_id="T1", name="Acme", settings={}, created_at=NOW)
        session.add(self.workspace)
        session.flush()
        self.channel = self.conversation("C-general", ConversationKind.CHANNEL)
        self.alice = self.person("alice", "Alice")
        self.bob = self.person("bob", "Bob")

    def person(self, external_id: str, name: str, locale: str = "en") -> Person:
        person = Person(workspace_id=self.workspace.id, external_id=external_id, display_name=name, locale=locale,
                        created_at=NOW)
        self.session.add(person)
        self.session.flush()
        return person

    def conversation(self, external_id: str, kind: ConversationKind) -> Conversation:
        conversation = Conversation(workspace_id=self.workspace.id, external_id=external_id, name=external_id,
                                    kind=kind, created_at=NOW)
        self.session.add(conversation)
        self.session.flush()
        return conversation

    def join(self, person: Person, conversation: Conversation) -> None:
        self.session.add(Membership(conversation_id=conversation.id, person_id=person.id, since=NOW))
        self.session.flush()

    def share(self, text: str, *, author: Person | None = None, where: Conversation | None = None,
              tags: tuple[str, ...] = ()) -> SharedPost:
        """A working-out-loud post; ``where=None`` keeps it "just for me"."""
        author = author or self.alice
        post = SharedPost(workspace_id=self.workspace.id, author_id=author.id,
                          conversation_id=where.id if where else None, source_key=f"post-{text[:40]}-{author.id}",
                          period="2026-W48", text=text, created_at=NOW)
        post.tags = ensure(self.session, tags)
        self.session.add(post)
        self.session.flush()
        return post

    def ask(self, text: str, *, tags: tuple[str, ...] = (), answer: str | None = None, accepted: bool = False,
            where: Conversation | None = None, asker: Person | None = None, anonymous: bool = False) -> Question:
        question = Question(workspace_id=self.workspace.id, conversation_id=(where or self.channel).id,
                            asker_id=(asker or self.alice).id, is_anonymous=anonymous, text=text,
                            status=QuestionStatus.OPEN, created_at=NOW, updated_at=NOW)
        question.tags = ensure(self.session, tags)
        self.session.add(question)
        self.session.flush()
        if answer is not None:
            self.answer(question, answer, accepted=accepted)
        return question

    def answer(self, question: Question, text: str, *, accepted: bool = False) -> Answer:
        answer = Answer(question_id=question.id, author_id=self.bob.id, conversation_id=question.conversation_id,
                        message_id=f"m{question.id}-{len(question.answers)}", text=text, is_accepted=accepted,
                        created_at=NOW)
        self.session.add(answer)
        question.status = QuestionStatus.ACCEPTED if accepted else QuestionStatus.ANSWERED
        self.session.flush()
        self.session.refresh(question, ["answers"])
        return answer


@pytest.fixture(scope="module", params=BACKENDS)
def shared_sessions(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                    ) -> Iterator[sessionmaker[Session]]:
    """One migrated database per test module and backend, for tests that roll everything back.

    Migrating a fresh database for every test costs more than the tests
    themselves; the :func:`kb` fixture never commits, so tests can share one.
    """
    schema = None
    base = postgres_url()
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'kbbot.db'}"
    elif base is None:
        pytest.skip(f"PostgreSQL run skipped: set {POSTGRES_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    else:
        url, schema = _fresh_postgres_schema(base)
    try:
        upgrade(url)
        engine = make_engine(url)
        yield session_factory(engine)
        engine.dispose()
    finally:
        if schema is not None and base is not None:
            _drop_postgres_schema(base, schema)


@pytest.fixture
def kb(shared_sessions: sessionmaker[Session]) -> Iterator[KB]:
    """A knowledge base in one open transaction, rolled back afterwards (so nothing is ever committed)."""
    session = shared_sessions()
    session.begin()
    yield KB(session)
    session.rollback()
    session.close()




def texts(hits: list[search.Hit]) -> list[str]:
    return [h.question.text for h in hits]
