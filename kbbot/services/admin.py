"""``/kb admin``: a workspace's settings, shown and changed in chat by its admins, every change audited.

The same words on every platform (``/kb admin set digest-day tue``, in Dutch
``/kb beheer zet samenvattingsdag di``). Who is an admin, and how far a
team's owner may go, is decided by :mod:`kbbot.privacy.admins`; anyone else
gets a short refusal and nothing changes. A setting is stored in
``Workspace.settings`` under the key the feature reads, so it takes effect
with the next thing that reads it (the next digest round, the next question).
Per-tag settings (escalation channel, re-verification interval) are
:mod:`kbbot.services.admin_tags`; the panel's "Edit settings" form, where a
platform has forms, is :mod:`kbbot.services.admin_form` (admins only: a
form's submission cannot show where it was typed, which a team owner's
authority depends on). Every way in changes a setting through
:func:`change`, so each is audited alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kbbot.commands import command
from kbbot.commands.grammar import UsageError
from kbbot.contract import actions, forms, platform
from kbbot.contract.events import ButtonClicked
from kbbot.contract.replies import Actions, Block, Button, Item, ListBlock, Reply, Text
from kbbot.i18n import t
from kbbot.privacy import admins, audit, retention
from kbbot.privacy import workspace_settings as known
from kbbot.services import admin_tags
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
    tag: str | None = None
    """The tag of a per-tag setting (``/kb admin reset escalation postgres``)."""


def _parse(rest: str) -> AdminShow | AdminSet | AdminReset | UsageError:
    parts = rest.split(maxsplit=2)
    if not parts or parts[0].casefold() in ("show", "toon", "list", "lijst"):
        return AdminShow() if len(parts) <= 1 else UsageError("usage.admin")
    verb = parts[0].casefold()
    if verb in ("set", "zet") and len(parts) == 3:
        return AdminSet(parts[1][:64], parts[2].strip()[:200])
    if verb in ("reset", "herstel") and len(parts) in (2, 3):
        return AdminReset(parts[1][:64], parts[2].strip()[:200] if len(parts) == 3 else None)
    return UsageError("usage.admin")


@command("admin", verbs=("admin", "beheer"), parse=_parse, usage="help.admin", order=160)
def admin(turn: Turn, parsed: AdminShow | AdminSet | AdminReset) -> list[Reply]:
    found = admins.authority(turn.session, turn.settings, turn.workspace, turn.person, turn.owns_place)
    if found is admins.Authority.NONE:
        return [turn.notice("admin.refused")]
    match parsed:
        case AdminSet(setting=typed, value=value):
            per_tag = admin_tags.find(typed)
            return [admin_tags.change(turn, per_tag, value) if per_tag else _set(turn, found, typed, value)]
        case AdminReset(setting=typed, tag=tag):
            per_tag = admin_tags.find(typed)
            if per_tag is not None:
                return [admin_tags.change(turn, per_tag, tag or "", reset=True)]
            if tag is not None:
                return [turn.notice("usage.admin")]
            return [_set(turn, found, typed, None)]
    return [show(turn, found)]


def name(setting: known.Setting, locale: str) -> str:
    """The setting's name in the admin's language, as they type it."""
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


def show(turn: Turn, found: admins.Authority | None = None, notice: str | None = None, replace: bool = False
         ) -> Reply:
    """The panel: every setting in force, buttons for the few-valued ones, the per-tag ones, and the way to edit.

    An owner's panel has no buttons: their authority holds where they typed,
    and the panel may be shown elsewhere (``found`` ``None``: an admin's).
    """
    clickable = found in (None, admins.Authority.ADMIN)
    items = []
    for setting in known.SETTINGS:
        value, chosen = known.current(setting, turn.workspace.settings, turn.settings)
        line = turn.say("admin.line_set" if chosen else "admin.line_default",
                        value=shown(setting, value, turn.locale))
        buttons = [Button(label=shown(setting, setting.read(typed), turn.locale), action_id=actions.ADMIN_SET,
                          value=f"{setting.name}={typed}")
                   for typed in CHOICES.get(setting.key, ()) if clickable and setting.read(typed) != value]
        items.append(Item(text=f"{name(setting, turn.locale)}: {line}", buttons=buttons))
    heading = turn.say("admin.heading")
    blocks: list[Block] = [Text(text=notice)] if notice else []
    blocks += [Text(text=heading, style="heading")]
    if clickable and platform.capabilities(turn.workspace.platform).forms:
        blocks.append(Actions(buttons=[Button(label=turn.say("admin.form.edit"), action_id=actions.OPEN_FORM,
                                              value=forms.SETTINGS, style="primary")]))
    blocks += [ListBlock(items=items), Text(text=turn.say("admin.tags_heading"), style="heading"),
               ListBlock(items=admin_tags.items(turn)),
               Text(text=turn.say("admin.footer" if clickable else "admin.footer_owner"), style="context")]
    return turn.private(notice or heading, blocks, replace=replace)


def on_button(turn: Turn, event: ButtonClicked) -> list[Reply] | None:
    """A choice clicked on the panel: the same check and audit as typed, and the panel shown again."""
    if event.action_id != actions.ADMIN_SET:
        return None
    found = admins.authority(turn.session, turn.settings, turn.workspace, turn.person, turn.owns_place)
    if found is admins.Authority.NONE:
        return [turn.notice("admin.refused")]
    setting_name, _, typed = event.value.partition("=")
    result = _set(turn, found, setting_name, typed)
    return [show(turn, found, notice=result.text, replace=True)]


def _set(turn: Turn, found: admins.Authority, setting_name: str, typed: str | None) -> Reply:
    setting = known.find(setting_name)
    if setting is None:
        names = ", ".join([name(s, turn.locale) for s in known.SETTINGS]
                          + [admin_tags.name(s, turn.locale) for s in admin_tags.TAG_SETTINGS])
        return turn.notice("admin.unknown_setting", setting=setting_name[:40], settings=names)
    if not admins.may_change(found, setting.policy):
        return turn.notice("admin.policy_refused", setting=name(setting, turn.locale))
    before, was_chosen = known.current(setting, turn.workspace.settings, turn.settings)
    if typed is None:
        if not was_chosen:
            return turn.notice("admin.unchanged", setting=name(setting, turn.locale),
                               value=shown(setting, before, turn.locale))
        new = change(turn, setting, None, reset=True)
        return turn.notice("admin.reset", setting=name(setting, turn.locale), value=shown(setting, new, turn.locale))
    new = setting.read(typed)
    if known.is_invalid(new):
        return turn.notice(new, **invalid_params(setting, typed))
    if was_chosen and before == new:
        return turn.notice("admin.unchanged", setting=name(setting, turn.locale),
                           value=shown(setting, new, turn.locale))
    change(turn, setting, new)
    return turn.notice("admin.changed", setting=name(setting, turn.locale), value=shown(setting, new, turn.locale),
                       old=shown(setting, before, turn.locale))


def invalid_params(setting: known.Setting, typed: str) -> dict[str, Any]:
    """What a refusal of ``typed`` for ``setting`` names: the value, and a retention setting's limits."""
    low, high, _ = retention.LIMITS.get(setting.key.removeprefix("retention_").removesuffix("_days"), (0, 0, False))
    return {"value": typed[:40], "low": low, "high": high}


def change(turn: Turn, setting: known.Setting, new: Any, reset: bool = False) -> Any:
    """Store one setting for the workspace (``reset``: back to the default) and audit it; the value now in force.

    The one way a setting changes, typed, clicked or submitted in a form, so
    each change is audited the same way.
    """
    space = turn.workspace
    # Read again under a row lock: another admin's change committed meanwhile is kept, not overwritten.
    turn.session.refresh(space, ["settings"], with_for_update=True)
    before, was_chosen = known.current(setting, space.settings, turn.settings)
    chosen = dict(space.settings or {})
    if reset:
        chosen.pop(setting.key, None)
        new = setting.default(turn.settings)
    else:
        chosen[setting.key] = new
    # A new dict, not a change inside the old one: the JSON column is saved only when it is replaced.
    space.settings = chosen
    audit.record(turn.session, workspace_id=space.id, person=turn.person, action="setting", key=setting.key,
                 old=before if was_chosen else None, new=None if reset else new, now=turn.now)
    turn.session.flush()
    return new
