"""Per-tag settings of ``/kb admin``: where a tag's unanswered questions escalate, how often its answers are re-checked.

``/kb admin set escalation postgres #db-help`` (Dutch ``/kb beheer zet
escalatie postgres #db-help``) and ``/kb admin set verify-every postgres 90``
(``bevestig-elke``); ``reset`` takes the tag back to the workspace's default.
Each is stored where the feature reads it (the ladder's
:attr:`~kbbot.store.models.RoutingSettings.tag_channels`, the verification
rule's :class:`~kbbot.store.models.TagVerificationInterval`), so it takes
effect with the next routing round and the next look at an answer, and is
audited with the tag, its old value and its new one. Who may is checked by
:mod:`kbbot.services.admin` before anything here runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from kbbot.contract.replies import Item, Reply
from kbbot.privacy import audit
from kbbot.privacy.workspace_settings import channel_reader
from kbbot.routing.policy import policy
from kbbot.services import tagging, verification
from kbbot.services.directory import get_or_create
from kbbot.services.turn import Turn
from kbbot.store.models import Conversation, ConversationKind, RoutingSettings
from kbbot.text.tags import is_mention


@dataclass(frozen=True)
class TagSetting:
    name: str
    dutch: str
    key: str
    """The audit log's key; the entry's old and new values are ``{tag: value}``."""
    example: str


ESCALATION = TagSetting("escalation", "escalatie", "tag_channel", "postgres #db-help")
VERIFY_EVERY = TagSetting("verify-every", "bevestig-elke", "tag_verification_days", "postgres 90")
TAG_SETTINGS = (ESCALATION, VERIFY_EVERY)
_DAYS = re.compile(r"^(\d{1,5})\s*(?:d|days?|dagen|dag)?$", re.IGNORECASE)


def find(typed: str) -> TagSetting | None:
    """The per-tag setting an admin typed, by its English or Dutch name."""
    wanted = typed.casefold().replace("_", "-")
    return next((found for found in TAG_SETTINGS
                 if wanted in (found.name, found.dutch, found.name.replace("-", ""), found.dutch.replace("-", ""))),
                None)


def name(setting: TagSetting, locale: str) -> str:
    return setting.dutch if locale == "nl" else setting.name


def _channel_shown(channel: str | None, turn: Turn) -> str:
    return f"#{channel}" if channel else turn.say("admin.none")


def _days_shown(days: int, turn: Turn) -> str:
    return turn.say("admin.days", days=days)


def _defaults(turn: Turn) -> dict[TagSetting, str]:
    """What a tag without a setting of its own gets: the workspace's repost channel, the operator's interval."""
    rules = policy(turn.session, turn.settings, turn.workspace.id)
    return {ESCALATION: _channel_shown(rules.repost_channel, turn),
            VERIFY_EVERY: _days_shown(turn.settings.verification_interval_days, turn)}


def _channels(turn: Turn) -> dict[str, str]:
    own = turn.session.get(RoutingSettings, turn.workspace.id)
    return dict(own.tag_channels or {}) if own is not None else {}


def _own(turn: Turn, setting: TagSetting) -> dict[str, Any]:
    """The tags with a value of their own for ``setting``, by name."""
    if setting is ESCALATION:
        return _channels(turn)
    return verification.tag_intervals(turn.session, turn.workspace.id)


def _shown(setting: TagSetting, value: Any, turn: Turn) -> str:
    return _channel_shown(value, turn) if setting is ESCALATION else _days_shown(int(value), turn)


def items(turn: Turn) -> list[Item]:
    """The panel's per-tag lines: each setting with its default, and every tag that has its own."""
    defaults = _defaults(turn)
    found = []
    for setting in TAG_SETTINGS:
        own = _own(turn, setting)
        lines = [f"#{tag}: {_shown(setting, value, turn)}" for tag, value in sorted(own.items())]
        found.append(Item(text=f"{name(setting, turn.locale)}: " + turn.say("admin.tag.default",
                                                                           value=defaults[setting]),
                          detail=turn.say("admin.tag.how_" + setting.key, setting=name(setting, turn.locale)),
                          lines=lines or [turn.say("admin.tag.none_own")]))
    return found


@dataclass(frozen=True)
class Refused:
    """Why a typed tag or value is refused: a catalogue key and what it names (the same words typed or in a form)."""

    key: str
    params: dict[str, Any]


def read_tag(turn: Turn, typed: str) -> str | Refused:
    """The tag an admin named, canonical (``K8s`` → ``kubernetes``), or why it is not one (a mention, nothing usable)."""
    tag = None if is_mention(typed) else tagging.canonical(turn.session, typed)
    return tag if tag is not None else Refused("admin.tag.invalid_tag", {"value": typed[:40]})


