"""The settings form's per-tag rules: each tag's escalation channel and re-check interval, and a row to add one.

Every tag with a rule of its own gets two fields (its channel, its days);
emptying one takes the tag back to the workspace's default, the same as
``/kb admin reset``. A last row adds a rule for a tag not listed yet. Each
value is read by the same functions as typed ``/kb admin set escalation``
and ``verify-every`` (:mod:`kbbot.services.admin_tags`), so what is refused
typed is refused here with the same words, beside its field, and each rule
changed is one audit entry, stored by :func:`kbbot.services.admin_tags.store`.

A field's name carries its tag (``tag_channel.postgres``), so a submission
says which rule it changes even when rules were added or removed meanwhile.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kbbot.contract.forms import FieldErrors, FormField
from kbbot.services import admin_tags, verification
from kbbot.services.admin_tags import ESCALATION, TAG_SETTINGS, VERIFY_EVERY, Refused, TagSetting
from kbbot.services.turn import Turn

PREFIX = {ESCALATION: "tag_channel.", VERIFY_EVERY: "tag_days."}
NEW_TAG, NEW_CHANNEL, NEW_DAYS = "new_tag", "new_tag_channel", "new_tag_days"
NEW_FIELDS = {ESCALATION: NEW_CHANNEL, VERIFY_EVERY: NEW_DAYS}
MAX_TAGS = 15
"""Tags listed with their fields: a form stays within Slack's 100 blocks and a submission's 64 fields;
the panel lists every rule, and typed ``set`` changes any."""
NAME_LIMIT = 64
"""A field name's length at most (what a submission may carry back)."""

Values = Mapping[str, str | None]


@dataclass(frozen=True)
class TagChange:
    setting: TagSetting
    tag: str
    value: Any
    """``None``: back to the workspace's default."""


def field_name(setting: TagSetting, tag: str) -> str:
    """The field of ``tag``'s value for ``setting``; a tag too long for a name is cut and marked by its digest
    (``~`` is never part of a tag)."""
    name = PREFIX[setting] + tag
    if len(name) <= NAME_LIMIT:
        return name
    return f"{PREFIX[setting]}{tag[:40]}~{hashlib.sha256(tag.encode()).hexdigest()[:12]}"


def _rules(turn: Turn) -> dict[TagSetting, dict[str, Any]]:
    return {setting: admin_tags.own(turn, setting) for setting in TAG_SETTINGS}


def _submitted(turn: Turn, rules: dict[TagSetting, dict[str, Any]], values: Values
               ) -> dict[tuple[TagSetting, str], str]:
    """The submitted per-tag fields: (setting, tag) → field name. A tag whose rule was removed meanwhile is still
    read from its field's name; a cut name of a tag no longer known cannot be, and changes nothing."""
    known = {field_name(setting, tag): (setting, tag) for setting in TAG_SETTINGS
             for tag in {t for own in rules.values() for t in own}}
    found: dict[tuple[TagSetting, str], str] = {}
    for name in values:
        setting = next((s for s, prefix in PREFIX.items() if name.startswith(prefix)), None)
        if setting is None:
            continue
        if name in known:
            found[known[name]] = name
            continue
        typed = name.removeprefix(PREFIX[setting])
        tag = admin_tags.read_tag(turn, typed) if typed and "~" not in typed else None
        if isinstance(tag, str) and field_name(setting, tag) == name:
            found[(setting, tag)] = name
    return found


def _listed(turn: Turn, rules: dict[TagSetting, dict[str, Any]], values: Values | None) -> list[str]:
    """The tags shown with fields: the first :data:`MAX_TAGS` with rules, and any a submission named."""
    tags = sorted({tag for own in rules.values() for tag in own})[:MAX_TAGS]
    named = {tag for _, tag in _submitted(turn, rules, values or {})}
    return tags + sorted(named - set(tags))


def hidden(turn: Turn) -> int:
    """How many tags with rules the form does not list (changed by typed ``set``, shown on the panel)."""
    return max(0, len({tag for own in _rules(turn).values() for tag in own}) - MAX_TAGS)


def _hint(turn: Turn, setting: TagSetting) -> str:
    default = admin_tags.default(setting, turn)
    if setting is ESCALATION:
        return turn.say("admin.form.tag_channel_hint", default=default)
    return turn.say("admin.form.tag_days_hint", default=default, low=verification.MIN_INTERVAL,
                    high=verification.MAX_INTERVAL)


