"""Stored Teams conversation references: the addresses proactive messages need.

Teams lets a bot message a person or a channel on its own initiative only
with a *conversation reference* (service URL, conversation id, bot and
tenant) captured from an earlier activity. One row is kept per person
(their personal chat with the bot) and per conversation (a channel, group
chat or personal chat), refreshed whenever the bot hears from it again, so
the scheduler can send prompts and digests days later.

The table belongs to the Teams adapter; migration ``0005`` creates it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import JSON, DateTime, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from kbbot.store.models import Base

Scope = Literal["person", "conversation"]
PERSON: Scope = "person"
CONVERSATION: Scope = "conversation"


class TeamsConversationReference(Base):
    """Where to reach a person (``scope="person"``, key = ``29:`` user id) or a conversation (key = its id)."""

    __tablename__ = "teams_conversation_references"
    __table_args__ = (
        UniqueConstraint("tenant_id", "scope", "key", name="uq_teams_conversation_references_tenant_scope_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(255))
    # The conversation to post to: a personal chat ``a:…``, a channel ``19:…@thread.tacv2`` (no ``;messageid=``).
    conversation_id: Mapped[str] = mapped_column(String(255))
    service_url: Mapped[str] = mapped_column(String(512))
    # The full ConversationReference as botbuilder serialises it (camelCase JSON).
    reference: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def remember(session: Session, tenant_id: str, scope: Scope, key: str, conversation_id: str, service_url: str,
             reference: dict[str, Any], now: datetime) -> bool:
    """Insert or refresh one reference; True when it is new. Safe when two replicas store it at once."""
    row = find(session, tenant_id, scope, key)
    if row is None:
        try:
            with session.begin_nested():
                session.add(TeamsConversationReference(
                    tenant_id=tenant_id, scope=scope, key=key, conversation_id=conversation_id,
                    service_url=service_url, reference=reference, created_at=now, updated_at=now))
            return True
        except IntegrityError:
            row = find(session, tenant_id, scope, key)
            if row is None:  # pragma: no cover - the conflicting row vanished again
                raise
    if (row.conversation_id, row.service_url, row.reference) != (conversation_id, service_url, reference):
        row.conversation_id = conversation_id
        row.service_url = service_url
        row.reference = reference
        row.updated_at = now
    return False


def find(session: Session, tenant_id: str, scope: Scope, key: str) -> TeamsConversationReference | None:
    return session.scalars(select(TeamsConversationReference).where(
        TeamsConversationReference.tenant_id == tenant_id, TeamsConversationReference.scope == scope,
        TeamsConversationReference.key == key)).first()


def any_in_tenant(session: Session, tenant_id: str) -> TeamsConversationReference | None:
    """Some reference of the tenant: its service URL and bot account serve to open a new personal chat."""
    return session.scalars(select(TeamsConversationReference)
                           .where(TeamsConversationReference.tenant_id == tenant_id)
                           .order_by(TeamsConversationReference.updated_at.desc())).first()
