"""The "former colleague": one placeholder person per workspace that erased people's knowledge points to.

Questions and answers outlive the people who wrote them; after an erasure they
name nobody. The placeholder is inactive (no prompts, no digests, never
ranked as an expert) and shown as "a former colleague" in the reader's language.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from kbbot.i18n import t
from kbbot.store.models import Person

EXTERNAL_ID = "kbbot:former-colleague"


def is_placeholder(person: Person) -> bool:
    return person.external_id == EXTERNAL_ID


def label(person: Person, locale: str) -> str:
    """A person's name as shown; the placeholder's in ``locale``."""
    if is_placeholder(person):
        return t(locale, "privacy.former_colleague")
    return person.display_name or person.external_id


def former_colleague(session: Session, workspace_id: int, now: datetime) -> Person:
    """The workspace's placeholder, created on first erasure (safe against a concurrent creator)."""
    from kbbot.services.directory import get_or_create

    return get_or_create(session, Person, {"workspace_id": workspace_id, "external_id": EXTERNAL_ID},
                         {"display_name": None, "locale": "en", "timezone": "UTC", "prompts_enabled": False,
                          "digest_enabled": False, "is_active": False, "is_bot": False, "locale_chosen": True,
                          "timezone_chosen": True, "created_at": now})
