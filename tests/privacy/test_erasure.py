"""Wilhelmina asks to be forgotten: nothing names her anywhere afterwards, and her knowledge stays readable."""

from __future__ import annotations


import pytest
from console_chat import Chat
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from privacy_support import NOW, traces, wilhelminas_week

from kbbot import cli
from kbbot.config import Settings
from kbbot.privacy import erasure
from kbbot.privacy.placeholder import EXTERNAL_ID
from kbbot.store.db import unit_of_work
from kbbot.store.models import (
    Answer,
    AuditEntry,
    Conversation,
    DeclaredExpertise,
    Person,
    Question,
    QuestionFollower,
    SharedPost,
    Vote,
    Workspace,
)
from kbbot.store.scheduling import Delivery, PersonSchedule

def _count(sessions: sessionmaker[Session], model: type, *where: object) -> int:
    with unit_of_work(sessions) as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_forget_me_leaves_no_trace_of_her_name_or_id_while_her_knowledge_stays_readable(
        chat: Chat, sessions: sessionmaker[Session], engine: Engine) -> None:
    wilhelminas_week(chat, sessions)
    assert traces(engine, "wilhelmina"), "the scenario must have stored her somewhere to begin with"
    assert _count(sessions, SharedPost) == 2 and _count(sessions, Delivery) == 1

    shown = chat(":as wilhelmina", ":dm", "/kb forget me")
    assert "Erase everything kbbot holds about you?" in shown and "a former colleague" in shown
    assert _count(sessions, Person, Person.external_id == "wilhelmina") == 1  # nothing happens before the click
    done = chat(f":click {chat.button('Yes, forget me', shown)}")
    assert "kbbot no longer holds anything about you" in done

    assert traces(engine, "wilhelmina") == []  # every table, every JSON column, the search index
    # Her own things are gone; what she gave colleagues stays, naming nobody.
    assert _count(sessions, DeclaredExpertise) == 0 and _count(sessions, PersonSchedule) == 0
    assert _count(sessions, Delivery) == 0
    with unit_of_work(sessions) as session:
        placeholder = session.scalars(select(Person).where(Person.external_id == EXTERNAL_ID)).one()
        assert not placeholder.is_active and not placeholder.prompts_enabled and not placeholder.digest_enabled
        assert session.scalars(select(Question.asker_id).where(Question.id == 1)).one() == placeholder.id
        assert session.scalars(select(Answer.author_id).where(Answer.id == 2)).one() == placeholder.id
        assert session.scalars(select(Vote.person_id)).all() == [placeholder.id]  # her upvote still counts
        posts = session.scalars(select(SharedPost)).all()
        assert [(p.text, p.author_id) for p in posts] == [("Learned how harbor replication works", placeholder.id)]
        assert session.scalars(select(AuditEntry.action)).all() == ["forget"]
        assert _count(sessions, QuestionFollower) == 0

    found = chat(":as bob", "/kb search etcd certificates")
    assert "How do I rotate the etcd certificates?" in found and "asked by a former colleague" in found
    assert "We mirror through harbor" in chat("/kb search harbor pull-through cache")
    assert "answer 2 by a former colleague" in chat("/kb search registry mirror")
    dutch = chat(":as dirk nl", "/kb zoek etcd certificates")
    assert "een oud-collega" in dutch and "former colleague" not in dutch
    # Nobody is invited or ranked as the placeholder: it is no one's expertise.
    assert "former colleague" not in chat(":as bob", "/experts docker")


def test_a_workspace_that_deletes_knowledge_on_erasure_deletes_her_questions_and_answers(
        sessions: sessionmaker[Session], settings: Settings, engine: Engine) -> None:
    chat = Chat(sessions, settings.model_copy(update={"admins": "alice"}))
    assert "erasure is now delete" in chat(":as alice", "/kb admin set erasure delete")
    wilhelminas_week(chat, sessions)
    shown = chat(":as wilhelmina", "/kb forget me")
    assert "and so are your questions and answers" in shown
    chat(f":click {chat.button('Yes, forget me', shown)}")
    assert traces(engine, "wilhelmina") == []
    assert _count(sessions, Question, Question.id == 1) == 0 and _count(sessions, Answer, Answer.id == 2) == 0
    assert _count(sessions, Answer, Answer.id == 1) == 0  # Bob's answer went with the question it answered
    assert _count(sessions, Question, Question.id == 2) == 1  # Bob's own question stays


def test_the_buttons_are_her_own_and_cancel_erases_nothing(chat: Chat, sessions: sessionmaker[Session]) -> None:
    chat(":as wilhelmina", "/expertise add kubernetes")
    shown = chat("/kb forget me")
    assert "Nothing was erased." in chat(f":click {chat.button('Cancel', shown)}")
    assert "for someone else" in chat(":as bob", f":click {chat.button('Yes, forget me', shown)}")
    assert _count(sessions, Person, Person.external_id == "wilhelmina") == 1
    assert _count(sessions, DeclaredExpertise) == 1
    dutch = chat(":as wilhelmina nl", "/kb vergeet mij")
    assert "Alles wissen wat kbbot over je bewaart?" in dutch and "een oud-collega" in dutch
    assert "Typ `/kb vergeet mij`" in chat("/kb vergeet iedereen")


