"""A small knowledge base for the web tests: public, private and anonymous questions, people and experts.

Stored through the ORM (the search index follows in the same transaction,
kbbot/search/sync.py), in one Slack-like workspace ``T1`` and one Teams-like
tenant, so both sign-in mappings have someone to find.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

import kbbot.search  # noqa: F401 - installs the index listener
from kbbot.store.db import unit_of_work
from kbbot.store.models import (
    Answer,
    Conversation,
    ConversationKind,
    DeclaredExpertise,
    Flag,
    FlagKind,
    Membership,
    Person,
    PersonDirectoryId,
    Question,
    QuestionStatus,
    Tag,
    Vote,
    Workspace,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ANONYMOUS_ASKER = "Dirk Geheimhouder"
"""The anonymous asker's name: it must appear in no page's HTML."""


@dataclass(frozen=True)
class Seeded:
    alice: int
    bob: int
    carol: int
    dirk: int
    erin: int
    public: int
    private: int
    anonymous: int
    open: int


def seed(sessions: sessionmaker[Session]) -> Seeded:
    with unit_of_work(sessions) as session:
        space = Workspace(platform="slack", external_id="T1", name="Acme", settings={}, created_at=NOW)
        tenant = Workspace(platform="teams", external_id="tenant-1", name="Acme (Teams)", settings={}, created_at=NOW)
        session.add_all([space, tenant])
        session.flush()

        def person(where: Workspace, external: str, name: str, locale: str = "en") -> Person:
            found = Person(workspace_id=where.id, external_id=external, display_name=name, locale=locale,
                           created_at=NOW)
            session.add(found)
            return found

        alice, bob = person(space, "U1", "Alice Jansen"), person(space, "U2", "Bob de Vries", "nl")
        carol, dirk = person(space, "U3", "Carol Buiten"), person(space, "U4", ANONYMOUS_ASKER)
        erin = person(tenant, "29:erin", "Erin Teams")
        general = Conversation(workspace_id=space.id, external_id="C1", name="general", kind=ConversationKind.CHANNEL,
                               created_at=NOW)
        secret = Conversation(workspace_id=space.id, external_id="G1", name="merger-room",
                              kind=ConversationKind.PRIVATE, created_at=NOW)
        session.add_all([general, secret])
        session.flush()
        session.add(PersonDirectoryId(person_id=erin.id, directory_id="oid-erin"))
        session.add_all([Membership(conversation_id=secret.id, person_id=p.id, since=NOW) for p in (alice, bob)])
        vpn, hr, printer = Tag(name="vpn"), Tag(name="hr"), Tag(name="printer")
        session.add_all([vpn, hr, printer])

        def ask(who: Person, where: Conversation, text: str, tags: list[Tag], days: int,
                anonymous: bool = False, status: QuestionStatus = QuestionStatus.ANSWERED) -> Question:
            found = Question(workspace_id=space.id, conversation_id=where.id, asker_id=who.id, is_anonymous=anonymous,
                             text=text, status=status, message_id=f"{days}.000100", created_at=NOW - timedelta(days=days),
                             updated_at=NOW - timedelta(days=days))
            found.tags = tags
            session.add(found)
            return found

        def answer(question: Question, who: Person, text: str, accepted: bool = False) -> Answer:
            found = Answer(question=question, author_id=who.id, conversation_id=question.conversation_id,
                           message_id=f"a{len(question.answers)}.{question.text[:5]}", text=text,
                           is_accepted=accepted, created_at=question.created_at + timedelta(hours=1))
            session.add(found)
            return found

        public = ask(alice, general, "How do I reset the VPN password on my laptop?", [vpn], 5,
                     status=QuestionStatus.ACCEPTED)
        private = ask(bob, secret, "When does the Globex merger close, and who signs the papers?", [], 4)
        anonymous = ask(dirk, general, "Is there a confidential counsellor for complaints about a manager?", [hr], 3,
                        anonymous=True)
        waiting = ask(carol, general, "Which printer on the third floor prints A3 posters?", [printer], 2,
                      status=QuestionStatus.OPEN)
        session.flush()
        best = answer(public, bob, "Open the self-service portal and choose Reset VPN password; it syncs in a minute.",
                      accepted=True)
        stale = answer(public, carol, "Call the helpdesk on extension 4000 and ask for a VPN reset.")
        answer(private, alice, "The Globex merger closes on 1 March; the CFO signs the papers.")
        answer(anonymous, alice, "Yes: the confidential counsellor is Mieke, reachable at counsellor@acme.example.")
        session.flush()
        session.add_all([Vote(answer_id=best.id, person_id=alice.id, created_at=NOW),
                         Vote(answer_id=best.id, person_id=carol.id, created_at=NOW),
                         Flag(answer_id=stale.id, person_id=alice.id, kind=FlagKind.OUTDATED, created_at=NOW)])
        session.add(DeclaredExpertise(person_id=bob.id, tag_id=vpn.id, created_at=NOW))
        session.add(DeclaredExpertise(person_id=alice.id, tag_id=printer.id, created_at=NOW))
        session.flush()
        return Seeded(alice=alice.id, bob=bob.id, carol=carol.id, dirk=dirk.id, erin=erin.id, public=public.id,
                      private=private.id, anonymous=anonymous.id, open=waiting.id)
