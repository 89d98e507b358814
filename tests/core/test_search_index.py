"""The index follows the knowledge in the same transaction: inserts, edits, deletes, rollbacks, backfill."""

from __future__ import annotations

from alembic import command
from sqlalchemy import delete, text
from sqlalchemy.orm import Session, sessionmaker
from test_search_support import KB, NOW, kb, shared_sessions, texts  # noqa: F401 - fixtures

from kbbot.search import indexer
from kbbot.services import search
from kbbot.store.db import _alembic_config, make_engine, session_factory, upgrade
from kbbot.store.models import Person, Question


def _indexed(session: Session) -> int:
    connection = session.connection()
    return indexer.backend_of(connection).doc_count(connection)


def test_a_new_question_is_searchable_in_its_own_transaction_and_gone_after_rollback(
        sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        session.begin()
        kb = KB(session)
        kb.ask("How do I renew my parking permit?", answer="At the front desk.")
        assert texts(search.search(session, kb.bob, "parking permit")) == ["How do I renew my parking permit?"]
        session.rollback()
    with sessions.begin() as session:
        kb = KB(session)
        assert search.search(session, kb.bob, "parking permit") == []
        assert _indexed(session) == 0


def test_a_committed_question_is_found_from_another_session(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        kb = KB(session)
        kb.ask("Where is the first aid kit?", answer="In the kitchen.")
        bob_id = kb.bob.id
    with sessions.begin() as session:
        bob = session.get(Person, bob_id)
        assert texts(search.search(session, bob, "first aid kit")) == ["Where is the first aid kit?"]


def test_an_edited_question_is_found_by_its_new_words_only(kb: KB) -> None:
    question = kb.ask("How do I book the boardroom?", answer="Outlook.")
    question.text = "How do I book the auditorium?"
    kb.session.flush()
    assert search.search(kb.session, kb.bob, "boardroom") == []
    assert texts(search.search(kb.session, kb.bob, "auditorium")) == ["How do I book the auditorium?"]


def test_answers_edits_and_retractions_are_followed(kb: KB) -> None:
    question = kb.ask("Why is the build slow?")
    answer = kb.answer(question, "The gradle cache is cold on new runners.")
    assert texts(search.search(kb.session, kb.bob, "gradle cache")) == ["Why is the build slow?"]
    answer.text = "The maven mirror is slow."
    kb.session.flush()
    assert search.search(kb.session, kb.bob, "gradle") == []
    assert texts(search.search(kb.session, kb.bob, "maven mirror")) == ["Why is the build slow?"]
    answer.deleted_at = NOW
    kb.session.flush()
    assert search.search(kb.session, kb.bob, "maven") == []


def test_tags_added_later_are_searchable(kb: KB) -> None:
    from kbbot.services.tagging import ensure

    question = kb.ask("Cluster upgrade planning", answer="Every quarter.")
    assert search.search(kb.session, kb.bob, "terraform") == []
    question.tags = ensure(kb.session, ["terraform"])
    kb.session.flush()
    assert texts(search.search(kb.session, kb.bob, "terraform")) == ["Cluster upgrade planning"]


def test_deleted_questions_and_posts_leave_the_index_even_through_bulk_deletes(kb: KB) -> None:
    first = kb.ask("How do I reset my VPN password?")
    kb.ask("Where is the VPN client?", answer="Intranet.")
    post = kb.share("Notes on the VPN rollout", where=kb.channel)
    assert _indexed(kb.session) == 3
    kb.session.delete(first)
    kb.session.flush()
    assert texts(search.search(kb.session, kb.bob, "vpn")) == ["Where is the VPN client?"]
    kb.session.execute(delete(Question))  # bypasses the ORM: the database's own triggers/cascades clean up
    kb.session.delete(post)
    kb.session.flush()
    kb.session.expire_all()
    assert _indexed(kb.session) == 0
    assert search.search(kb.session, kb.bob, "vpn") == []
    assert search.search_posts(kb.session, kb.bob, "vpn") == []


def test_an_edited_post_is_found_by_its_new_words(kb: KB) -> None:
    post = kb.share("Learning rust this week", where=kb.channel)
    post.text = "Learning elixir this week"
    kb.session.flush()
    assert search.search_posts(kb.session, kb.bob, "rust") == []
    assert [h.post.id for h in search.search_posts(kb.session, kb.bob, "elixir")] == [post.id]


def test_migration_backfills_existing_knowledge(db_url: str) -> None:
    engine = make_engine(db_url)
    sessions = session_factory(engine)
    with sessions.begin() as session:
        kb = KB(session)
        kb.ask("How do I expense a taxi?", answer="Upload the receipt.")
        bob_id = kb.bob.id
    engine.dispose()
    command.downgrade(_alembic_config(db_url), "0002")  # drops the index...
    upgrade(db_url)  # ... and 0003 rebuilds it from the questions already there
    engine = make_engine(db_url)
    with session_factory(engine).begin() as session:
        bob = session.get(Person, bob_id)
        assert texts(search.search(session, bob, "taxi expense")) == ["How do I expense a taxi?"]
    engine.dispose()


def test_reindex_all_repairs_a_damaged_index(kb: KB) -> None:
    kb.ask("Who maintains the wiki?", answer="The docs guild.")
    connection = kb.session.connection()
    table = "search_questions" if connection.dialect.name == "postgresql" else "search_questions_fts"
    connection.execute(text(f"DELETE FROM {table}"))
    assert search.search(kb.session, kb.bob, "wiki") == []
    assert indexer.reindex_all(connection) == 1
    assert texts(search.search(kb.session, kb.bob, "wiki")) == ["Who maintains the wiki?"]