def test_mentions_of_her_platform_id_in_colleagues_words_name_nobody_after_erasure(
        sessions: sessionmaker[Session], engine: Engine) -> None:
    with unit_of_work(sessions) as session:
        space = Workspace(platform="slack", external_id="T0ACME", name="Acme", settings={}, created_at=NOW)
        session.add(space)
        session.flush()
        her = Person(workspace_id=space.id, external_id="U0WILH42", display_name="Wilhelmina Vos", created_at=NOW)
        bob = Person(workspace_id=space.id, external_id="U0BOB77", display_name="Bob", created_at=NOW)
        channel = Conversation(workspace_id=space.id, external_id="C0GEN", name="general", kind="channel",
                               created_at=NOW)
        session.add_all([her, bob, channel])
        session.flush()
        question = Question(workspace_id=space.id, conversation_id=channel.id, asker_id=bob.id, status="open",
                            text="Can <@U0WILH42> explain the etcd backup?", created_at=NOW, updated_at=NOW)
        session.add(question)
        session.flush()
        session.add(Answer(question_id=question.id, author_id=bob.id, conversation_id=channel.id, message_id="1.2",
                           text="U0WILH42 wrote the runbook: etcdctl snapshot save", created_at=NOW))
        session.flush()
        erased = erasure.forget(session, her, NOW)
    assert erased.counts["questions.text (mention)"] == 1 and erased.counts["answers.text (mention)"] == 1
    assert traces(engine, "U0WILH42", "Wilhelmina") == []
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Question.text)).one() == "Can @a former colleague explain the etcd backup?"
        assert session.scalars(select(Answer.text)).one() == "@a former colleague wrote the runbook: etcdctl snapshot save"


def test_the_operator_erases_a_person_from_the_command_line_after_saying_what_it_will_do(
        chat: Chat, sessions: sessionmaker[Session], settings: Settings, engine: Engine,
        capsys: pytest.CaptureFixture[str]) -> None:
    wilhelminas_week(chat, sessions)

    def run(*argv: str) -> int:
        return cli.main(["--database-url", settings.database_url, *argv],
                        settings_factory=lambda **kw: Settings(_env_file=None, **kw))

    assert run("people", "forget", "wilhelmina") == 2
    assert "Run again with --yes" in capsys.readouterr().out
    assert traces(engine, "wilhelmina")
    assert run("people", "forget", "nobody-here", "--yes") == 2
    assert "unknown person: nobody-here" in capsys.readouterr().err
    assert run("people", "forget", "wilhelmina", "--yes") == 0
    printed = capsys.readouterr().out
    assert "Erased Wilhelmina" in printed and "declared_expertise.person_id: 1" in printed
    assert traces(engine, "wilhelmina") == []
    assert run("audit") == 0
    assert "operator  forget" in capsys.readouterr().out


def test_her_queued_events_and_replies_are_dropped_but_a_colleagues_queued_message_is_kept(
        sessions: sessionmaker[Session], engine: Engine) -> None:
    from kbbot.contract.events import Actor, MessagePosted, Place
    from kbbot.pipeline import inbox
    from kbbot.store.models import InboundEvent, OutboxReply

    def message(event_id: str, who: str, text: str) -> MessagePosted:
        return MessagePosted(platform="slack", workspace_id="T0ACME", event_id=event_id,
                             actor=Actor(id=who, name="Wilhelmina Vos" if who == "U0WILH42" else "Bob"),
                             conversation=Place(id="C0GEN", kind="channel"), message_id=event_id, text=text)

    with unit_of_work(sessions) as session:
        space = Workspace(platform="slack", external_id="T0ACME", name="Acme", settings={}, created_at=NOW)
        session.add(space)
        session.flush()
        her = Person(workspace_id=space.id, external_id="U0WILH42", display_name="Wilhelmina Vos", created_at=NOW)
        session.add(her)
        session.add(OutboxReply(position=0, platform="slack", workspace_id="T0ACME", status="sending",
                                reply={"text": "hi", "to": {"to": "dm", "person_id": "U0WILH42"}}, due_at=NOW,
                                created_at=NOW))
    assert inbox.accept(sessions, message("Ev1", "U0WILH42", "my own words"), NOW)
    assert inbox.accept(sessions, message("Ev2", "U0BOB77", "ask <@U0WILH42> about etcd"), NOW)
    with unit_of_work(sessions) as session:
        her = session.scalars(select(Person).where(Person.external_id == "U0WILH42")).one()
        done = erasure.forget(session, her, NOW)
    assert done.counts["inbound_events (queued)"] == 1 and done.counts["outbox"] == 1
    with unit_of_work(sessions) as session:
        assert session.scalars(select(InboundEvent.event_key)).all() == ["Ev2"]  # Bob's, handled as usual
        assert session.scalars(select(OutboxReply)).all() == []
