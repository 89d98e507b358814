"""What a scheduled delivery of each kind says: one registered builder per kind.

The ledger, pacing and retries (:mod:`kbbot.scheduler.delivery`) are the same
for every kind; only the message differs. A new weekly message is a
:func:`kind` builder here (and its moment in :mod:`kbbot.weekly.schedules`),
not another branch in the delivery round.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kbbot.contract.replies import Reply
from kbbot.scheduler.ledger import Wanted
from kbbot.services import digest, language, prompts, rechecks
from kbbot.store.models import Conversation, Person
from kbbot.store.scheduling import ChannelDigest
from kbbot.weekly.schedules import CHANNEL_DIGEST, DIGEST, PROMPT, RECHECK


@dataclass(frozen=True)
class Claimed:
    """One claimed delivery as a builder sees it: what is wanted, its ledger row, and its digest window."""

    wanted: Wanted
    delivery_id: int
    window: Callable[[], digest.Window]
    """The window a digest covers; reading it notes the window's start in the ledger, so only digests call it."""
    default_locale: str = "en"
    """The workspace's default language: a channel's digest falls back on it (kbbot/services/language.py)."""
    verification_days: int = 180
    """The operator's answer verification interval (``Settings.verification_interval_days``): when answers are due."""


Builder = Callable[[Session, Claimed], Reply | None]
"""The reply for one claimed delivery, or ``None`` when there is nothing to send (opted out, empty digest)."""

_BUILDERS: dict[str, Builder] = {}


def kind(name: str) -> Callable[[Builder], Builder]:
    """Register the builder of the scheduled kind ``name``."""

    def register(builder: Builder) -> Builder:
        if name in _BUILDERS:
            raise ValueError(f"scheduled kind {name!r} registered twice")
        _BUILDERS[name] = builder
        return builder

    return register


def builder(name: str) -> Builder:
    return _BUILDERS[name]


def names() -> list[str]:
    return sorted(_BUILDERS)


@kind(PROMPT)
def weekly_prompt(session: Session, claimed: Claimed) -> Reply | None:
    wanted = claimed.wanted
    person = session.get(Person, wanted.person_id)
    if person is None or not (person.is_active and person.prompts_enabled):
        return None
    if prompts.answered(session, person, wanted.period):
        return None
    return prompts.prompt_reply(person, wanted.variant or 0)


@kind(DIGEST)
def personal_digest(session: Session, claimed: Claimed) -> Reply | None:
    return personal_digests(session, [claimed])[0]


def personal_digests(session: Session, claimed: Sequence[Claimed]) -> list[Reply | None]:
    """Many claimed personal digests built together (set-based, :func:`kbbot.services.digest.personal_many`)."""
    replies: list[Reply | None] = [None] * len(claimed)
    wanted: list[tuple[int, digest.Recipient]] = []
    for number, one in enumerate(claimed):
        person = session.get(Person, one.wanted.person_id)
        if person is not None and person.is_active and person.digest_enabled:
            wanted.append((number, digest.Recipient(person, one.window(), one.delivery_id)))
    days = claimed[0].verification_days if claimed else 180
    for (number, _), reply in zip(wanted, digest.personal_many(session, [r for _, r in wanted],
                                                               verification_days=days)):
        replies[number] = reply
    return replies


@kind(CHANNEL_DIGEST)
def channel_digest(session: Session, claimed: Claimed) -> Reply | None:
    conversation = session.get(Conversation, claimed.wanted.conversation_id)
    subscription = session.get(ChannelDigest, claimed.wanted.conversation_id)
    if conversation is None or subscription is None or not subscription.enabled:
        return None
    locale = language.channel_locale(session, conversation, claimed.default_locale)  # not the requester's
    return digest.channel(session, conversation, locale, claimed.window(), claimed.delivery_id)


@kind(RECHECK)
def recheck(session: Session, claimed: Claimed) -> Reply | None:
    """The weekly re-check batch as a message of its own, for an owner who gets no digest."""
    wanted = claimed.wanted
    person = session.get(Person, wanted.person_id)
    if person is None or not person.is_active or person.left_at is not None or person.digest_enabled:
        return None  # a digest carries it (or they left)
    now = claimed.window().end
    found = rechecks.batches(session, [person], now, claimed.verification_days, own=[claimed.delivery_id])
    batch = found.get(person.id)
    if not batch or not rechecks.claim(session, person, wanted.period, claimed.delivery_id, now):
        return None
    return rechecks.message(batch)
