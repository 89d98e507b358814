"""Search as people reach it: shared posts in /kb search, and a rebuild that repairs the index."""

from __future__ import annotations

from console_chat import Chat
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import system_clock
from kbbot.search import reindex
from kbbot.store.db import unit_of_work
from kbbot.store.models import Conversation, Person, Question, QuestionStatus, SharedPost


def test_search_lists_shared_working_out_loud_posts(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat(":as bob", "/kb help")  # bob and #general exist now
    with unit_of_work(sessions) as session:
        bob = session.scalars(select(Person).where(Person.external_id == "bob")).one()
        general = session.scalars(select(Conversation).where(Conversation.external_id == "C-general")).one()
        session.add(SharedPost(workspace_id=bob.workspace_id, author_id=bob.id, conversation_id=general.id,
                               source_key="wol-1", period="2026-W48", created_at=system_clock(),
                               text="Learned how to profile slow Terraform plans with TF_LOG=trace."))
        session.add(SharedPost(workspace_id=bob.workspace_id, author_id=bob.id, conversation_id=None,
                               source_key="wol-2", period="2026-W48", created_at=system_clock(),
                               text="Private note: Terraform state surgery still scares me."))
    shown = chat(":as alice", "/kb search terraform")
    assert "profile slow Terraform plans" in shown
    assert "state surgery" not in shown  # "just for me" stays with its author


def test_reindex_repairs_rows_written_behind_the_index(chat: Chat, sessions: sessionmaker[Session],
                                                        engine: Engine) -> None:
    chat("/kb help")
    with unit_of_work(sessions) as session:
        alice = session.scalars(select(Person)).one()
        general = session.scalars(select(Conversation)).one()
        now = system_clock()
        session.execute(insert(Question).values(  # bulk SQL: the ORM listener never sees it
            workspace_id=alice.workspace_id, conversation_id=general.id, asker_id=alice.id, is_anonymous=False,
            text="Where is the on-call rota kept?", status=QuestionStatus.OPEN, created_at=now, updated_at=now))
    assert "on-call rota" not in chat("/kb search rota")
    lines: list[str] = []
    assert reindex.run(engine, lines.append, batch=1) == 1
    assert lines == ["  questions: 1/1  (100% of all)"]
    assert "on-call rota" in chat("/kb search rota")
