"""``/kb admin``: a workspace's settings, shown and changed in chat by its admins, every change audited.

The same words on every platform (``/kb admin set digest-day tue``, in Dutch
``/kb beheer zet samenvattingsdag di``). Who is an admin, and how far a
team's owner may go, is decided by :mod:`kbbot.privacy.admins`; anyone else
gets a short refusal and nothing changes. A setting is stored in
``Workspace.settings`` under the key the feature reads, so it takes effect
with the next thing that reads it (the next digest round, the next question).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kbbot.commands import command
from kbbot.commands.grammar import UsageError
from kbbot.contract import actions
from kbbot.contract.events import ButtonClicked
from kbbot.contract.replies import Button, Item, ListBlock, Reply, Text
from kbbot.i18n import t
from kbbot.privacy import admins, audit, retention
from kbbot.privacy import workspace_settings as known
from kbbot.services.turn import Turn


@dataclass(frozen=True)
class AdminShow:
    """``/kb admin``: the settings in force."""


@dataclass(frozen=True)
class AdminSet:
    setting: str
    value: str


@dataclass(frozen=True)
class AdminReset:
    setting: str


def _parse(rest: str) -> AdminShow | AdminSet | AdminReset | UsageError:
    parts = rest.split(maxsplit=2)
    if not parts or parts[0].casefold() in ("show", "toon", "list", "lijst"):
        return AdminShow() if len(parts) <= 1 else UsageError("usage.admin")
    verb = parts[0].casefold()
    if verb in ("set", "zet") and len(parts) == 3:
        return AdminSet(parts[1][:64], parts[2].strip()[:200])
    if verb in ("reset", "herstel") and len(parts) == 2:
        return AdminReset(parts[1][:64])
    return UsageError("usage.admin")


@command("admin", verbs=("admin", "beheer"), parse=_parse, usage="help.admin", order=160)
def admin(turn: Turn, parsed: AdminShow | AdminSet | AdminReset) -> list[Reply]:
    found = admins.authority(turn.session, turn.settings, turn.workspace, turn.person, turn.owns_place)
    if found is admins.Authority.NONE:
        return [turn.notice("admin.refused")]
    match parsed:
        case AdminSet(setting=name, value=value):
            return [_set(turn, found, name, value)]
        case AdminReset(setting=name):
            return [_set(turn, found, name, None)]
    return [_show(turn, found)]


def _name(setting: known.Setting, locale: str) -> str:
    return setting.dutch if locale == "nl" else setting.name


def shown(setting: known.Setting, value: Any, locale: str) -> str:
    """A value as an admin reads it: days, on/off, "kept" for no limit, "not set"."""
    if setting.key.startswith("retention_"):
        return t(locale, "admin.keep") if value is None else t(locale, "admin.days", days=value)
    if isinstance(value, bool):
        return t(locale, "admin.on" if value else "admin.off")
    if value is None or value == "":
        return t(locale, "admin.none")
    if setting.key == "questions_channel":
        return f"#{value}" if not str(value).startswith("#") else str(value)
    return str(value)


CHOICES: dict[str, tuple[str, ...]] = {"expert_notify": ("thread", "dm"), "welcome": ("on", "off"),
                                       "erasure_knowledge": ("keep", "delete")}
"""Settings with a few values: offered as buttons on the panel (Block Kit on Slack, an Adaptive Card on Teams)."""


def _show(turn: Turn, found: admins.Authority, notice: str | None = None, replace: bool = False) -> Reply:
    # An owner's panel has no buttons: their authority holds where they typed, and the panel may be shown elsewhere.
    clickable = found is admins.Authority.ADMIN
    items = []
    for setting in known.SETTINGS:
        value, chosen = known.current(setting, turn.workspace.settings, turn.settings)
        line = turn.say("admin.line_set" if chosen else "admin.line_default",
                        value=shown(setting, value, turn.locale))
        buttons = [Button(label=shown(setting, setting.read(typed), turn.locale), action_id=actions.ADMIN_SET,
                          value=f"{setting.name}={typed}")
                   for typed in CHOICES.get(setting.key, ()) if clickable and setting.read(typed) != value]
        items.append(Item(text=f"{_name(setting, turn.locale)}: {line}", buttons=buttons))
    heading = turn.say("admin.heading")
    blocks = [Text(text=notice)] if notice else []
    blocks += [Text(text=heading, style="heading"), ListBlock(items=items),
               Text(text=turn.say("admin.footer" if clickable else "admin.footer_owner"), style="context")]
    return turn.private(notice or heading, blocks, replace=replace)


def on_button(turn: Turn, event: ButtonClicked) -> list[Reply] | None:
    """A choice clicked on the panel: the same check and audit as typed, and the panel shown again."""
    if event.action_id != actions.ADMIN_SET:
        return None
    found = admins.authority(turn.session, turn.settings, turn.workspace, turn.person, turn.owns_place)
    if found is admins.Authority.NONE:
        return [turn.notice("admin.refused")]
    name, _, typed = event.value.partition("=")
    result = _set(turn, found, name, typed)
    return [_show(turn, found, notice=result.text, replace=True)]


def _set(turn: Turn, found: admins.Authority, name: str, typed: str | None) -> Reply:
    setting = known.find(name)
    if setting is None:
        names = ", ".join(_name(s, turn.locale) for s in known.SETTINGS)
        return turn.notice("admin.unknown_setting", setting=name[:40], settings=names)
    if not admins.may_change(found, setting.policy):
        return turn.notice("admin.policy_refused", setting=_name(setting, turn.locale))
    space = turn.workspace
    before, was_chosen = known.current(setting, space.settings, turn.settings)
    chosen = dict(space.settings or {})
    if typed is None:
        if not was_chosen:
            return turn.notice("admin.unchanged", setting=_name(setting, turn.locale),
                               value=shown(setting, before, turn.locale))
        del chosen[setting.key]
        new = setting.default(turn.settings)
    else:
        new = setting.read(typed)
        if known.is_invalid(new):
            low, high, _ = retention.LIMITS.get(setting.key.removeprefix("retention_").removesuffix("_days"),
                                                (0, 0, False))
            return turn.notice(new, value=typed[:40], low=low, high=high)
        if was_chosen and before == new:
            return turn.notice("admin.unchanged", setting=_name(setting, turn.locale),
                               value=shown(setting, new, turn.locale))
        chosen[setting.key] = new
    # A new dict, not a change inside the old one: the JSON column is saved only when it is replaced.
    space.settings = chosen
    audit.record(turn.session, workspace_id=space.id, person=turn.person, action="setting", key=setting.key,
                 old=before if was_chosen else None, new=new if typed is not None else None, now=turn.now)
    turn.session.flush()
    if typed is None:
        return turn.notice("admin.reset", setting=_name(setting, turn.locale), value=shown(setting, new, turn.locale))
    return turn.notice("admin.changed", setting=_name(setting, turn.locale), value=shown(setting, new, turn.locale),
                       old=shown(setting, before, turn.locale))
