"""The knowledge model as typed SQLAlchemy 2.x tables.

Unique constraints carry idempotency: a platform that delivers the same event,
message or reaction twice hits a key that already exists, so a repeat changes
nothing even when two processes race. The schema itself is created only by the
Alembic migrations in ``migrations/``; these classes must match them (a test
compares the two).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, backref, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base; its metadata is what Alembic compares against."""


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native ENUM) so adding a member is a code
    # change, not a schema migration, on both SQLite and PostgreSQL.
    return Enum(cls, name=name, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class ConversationKind(str, enum.Enum):
    CHANNEL = "channel"
    PRIVATE = "private"
    DM = "dm"
    GROUP = "group"


class QuestionStatus(str, enum.Enum):
    OPEN = "open"
    ANSWERED = "answered"
    ACCEPTED = "accepted"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"  # taken back by the asker: kept with its answers, shown nowhere


class FlagKind(str, enum.Enum):
    OUTDATED = "outdated"
    INCORRECT = "incorrect"


class DraftStatus(str, enum.Enum):
    PENDING = "pending"
    POSTED = "posted"
    RESOLVED = "resolved"


class Workspace(Base):
    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_workspaces_platform_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(200))
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set when kbbot was uninstalled there: nothing is sent until it is installed again.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The latest time kbbot was known to be there again (installed, or used after a removal), so that
    # a removal notice handled late, after a reinstall, cannot undo the reinstall.
    installed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("workspace_id", "external_id", name="uq_people_workspace_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    prompts_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set once the person chose a language or timezone themselves, so a
    # platform profile refresh never overrides an explicit choice.
    locale_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    timezone_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    profile_refreshed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # As for a workspace, for one person who removed kbbot from their own chat (Teams' personal scope):
    # nothing is sent to them until they add it again.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    installed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Issue 19: a guest account (a retired colleague kept as a guest expert) sees only the conversations it
    # is a member of (kbbot/store/visibility.py); ``left_at``: the platform said they left the organisation.
    is_guest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    workspace: Mapped[Workspace] = relationship()


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("workspace_id", "external_id", name="uq_conversations_workspace_external"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[ConversationKind] = mapped_column(_enum(ConversationKind, "conversation_kind"))
    # When ``kind`` last changed, by the time of the evidence that changed it; None: never seen to
    # change. Older evidence may narrow the kind but never widen it (kbbot/services/directory.py).
    kind_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The language set for it (``/kb channel language``); None: its members' (kbbot/services/language.py).
    locale: Mapped[str | None] = mapped_column(String(8))

    workspace: Mapped[Workspace] = relationship()


class Membership(Base):
    """A person known to be in a conversation: the basis of every visibility check."""

    __tablename__ = "memberships"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)


class TagAlias(Base):
    """Another spelling of a tag (``k8s`` for ``kubernetes``), kept as data so admins can add more."""

    __tablename__ = "tag_aliases"

    alias: Mapped[str] = mapped_column(String(64), primary_key=True)
    tag_name: Mapped[str] = mapped_column(String(64))


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("conversation_id", "message_id", name="uq_questions_conversation_message"),
        Index("ix_questions_workspace_status", "workspace_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    # The platform's id of the message that carries the question, known once posted: the root of the
    # thread its answers arrive in.
    message_id: Mapped[str | None] = mapped_column(String(128))
    # The card's own id where it is not that root (a card posted as the first reply under the asker's
    # own post): what replacing the card in place must update.
    card_id: Mapped[str | None] = mapped_column(String(128))
    # Kept even for anonymous questions so the asker can accept and be told of
    # answers; never rendered, exported or counted publicly when is_anonymous.
    asker_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    is_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[QuestionStatus] = mapped_column(_enum(QuestionStatus, "question_status"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    conversation: Mapped[Conversation] = relationship()
    asker: Mapped[Person] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary="question_tags", order_by="Tag.name")
    # The database cascades deletes (ON DELETE CASCADE); the ORM must not try to null the keys first.
    answers: Mapped[list[Answer]] = relationship(back_populates="question", order_by="Answer.id",
                                                 passive_deletes=True)


class QuestionTag(Base):
    __tablename__ = "question_tags"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)


class QuestionFollower(Base):
    """Someone with the same question ("me too"): told when it gets an accepted answer.

    Following is never shown by name, so it is as safe as reading.
    """

    __tablename__ = "question_followers"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Draft(Base):
    """A question held back while its asker looks at similar existing answers."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    is_anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[DraftStatus] = mapped_column(_enum(DraftStatus, "draft_status"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuestionMessage(Base):
    """Another message of kbbot's that stands for a question: replying to it is answering the question.

    Where a conversation has no threads (Teams group chats) people answer by
    quoting a message, and the experts kbbot brought in quote the invitation
    that mentioned them, not the card above it.
    """

    __tablename__ = "question_messages"
    __table_args__ = (UniqueConstraint("question_id", "message_id", name="uq_question_messages_question_message"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(128), index=True)


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("conversation_id", "message_id", name="uq_answers_conversation_message"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    is_accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    question: Mapped[Question] = relationship(back_populates="answers")
    author: Mapped[Person] = relationship()
    votes: Mapped[list[Vote]] = relationship(passive_deletes=True)
    flags: Mapped[list[Flag]] = relationship(passive_deletes=True)


class AnswerRevision(Base):
    """The text an answer had before an edit or a deletion: the knowledge base's memory."""

    __tablename__ = "answer_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    change: Mapped[str] = mapped_column(String(16))  # "edit" or "delete"
    previous_text: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Vote(Base):
    __tablename__ = "votes"

    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Flag(Base):
    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("answer_id", "person_id", "kind", name="uq_flags_answer_person_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[FlagKind] = mapped_column(_enum(FlagKind, "flag_kind"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeclaredExpertise(Base):
    """A tag a person says they know; earned expertise is derived from answers instead."""

    __tablename__ = "declared_expertise"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Activity(Base):
    """Who asked, answered, voted, searched or read what: the consume/contribute/create picture."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_person_kind", "person_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class SharedPost(Base):
    """A working-out-loud answer: what someone worked on, learned or got stuck on this week.

    ``conversation_id`` is the team channel it was shared with; ``None`` means
    "just for me", and such a post is never shown to anyone but its author.
    Shared posts feed digests, search and (through their tags) expertise.
    """

    __tablename__ = "shared_posts"
    __table_args__ = (UniqueConstraint("workspace_id", "source_key", name="uq_shared_posts_workspace_source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id", ondelete="SET NULL"))
    # The platform message (or prompt period) the post came from, so a repeat is recognised.
    source_key: Mapped[str] = mapped_column(String(255))
    period: Mapped[str | None] = mapped_column(String(16))  # ISO week, e.g. "2026-W48"
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)

    author: Mapped[Person] = relationship()
    conversation: Mapped[Conversation | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary="shared_post_tags", order_by="Tag.name")


class SharedPostTag(Base):
    __tablename__ = "shared_post_tags"

    post_id: Mapped[int] = mapped_column(ForeignKey("shared_posts.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)


class InboundEvent(Base):
    """Every platform delivery, keyed by the platform's own id, so a repeat is recognised."""

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("platform", "event_key", name="uq_inbound_events_platform_key"),
        # Workers look for pending events oldest first, among the handled keys of the last week
        # (millions at a steady rate): an index of only the pending ones stays as small as the backlog.
        Index("ix_inbound_events_pending", "id", postgresql_where=text("status = 'pending'"),
              sqlite_where=text("status = 'pending'")),
        # Parked events, for `kbbot status`: a probe every minute must not scan a week of handled keys.
        Index("ix_inbound_events_failed", "received_at", postgresql_where=text("status = 'failed'"),
              sqlite_where=text("status = 'failed'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    event_key: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
    # What the adapter needs to answer after the ack (Slack's response_url, who acted where);
    # dropped with the payload once the event is handled.
    context: Mapped[dict | None] = mapped_column(JSON)


class OutboxReply(Base):
    """A reply the core produced, kept in the transaction that produced it until it is delivered.

    ``status`` is ``sending`` from the moment it is stored: the process that
    stored it owns it (``owner``) until ``due_at``; after that, any replica's
    sweep may take it over. Every change is a compare-and-set on ``owner``,
    so a process whose lease ran out cannot overwrite another's outcome.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inbound_event_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_events.id", ondelete="SET NULL"),
                                                         index=True)
    position: Mapped[int] = mapped_column(Integer)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(128))
    reply: Mapped[dict] = mapped_column(JSON)
    context: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str | None] = mapped_column(String(36))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)


class PlatformAddress(Base):
    """Where a platform lets kbbot write on its own initiative, as the adapter captured it.

    Some platforms (Teams) accept a proactive message only with an address
    taken from an earlier event: a service URL, the conversation, the bot's
    account. The core keeps them without reading them (``address`` is the
    adapter's JSON), one per person (``scope="person"``) or conversation
    (``scope="conversation"``), through :mod:`kbbot.pipeline.addresses`.
    """

    __tablename__ = "platform_addresses"
    __table_args__ = (
        UniqueConstraint("platform", "workspace_id", "scope", "key",
                         name="uq_platform_addresses_platform_workspace_scope_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(255))
    conversation_id: Mapped[str] = mapped_column(String(255))
    address: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LiveProcess(Base):
    """A kbbot process that may own outbox leases, with the last time it said it was alive.

    Its ``name`` starts every lease owner it writes (kbbot/pipeline/liveness.py),
    so a sweep can tell a lease whose owner died from one still being worked on.
    """

    __tablename__ = "live_processes"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    pid_space: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    beating_since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# -- Threads saved as knowledge, newcomers welcomed (issue 14) ---------------------------------------


class SavedThread(Base):
    """A question someone saved from a thread with "Save to kbbot": who saved it, and the link back.

    The question itself is keyed by its conversation and its thread's root
    message (``uq_questions_conversation_message``), so saving the same thread
    again finds it and updates it; this row says it came from a saved thread.
    """

    __tablename__ = "saved_threads"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    saved_by_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    link: Mapped[str | None] = mapped_column(String(1000))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    saved_by: Mapped[Person] = relationship()


class Welcome(Base):
    """A person kbbot greeted: the primary key makes it once, even when two processes see them join at once."""

    __tablename__ = "welcomes"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    greeted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
# --- Expert routing: invitations, ping budgets and the escalation ladder (issue 13) ---------------------------


class InvitationState(str, enum.Enum):
    WAITING = "waiting"      # recorded, waits for the expert's working hours (``due_at``)
    SENT = "sent"            # shown to the expert, no answer to it yet
    CLAIMED = "claimed"      # "I'll take it"
    DECLINED = "declined"    # "Not me"
    SNOOZED = "snoozed"      # shown again at ``due_at``
    CANCELLED = "cancelled"  # the question was settled before a waiting invitation went out


class Invitation(Base):
    """One expert asked to help with one question: at most once per question and person.

    Quiet hours and snoozing are only a ``due_at`` the routing round honours;
    ``period`` is the week whose ping budget the invitation counts against.
    """

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("question_id", "person_id", name="uq_invitations_question_person"),
        Index("ix_invitations_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    step: Mapped[int] = mapped_column(Integer)
    state: Mapped[InvitationState] = mapped_column(_enum(InvitationState, "invitation_state"))
    via: Mapped[str] = mapped_column(String(8))  # "thread" or "dm"
    period: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    question: Mapped[Question] = relationship()
    person: Mapped[Person] = relationship()


class PingCount(Base):
    """Invitations a person was given in one week (their own ISO week): what the budget is checked against.

    Raised with a conditional update (``used < budget``) in the transaction
    that records the invitation, so concurrent askers can never push it over.
    """

    __tablename__ = "ping_counts"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    used: Mapped[int] = mapped_column(Integer, default=0)


class RoutingPreference(Base):
    """A person's own ping budget (``/kb settings pings N``; 0: never invite me)."""

    __tablename__ = "routing_preferences"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    pings_per_week: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoutingStep(Base):
    """A ladder step taken for a question: the primary key makes each step happen once, whoever runs it."""

    __tablename__ = "routing_steps"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    step: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    taken_by: Mapped[str | None] = mapped_column(String(128))


class RoutingSettings(Base):
    """A workspace's own ladder and working hours; a ``None`` field keeps the operator's default (KBBOT_ROUTING_*)."""

    __tablename__ = "routing_settings"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    first_invites: Mapped[int | None] = mapped_column(Integer)
    second_after_hours: Mapped[float | None] = mapped_column(Float)
    second_invites: Mapped[int | None] = mapped_column(Integer)
    repost_after_days: Mapped[float | None] = mapped_column(Float)
    repost_channel: Mapped[str | None] = mapped_column(String(200))
    tag_channels: Mapped[dict | None] = mapped_column(JSON)
    tell_after_days: Mapped[float | None] = mapped_column(Float)
    claim_pause_hours: Mapped[float | None] = mapped_column(Float)
    pings_per_week: Mapped[int | None] = mapped_column(Integer)
    work_start: Mapped[str | None] = mapped_column(String(5))
    work_end: Mapped[str | None] = mapped_column(String(5))
    work_days: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
# --- Issue 19: knowledge that stays true (answer owners, verification, re-checks by use) -------------------


class AnswerCare(Base):
    """Who looks after an answer and how it stands: owner, last "still right", retirement.

    No row means the defaults: its author owns it, nobody verified it, it is
    not retired. ``owner_id`` None (the owner's row was deleted) also falls
    back to the author. See :mod:`kbbot.services.verification`.
    """

    __tablename__ = "answer_care"

    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    owner_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # "handover" (``/kb owner``) or "left" (the previous owner left): the latter is told in the weekly batch.
    handed_over_because: Mapped[str | None] = mapped_column(String(16))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # The owner chose "Update" in a re-check: their next reply in the question's thread replaces this answer.
    update_asked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    answer: Mapped[Answer] = relationship(backref=backref("care", uselist=False, passive_deletes=True))
    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id])
    verified_by: Mapped[Person | None] = relationship(foreign_keys=[verified_by_id])


class TagVerificationInterval(Base):
    """A tag's own re-check interval in days in one workspace, overriding ``Settings.verification_interval_days``.

    Per workspace: tags are shared by every workspace kbbot serves, an admin's choice is not.
    """

    __tablename__ = "tag_verification_intervals"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnswerShowing(Base):
    """A due or flagged answer shown to someone (suggestion, search hit, digest): counted, never who saw it."""

    __tablename__ = "answer_showings"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    surface: Mapped[str] = mapped_column(String(16))
    was_due: Mapped[bool] = mapped_column(Boolean)
    was_flagged: Mapped[bool] = mapped_column(Boolean)
    shown_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class RecheckReminder(Base):
    """An owner's weekly re-check reminder: one per person and ISO week, whichever process builds it.

    ``delivery_id`` is the scheduled delivery (digest or re-check message) that
    carries it, so a retry of that delivery carries it again.
    """

    __tablename__ = "recheck_reminders"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    delivery_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
# Web knowledge base: sign-in (issue 16, migration 0020)


class WebSignIn(Base):
    """An OpenID Connect sign-in started from the web: its callback may use it once, within minutes.

    Kept in the database, not in memory, so a callback that reaches another
    replica still finds it and a replayed callback finds it used.
    """

    __tablename__ = "web_sign_ins"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(16))
    nonce: Mapped[str] = mapped_column(String(64))
    code_verifier: Mapped[str] = mapped_column(String(128))
    return_to: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PersonDirectoryId(Base):
    """A person's id in their organisation's directory, where chat gives one beside the platform's own id."""

    __tablename__ = "person_directory_ids"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    directory_id: Mapped[str] = mapped_column(String(128), index=True)
# --- Importing a chat history from an export (issue 14) ---


class ImportRun(Base):
    """One ``kbbot import`` into a workspace: where it read from, when, and what it did (its summary)."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    summary: Mapped[dict] = mapped_column(JSON, default=dict)


class ImportedThread(Base):
    """A thread read from an export, by its conversation and first message, with a fingerprint of what it held.

    Reading the same thread again (the same export twice, or a later export
    that overlaps) finds the same fingerprint and changes nothing; a thread
    that grew since is merged, adding only what is new. ``question_id`` is
    None where the thread did not start with a question, or where the
    question has since been deleted: either way it is not created again.
    """

    __tablename__ = "imported_threads"
    __table_args__ = (
        UniqueConstraint("conversation_id", "message_id", name="uq_imported_threads_conversation_message"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(128))
    fingerprint: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id", ondelete="SET NULL"), index=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_message_id: Mapped[str | None] = mapped_column(String(128))
    """The reply an import marked accepted, once: if the asker takes that back in kbbot, no later export redoes it."""


class ImportedVote(Base):
    """A vote an import took from a reaction: taken once, never again, whatever later exports still show.

    A later export that overlaps an earlier one carries the same reactions.
    Someone who withdrew that vote in kbbot since (removed the 👍 live, or
    ``/kb upvote`` taken back) must not find it back after the next import,
    so the import adds a reaction's vote only if it never applied it before.
    """

    __tablename__ = "imported_votes"

    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True)


class ErasureKey(Base):
    """A workspace's random key for the keyed hashes in ``erased_people``, made at its first erasure."""

    __tablename__ = "erasure_keys"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class ErasedPerson(Base):
    """That someone with a platform id was erased from a workspace, kept as a keyed hash of the id only.

    Imports of history look here so that an old export does not bring an
    erased person back (kbbot/privacy/erased.py says why the id is hashed
    and keyed). No person id, no name: nothing here says who it was.
    """

    __tablename__ = "erased_people"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- Issue 18: admin in chat, audit log, erasure and retention -------------------------------------------


class AuditEntry(Base):
    """One change an admin or an operator made, or one person's erasure: who, when, what, before and after.

    ``person_id`` is who acted in chat (``None`` for the operator's command
    line, ``actor`` says which); an erased actor is repointed to the
    workspace's "former colleague", like their answers.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(32))  # "chat" or "operator"
    action: Mapped[str] = mapped_column(String(32))  # "setting", "forget", "export", "admin"
    key: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[dict | list | str | int | bool | None] = mapped_column(JSON)
    new_value: Mapped[dict | list | str | int | bool | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class WorkspaceAdmin(Base):
    """Someone the platform says administers the workspace (Slack's admin/owner flags), or a team owner.

    ``KBBOT_ADMINS`` is read from the settings at each check instead, so that an
    operator removing an id takes effect without a database change.
    """

    __tablename__ = "workspace_admins"

    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # "platform" or "team_owner"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
