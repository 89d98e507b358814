"""Who and where: workspaces, people, conversations and memberships, upserted from events.

Two replicas can see the same new person at once; rows are inserted inside a
savepoint and, when the unique key already exists, read back instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol, TypeVar

from sqlalchemy import Select, and_, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kbbot.clock import as_utc
from kbbot.contract.events import Actor, Place
from kbbot.store.models import Base, Conversation, ConversationKind, Membership, Person, PersonDirectoryId, Workspace

Model = TypeVar("Model", bound=Base)
SUPPORTED_LOCALES = ("en", "nl")


@lru_cache(maxsize=64)
def _lookup(model: type[Base], names: tuple[str, ...]) -> Select[Any]:
    """``SELECT … WHERE a = :a AND b = :b`` built once per model and key set.

    Every event looks up its workspace, person, conversation and membership;
    building those expressions afresh each time was a measurable share of the
    per-event cost under load (see bench/slack_http.py).
    """
    return select(model).where(*(getattr(model, name) == bindparam(name) for name in names))


def get_or_create(session: Session, model: type[Model], keys: dict[str, Any], defaults: dict[str, Any]) -> Model:
    """Row with ``keys``, created with ``defaults`` if missing; safe against concurrent creators."""
    query = _lookup(model, tuple(sorted(keys)))
    found = session.scalars(query, keys).first()
    if found is not None:
        return found
    try:
        with session.begin_nested():
            row = model(**keys, **defaults)
            session.add(row)
        return row
    except IntegrityError:
        return session.scalars(query, keys).one()


def platform_locale(hint: str | None) -> str | None:
    """``nl-NL``, ``nl_BE``, ``nl`` → ``nl``; English variants → ``en``; others unknown."""
    if not hint:
        return None
    language = hint.replace("_", "-").split("-", 1)[0].casefold()
    return language if language in SUPPORTED_LOCALES else None


def workspace(session: Session, platform: str, external_id: str, name: str | None, now: datetime) -> Workspace:
    """The workspace row for a platform's team or tenant, created on first contact."""
    return get_or_create(
        session, Workspace, {"platform": platform, "external_id": external_id},
        {"name": name, "settings": {}, "created_at": now},
    )


class Presence(Protocol):
    """A workspace, or one person's own chat with kbbot: somewhere kbbot can be removed from."""

    removed_at: datetime | None
    installed_at: datetime | None


def installed(row: Presence, present: bool, at: datetime) -> None:
    """Record that kbbot was installed (``present``) or removed at ``at``.

    Both are kept as times, not a flag: a notice handled late (a platform's
    retry, a backlog, another process) is weighed against what is already
    known, so an old removal cannot undo a newer reinstall, nor the reverse.
    """
    at = as_utc(at)
    if present:
        seen_present(row, at)
    elif row.installed_at is None or at > as_utc(row.installed_at):
        if row.removed_at is None or at > as_utc(row.removed_at):
            row.removed_at = at


def seen_present(row: Presence, at: datetime) -> None:
    """kbbot was there at ``at`` (installed, or someone used it): a removal before that is over."""
    at = as_utc(at)
    if row.installed_at is None or at > as_utc(row.installed_at):
        row.installed_at = at
    if row.removed_at is not None and at > as_utc(row.removed_at):
        row.removed_at = None


def person(session: Session, space: Workspace, actor: Actor, now: datetime, default_tz: str,
           default_locale: str = "en") -> Person:
    """The person behind ``actor``, with the platform's profile hints applied unless they chose otherwise."""
    row = get_or_create(
        session, Person, {"workspace_id": space.id, "external_id": actor.id},
        {
            "display_name": actor.name, "locale": platform_locale(actor.locale) or default_locale,
            "timezone": actor.timezone or default_tz, "prompts_enabled": True, "digest_enabled": True,
            "is_active": True, "is_bot": actor.is_bot, "locale_chosen": False, "timezone_chosen": False,
            "created_at": now, "is_guest": bool(actor.is_guest),
        },
    )
    _refresh_person(row, actor)
    if actor.directory_id:
        _remember_directory_id(session, row, actor.directory_id)
    return row


def _remember_directory_id(session: Session, row: Person, directory_id: str) -> None:
    """Keep the person's directory id (what a web sign-in through that directory names them by)."""
    if row.id is None:
        session.flush([row])
    known = session.get(PersonDirectoryId, row.id)
    if known is None:
        get_or_create(session, PersonDirectoryId, {"person_id": row.id}, {"directory_id": directory_id})
    elif known.directory_id != directory_id:
        known.directory_id = directory_id


def _refresh_person(row: Person, actor: Actor) -> None:
    if actor.name and row.display_name != actor.name:
        row.display_name = actor.name
    if not row.locale_chosen and (locale := platform_locale(actor.locale)) and row.locale != locale:
        row.locale = locale
    if not row.timezone_chosen and actor.timezone and row.timezone != actor.timezone:
        row.timezone = actor.timezone
    if actor.is_guest is not None and row.is_guest != actor.is_guest:
        row.is_guest = actor.is_guest  # a guest sees only their own conversations (kbbot/store/visibility.py)


