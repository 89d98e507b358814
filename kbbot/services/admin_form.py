"""``/kb admin``'s "Edit settings": every workspace setting in one form, checked as typed ``set`` checks it.

Where a platform opens forms (a Slack modal, a Teams task module), the panel
offers one. Each field is read by the same reader as ``/kb admin set``
(:mod:`kbbot.privacy.workspace_settings`), so a value refused when typed is
refused in the form, with the same words beside the field. Only what the
admin changed is stored, each change audited on its own
(:func:`kbbot.services.admin.change`); a field left as it was pins nothing,
so a default changed later by the operator still applies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from kbbot.contract import forms
from kbbot.contract.events import FormSubmitted
from kbbot.contract.forms import Choice, FieldErrors, Form, FormField
from kbbot.contract.replies import Reply
from kbbot.privacy import admins, erasure, retention
from kbbot.privacy import workspace_settings as known
from kbbot.services import admin, admin_tag_form
from kbbot.services.turn import Turn
from kbbot.store.models import Conversation, ConversationKind
from kbbot.weekly.timing import DAYS, WORKDAYS

HOURS = "working_hours"
HOURS_FROM = "working_hours_from"
HOURS_TO = "working_hours_to"
SEARCH_PAGE = 15
"""Channels one search answers by default (Teams' typeahead shows at most 15)."""

Values = Mapping[str, str | None]


@dataclass(frozen=True)
class Change:
    setting: known.Setting
    value: Any
    reset: bool = False


def _typed(setting: known.Setting, value: Any) -> str | None:
    """A stored value as its field shows it (what the setting's reader reads back to the same value)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def _choices(turn: Turn, setting: known.Setting) -> list[Choice]:
    def say(key: str) -> str:
        return turn.say(key)

    match setting.key:
        case "expert_notify":
            return [Choice(value=v, label=say(f"admin.form.notify_{v}")) for v in ("thread", "dm")]
        case "prompt_day":
            return [Choice(value=day, label=say(f"admin.form.day_{day}")) for day in WORKDAYS]
        case "digest_day":
            return [Choice(value=day, label=say(f"admin.form.day_{day}")) for day in DAYS]
        case "welcome":
            return [Choice(value=v, label=say(f"admin.{v}")) for v in ("on", "off")]
        case erasure.KNOWLEDGE_SETTING:
            return [Choice(value=v, label=say(f"admin.form.erasure_{v}")) for v in ("keep", "delete")]
    return []


def _public(turn: Turn) -> Select[tuple[str, str | None]]:
    """The workspace's public channels kbbot knows: the only ones a channel field offers.

    A repost goes where everyone may read it (a private channel is refused
    when submitted anyway), and the name of a private channel is not for an
    admin outside it to read in a list.
    """
    return select(Conversation.external_id, Conversation.name).where(
        Conversation.workspace_id == turn.workspace.id, Conversation.kind == ConversationKind.CHANNEL)


def _channels(turn: Turn, ids: Iterable[str]) -> dict[str, Choice]:
    """The channels ``ids`` as a channel field shows its value: ``#name`` where it is a public channel kbbot
    knows, else by its id (never a private channel's name)."""
    wanted = set(ids)
    named: dict[str, str | None] = {external_id: name for external_id, name in turn.session.execute(
        _public(turn).where(Conversation.external_id.in_(wanted)))} if wanted else {}
    return {found: Choice(value=found, label=f"#{named.get(found) or found}") for found in wanted}


def channel_search(turn: Turn, typed: str, skip: int = 0, top: int = SEARCH_PAGE) -> list[Choice]:
    """The public channels of this workspace whose names hold ``typed``, best first; nothing for a non-admin.

    For platforms whose channel field asks as the admin types (Teams'
    typeahead) instead of listing every channel in the form. A name that
    starts with what was typed comes first, then one with a word that does,
    then any other match, each by name. Matched here rather than in SQL so
    that case folds the same for every language on SQLite and PostgreSQL.
    """
    if not admins.is_admin(turn.session, turn.settings, turn.workspace, turn.person):
        return []
    wanted = typed.strip().lstrip("#").strip().casefold()
    word = re.compile(r"[\W_]" + re.escape(wanted))
    found = []
    for external_id, name in turn.session.execute(_public(turn)):
        shown = name or external_id
        folded = shown.casefold()
        if wanted not in folded:
            continue
        rank = 0 if folded.startswith(wanted) else 1 if word.search(folded) else 2
        found.append((rank, folded, external_id, shown))
    found.sort()
    return [Choice(value=external_id, label=f"#{shown}")
            for _, _, external_id, shown in found[max(skip, 0):max(skip, 0) + max(top, 0)]]


def _labelled(turn: Turn, fields: list[FormField], values: Values | None) -> list[FormField]:
    """Each channel field with the channel it shows (in force, or as submitted) as its one choice, labelled."""
    def shown(found: FormField) -> str | None:
        return values.get(found.name) if values is not None and found.name in values else found.value

    labels = _channels(turn, {value for found in fields if found.kind == "channel" and (value := shown(found))})
    return [found.model_copy(update={"choices": [labels[value]] if (value := shown(found)) else [],
                                     "placeholder": turn.say("admin.form.channel_search")})
            if found.kind == "channel" else found for found in fields]


def _fields(turn: Turn) -> list[FormField]:
    fields: list[FormField] = []
    for setting in known.SETTINGS:
        value, _ = known.current(setting, turn.workspace.settings, turn.settings)
        label = admin.name(setting, turn.locale)
        if setting.key == HOURS:
            start, _, end = str(value).partition("-")
            fields += [FormField(name=HOURS_FROM, kind="time", label=turn.say("admin.form.hours_from"), value=start),
                       FormField(name=HOURS_TO, kind="time", label=turn.say("admin.form.hours_to"), value=end)]
        elif setting.key == "questions_channel":
            fields.append(FormField(name=setting.key, kind="channel", label=label, value=_typed(setting, value),
                                    optional=True, empty=turn.say("admin.none"),
                                    hint=turn.say("admin.form.channel_hint")))
        elif setting.key.endswith("_time"):
            fields.append(FormField(name=setting.key, kind="time", label=label, value=_typed(setting, value)))
        elif setting.key.startswith("retention_"):
            low, high, may_keep = retention.LIMITS[_retention_kind(setting)]
            hint = turn.say("admin.form.days_keep" if may_keep else "admin.form.days", low=low, high=high)
            fields.append(FormField(name=setting.key, kind="number", label=label, value=_typed(setting, value),
                                    low=low, high=high, optional=may_keep, hint=hint))
        else:
            fields.append(FormField(name=setting.key, kind="choice", label=label, value=_typed(setting, value),
                                    choices=_choices(turn, setting)))
    return fields


def _retention_kind(setting: known.Setting) -> str:
    return setting.key.removeprefix("retention_").removesuffix("_days")


def form(turn: Turn, values: Values | None = None) -> Form:
    """The settings form, prefilled with what is in force; for anyone but an admin, only the refusal.

    ``values`` (a submission shown again) adds the rows of tags it named that
    are no longer listed, so their errors have a field to stand beside.
    """
    base = {"form": forms.SETTINGS, "locale": turn.locale, "title": turn.say("admin.form.title"),
            "close": turn.say("admin.form.close")}
    if not admins.is_admin(turn.session, turn.settings, turn.workspace, turn.person):
        return Form(**base, notice=turn.say("admin.refused"))
    notice = turn.say("admin.form.intro")
    hidden = admin_tag_form.hidden(turn)
    if hidden:
        notice += " " + turn.say("admin.form.tags_more", count=hidden)
    fields = _labelled(turn, _fields(turn) + admin_tag_form.fields(turn, values), values)
    return Form(**base, submit=turn.say("admin.form.submit"), notice=notice, fields=fields)


def _plain(text: str) -> str:
    """A refusal worded for chat (with `code` marks) as a form shows it beside a field: plain text."""
    return text.replace("`", "")


def _empty(raw: str | None) -> bool:
    return raw is None or not raw.strip()


def _check(turn: Turn, values: Values) -> tuple[list[Change], FieldErrors]:
    """What a submission would change, and what is wrong with it, field by field."""
    changes: list[Change] = []
    errors: FieldErrors = {}
    for setting in known.SETTINGS:
        before, chosen = known.current(setting, turn.workspace.settings, turn.settings)
        if setting.key == HOURS:
            if HOURS_FROM not in values and HOURS_TO not in values:
                continue
            start, end = values.get(HOURS_FROM), values.get(HOURS_TO)
            missing = [field for field, raw in ((HOURS_FROM, start), (HOURS_TO, end)) if _empty(raw)]
            for field in missing:
                errors[field] = turn.say("admin.form.required")
            if missing:
                continue
            typed: str | None = f"{(start or '').strip()}-{(end or '').strip()}"
            field = HOURS_TO
        else:
            if setting.key not in values:
                continue  # not in this submission (an older form): left as it is
            typed, field = values[setting.key], setting.key
        if typed is not None and typed.strip() == (_typed(setting, before) or ""):
            continue  # left as it was: nothing to check, nothing pinned
        if _empty(typed):
            low, high, may_keep = retention.LIMITS.get(_retention_kind(setting), (0, 0, False))
            if setting.key.startswith("retention_") and may_keep:
                typed = "keep"
            elif setting.key == "questions_channel":
                if chosen:
                    changes.append(Change(setting, None, reset=True))
                continue
            else:
                errors[field] = turn.say("admin.form.required")
                continue
        assert typed is not None
        new = setting.read(typed.strip())
        if known.is_invalid(new):
            errors[field] = _plain(turn.say(new, **admin.invalid_params(setting, typed.strip())))
        elif new != before:
            changes.append(Change(setting, new))
    return changes, errors


def problems(turn: Turn, values: Values) -> FieldErrors:
    """What is wrong with a submitted settings form, by field, in the admin's language; empty: it may be saved."""
    return {**_check(turn, values)[1], **admin_tag_form.check(turn, values)[1]}


def refusal(turn: Turn) -> Form | None:
    """The form to show instead when the person may not change settings (a forged or stale submission), else None."""
    if admins.is_admin(turn.session, turn.settings, turn.workspace, turn.person):
        return None
    return form(turn)


def submit(turn: Turn, event: FormSubmitted) -> list[Reply]:
    """Save every changed setting (checked again: nothing is saved from a submission with errors); the panel anew."""
    if not admins.is_admin(turn.session, turn.settings, turn.workspace, turn.person):
        return [turn.notice("admin.refused")]
    changes, errors = _check(turn, event.values)
    tag_changes, tag_errors = admin_tag_form.check(turn, event.values)
    errors.update(tag_errors)
    if errors:
        return [turn.notice("admin.form.not_saved", reason=next(iter(errors.values())))]
    said = []
    for found in changes:
        before, _ = known.current(found.setting, turn.workspace.settings, turn.settings)
        now = admin.change(turn, found.setting, found.value, reset=found.reset)
        said.append(turn.say("admin.form.change", setting=admin.name(found.setting, turn.locale),
                             value=admin.shown(found.setting, now, turn.locale),
                             old=admin.shown(found.setting, before, turn.locale)))
    said += [admin_tag_form.save(turn, found) for found in tag_changes]
    notice = turn.say("admin.form.saved", changes="; ".join(said)) if said else turn.say("admin.form.nothing")
    return [admin.show(turn, notice=notice, replace=True)]
