"""Tags in the database: aliases resolved, rows created on first use."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kbbot.services.directory import get_or_create
from kbbot.store.models import Tag, TagAlias
from kbbot.text.tags import normalise


def canonical(session: Session, name: str) -> str | None:
    """The tag name ``name`` stands for once normalised and de-aliased (``K8s`` → ``kubernetes``)."""
    normal = normalise(name)
    if normal is None:
        return None
    alias = session.get(TagAlias, normal)
    return alias.tag_name if alias else normal


def ensure(session: Session, names: Iterable[str]) -> list[Tag]:
    """Tag rows for ``names`` (created if new), de-duplicated after aliasing, in the given order."""
    wanted = list(dict.fromkeys(c for c in (canonical(session, n) for n in names) if c))
    return [get_or_create(session, Tag, {"name": name}, {}) for name in wanted]


def find(session: Session, name: str) -> Tag | None:
    """The existing tag ``name`` stands for, or ``None``; never creates one (lookups must not grow the tag list)."""
    resolved = canonical(session, name)
    return session.scalars(select(Tag).where(Tag.name == resolved)).first() if resolved else None