def conversation(session: Session, space: Workspace, place: Place, now: datetime) -> Conversation:
    """The conversation behind ``place``.

    Only a payload that states the kind may change it (a channel made private,
    or the reverse, changes who may see its questions from then on). One that
    does not say keeps what was known, and a conversation first met that way
    counts as private until the platform says otherwise: guessing "public"
    could show a private channel's knowledge to everyone. See
    :func:`_refresh_conversation` for evidence that arrives out of order.
    """
    row = get_or_create(
        session, Conversation, {"workspace_id": space.id, "external_id": place.id},
        {"name": place.name, "kind": ConversationKind(place.kind or ConversationKind.PRIVATE.value),
         "kind_changed_at": as_utc(place.kind_as_of) if place.kind and place.kind_as_of else None,
         "created_at": now},
    )
    _refresh_conversation(row, place, now)
    return row


def _refresh_conversation(row: Conversation, place: Place, now: datetime) -> None:
    """Apply what ``place`` says, weighed against when the kind last changed.

    Events arrive out of order (a platform's retry, a backlog), and an old one
    still describes the conversation as it was. So a kind that widens
    visibility (to a public channel) is taken only from evidence dated after
    the last change; older or undated evidence may only narrow it. Narrowing
    always applies, dated by its evidence or, undated, by ``now``: the safe
    side, since a private question shown to outsiders cannot be taken back.
    """
    if place.name and row.name != place.name:
        row.name = place.name
    if place.kind is None or row.kind.value == place.kind:
        return
    changed = as_utc(row.kind_changed_at) if row.kind_changed_at is not None else None
    as_of = as_utc(place.kind_as_of) if place.kind_as_of is not None else None
    if place.kind == ConversationKind.CHANNEL.value:
        if changed is not None and (as_of is None or as_of <= changed):
            return  # old news: the conversation was made what it is after this was said
        row.kind_changed_at = as_of
    else:
        at = as_of or as_utc(now)
        row.kind_changed_at = at if changed is None or at > changed else changed
    row.kind = ConversationKind(place.kind)


@dataclass(frozen=True)
class Whereabouts:
    """Who acts where: the rows every event starts from."""

    workspace: Workspace
    person: Person
    conversation: Conversation
    is_member: bool


@lru_cache(maxsize=1)
def _whereabouts_query() -> Select[Any]:
    """Workspace, person, conversation and membership in one statement, built once."""
    return (select(Workspace, Person, Conversation, Membership)
            .select_from(Workspace)
            .outerjoin(Person, and_(Person.workspace_id == Workspace.id, Person.external_id == bindparam("actor")))
            .outerjoin(Conversation, and_(Conversation.workspace_id == Workspace.id,
                                          Conversation.external_id == bindparam("place")))
            .outerjoin(Membership, and_(Membership.conversation_id == Conversation.id,
                                        Membership.person_id == Person.id))
            .where(Workspace.platform == bindparam("platform"), Workspace.external_id == bindparam("space")))


def whereabouts(session: Session, platform: str, space_id: str, space_name: str | None, actor: Actor, place: Place,
                now: datetime, default_tz: str, default_locale: str = "en") -> Whereabouts:
    """The workspace, person and conversation of an event, created on first contact.

    Nearly every event comes from people and places already known, so they
    are read in one query; four lookups, one per row, were a third of the
    work per event (bench/slack_http.py). Anything missing is made the
    usual way, safe against concurrent creators.
    """
    found = session.execute(_whereabouts_query(), {"platform": platform, "space": space_id, "actor": actor.id,
                                                   "place": place.id}).first()
    if found is not None and found[1] is not None and found[2] is not None:
        space, who, where, member = found
        _refresh_person(who, actor)
        _refresh_conversation(where, place, now)
        return Whereabouts(space, who, where, member is not None)
    space = workspace(session, platform, space_id, space_name, now)
    who = person(session, space, actor, now, default_tz, default_locale)
    where = conversation(session, space, place, now)
    return Whereabouts(space, who, where, False)


def join(session: Session, where: Conversation, who: Person, now: datetime) -> None:
    """Record that ``who`` is in ``where``: acting in a conversation proves membership."""
    get_or_create(session, Membership, {"conversation_id": where.id, "person_id": who.id}, {"since": now})


def sync_members(session: Session, space: Workspace, where: Conversation, member_ids: list[str], now: datetime,
                 default_tz: str) -> None:
    """Make the known members of ``where`` exactly ``member_ids``; leavers lose visibility at once."""
    wanted = {person(session, space, Actor(id=member), now, default_tz).id for member in dict.fromkeys(member_ids)}
    current = set(session.scalars(select(Membership.person_id).where(Membership.conversation_id == where.id)))
    for person_id in current - wanted:
        session.delete(session.get(Membership, (where.id, person_id)))
    for person_id in wanted - current:
        session.add(Membership(conversation_id=where.id, person_id=person_id, since=now))