def _field(turn: Turn, setting: TagSetting, name: str, label: str, value: Any, group: str = "") -> FormField:
    """One per-tag value: a channel picker or a number of days, optional (empty: the default)."""
    shown = None if value is None else str(value)
    empty = turn.say("admin.form.tag_default", default=admin_tags.default(setting, turn))
    if setting is ESCALATION:
        return FormField(name=name, kind="channel", label=label, value=shown, optional=True,
                         hint=_hint(turn, setting), empty=empty, group=group)
    return FormField(name=name, kind="number", label=label, value=shown, low=verification.MIN_INTERVAL,
                     high=verification.MAX_INTERVAL, optional=True, hint=_hint(turn, setting), empty=empty,
                     group=group)


def fields(turn: Turn, values: Values | None = None) -> list[FormField]:
    """Each listed tag's two fields, prefilled with its own values, then the row that adds a rule.

    A channel field holds only its value: the settings form labels it (and a
    platform without a channel picker searches the others as the admin types).
    """
    rules = _rules(turn)
    found: list[FormField] = []
    for tag in _listed(turn, rules, values):
        for setting in TAG_SETTINGS:
            label = turn.say(f"admin.form.{PREFIX[setting].rstrip('.')}", tag=tag)
            found.append(_field(turn, setting, field_name(setting, tag), label, rules[setting].get(tag),
                                group=turn.say("admin.form.tags_group") if not found else ""))
    found.append(FormField(name=NEW_TAG, kind="text", label=turn.say("admin.form.new_tag"), optional=True,
                           max_length=64, hint=turn.say("admin.form.new_tag_hint"),
                           group=turn.say("admin.form.new_group")))
    found += [_field(turn, setting, NEW_FIELDS[setting], turn.say(f"admin.form.new_{PREFIX[setting].rstrip('.')}"),
                     None) for setting in TAG_SETTINGS]
    return found


def _empty(raw: str | None) -> bool:
    return raw is None or not raw.strip()


def _refusal(turn: Turn, refused: Refused) -> str:
    """A refusal worded for chat (with `code` marks) as a form shows it beside a field: plain text."""
    return turn.say(refused.key, **refused.params).replace("`", "")


def check(turn: Turn, values: Values) -> tuple[list[TagChange], FieldErrors]:
    """What a submission changes in the per-tag rules, and what is wrong with it, field by field."""
    rules = _rules(turn)
    changes: list[TagChange] = []
    errors: FieldErrors = {}
    submitted = _submitted(turn, rules, values)
    for (setting, tag), name in submitted.items():
        raw = values.get(name)
        new = None if _empty(raw) else admin_tags.read(turn, setting, (raw or "").strip())
        if isinstance(new, Refused):
            errors[name] = _refusal(turn, new)
        elif new != rules[setting].get(tag):
            changes.append(TagChange(setting, tag, new))
    new_changes, new_errors = _check_new(turn, rules, values, {tag for _, tag in submitted})
    return changes + new_changes, {**errors, **new_errors}


def _check_new(turn: Turn, rules: dict[TagSetting, dict[str, Any]], values: Values, listed: set[str]
               ) -> tuple[list[TagChange], FieldErrors]:
    """The "add a rule for a tag" row: a tag, and its channel, its days or both."""
    typed = {setting: values.get(NEW_FIELDS[setting]) for setting in TAG_SETTINGS}
    raw_tag = values.get(NEW_TAG)
    if _empty(raw_tag) and all(_empty(raw) for raw in typed.values()):
        return [], {}
    errors: FieldErrors = {}
    tag: str | Refused | None = None
    if _empty(raw_tag):
        errors[NEW_TAG] = turn.say("admin.form.tag_needed")
    else:
        tag = admin_tags.read_tag(turn, (raw_tag or "").strip())
        if isinstance(tag, Refused):
            errors[NEW_TAG] = _refusal(turn, tag)
        elif tag in listed:
            errors[NEW_TAG] = turn.say("admin.form.tag_listed", tag=tag)
        elif all(_empty(raw) for raw in typed.values()):
            errors[NEW_TAG] = turn.say("admin.form.tag_rule_needed", tag=tag)
    changes: list[TagChange] = []
    for setting, raw in typed.items():
        if _empty(raw):
            continue
        new = admin_tags.read(turn, setting, (raw or "").strip())
        if isinstance(new, Refused):
            errors[NEW_FIELDS[setting]] = _refusal(turn, new)
        elif isinstance(tag, str) and new != rules[setting].get(tag):
            changes.append(TagChange(setting, tag, new))
    return ([] if errors else changes), errors


def save(turn: Turn, change: TagChange) -> str:
    """Store one checked change (audited); how the saved notice names it, in the admin's language."""
    before = admin_tags.store(turn, change.setting, change.tag, change.value)
    return turn.say("admin.form.tag_change", setting=admin_tags.name(change.setting, turn.locale), tag=change.tag,
                    value=admin_tags.shown(change.setting, change.value, turn),
                    old=admin_tags.shown(change.setting, before, turn))