def own(turn: Turn, setting: TagSetting) -> dict[str, Any]:
    """The tags with a value of their own for ``setting``, by name."""
    return _own(turn, setting)


def shown(setting: TagSetting, value: Any, turn: Turn) -> str:
    """A tag's value as an admin reads it; ``None``: the workspace's default, named."""
    return _shown(setting, value, turn) if value is not None else _defaults(turn)[setting]


def default(setting: TagSetting, turn: Turn) -> str:
    """What a tag without a value of its own gets, as an admin reads it."""
    return _defaults(turn)[setting]


def change(turn: Turn, setting: TagSetting, rest: str, reset: bool = False) -> Reply:
    """``set NAME TAG VALUE`` or ``reset NAME TAG``: checked, stored where the feature reads it, audited."""
    words = rest.split()
    expected = 1 if reset else 2
    if len(words) != expected:
        return turn.notice("admin.tag.usage", setting=name(setting, turn.locale),
                           example=f"{name(setting, turn.locale)} {setting.example}")
    tag = read_tag(turn, words[0])
    if isinstance(tag, Refused):
        return turn.notice(tag.key, **tag.params)
    new: Any = None
    if not reset:
        new = read(turn, setting, words[1])
        if isinstance(new, Refused):
            return turn.notice(new.key, **new.params)
    before = _own(turn, setting).get(tag)
    shown_name = name(setting, turn.locale)
    if before == new:
        return turn.notice("admin.tag.unchanged", setting=shown_name, tag=tag, value=shown(setting, new, turn))
    store(turn, setting, tag, new)
    if new is None:
        return turn.notice("admin.tag.reset", setting=shown_name, tag=tag, value=_defaults(turn)[setting])
    return turn.notice("admin.tag.changed", setting=shown_name, tag=tag, value=_shown(setting, new, turn),
                       old=shown(setting, before, turn))


def store(turn: Turn, setting: TagSetting, tag: str, new: Any) -> Any:
    """Store ``tag``'s value (``None``: back to the default) where the feature reads it, audited; the value before.

    The one way a per-tag value changes, typed or submitted in the settings
    form, so each change is one audit entry alike.
    """
    if setting is ESCALATION:
        row = get_or_create(turn.session, RoutingSettings, {"workspace_id": turn.workspace.id},
                            {"updated_at": turn.now})
        turn.session.flush()
        # Read again under a row lock: another admin's tag committed meanwhile is kept, not overwritten.
        turn.session.refresh(row, ["tag_channels"], with_for_update=True)
        channels = dict(row.tag_channels or {})
        before = channels.get(tag)
        if new is None:
            channels.pop(tag, None)
        else:
            channels[tag] = new
        # A new dict, not a change inside the old one: the JSON column is saved only when it is replaced.
        row.tag_channels, row.updated_at = channels or None, turn.now
    else:
        before = verification.tag_intervals(turn.session, turn.workspace.id).get(tag)
        found = tagging.ensure(turn.session, [tag])[0]
        verification.set_interval(turn.session, turn.workspace.id, found, new, turn.now)
    audit.record(turn.session, workspace_id=turn.workspace.id, person=turn.person, action="setting",
                 key=setting.key, old={tag: before} if before is not None else None,
                 new={tag: new} if new is not None else None, now=turn.now)
    turn.session.flush()
    return before


def read(turn: Turn, setting: TagSetting, typed: str) -> Any:
    """The value to store for ``typed``, or why not (:class:`Refused`): the one check, typed or in the form."""
    if setting is ESCALATION:
        channel = channel_reader(typed)
        if channel is None:
            return Refused("admin.invalid_channel", {"value": typed[:40]})
        known = turn.session.scalars(select(Conversation).where(
            Conversation.workspace_id == turn.workspace.id, Conversation.external_id == channel)).first()
        if known is not None and known.kind is not ConversationKind.CHANNEL:
            # The ladder never reposts into a private conversation: a setting it would ignore is refused now.
            return Refused("admin.tag.private_channel", {"value": typed[:40]})
        return channel
    match = _DAYS.match(typed.strip())
    days = int(match.group(1)) if match else None
    if days is None or not verification.MIN_INTERVAL <= days <= verification.MAX_INTERVAL:
        return Refused("admin.invalid_days", {"value": typed[:40], "low": verification.MIN_INTERVAL,
                                              "high": verification.MAX_INTERVAL})
    return days
