"""The workspace settings an admin may change in chat, each with its default from the environment.

Environment variables (:class:`kbbot.config.Settings`) stay the defaults; a
value set with ``/kb admin set`` is stored in ``Workspace.settings`` under the
same key the features already read (``questions_channel``, ``prompt_day``, …)
and wins. ``reset`` removes it, and the default applies again.

Some settings are read by features built alongside this one (working hours
by expert routing, welcome DMs by the welcome feature); they are stored and
listed here under the key those features read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kbbot.commands.grammar import _clock_time, _day, _on_off  # the grammar's readers of days, times, on/off
from kbbot.config import Settings
from kbbot.privacy import erasure, retention
from kbbot.weekly.timing import WORKDAYS

Invalid = str
"""A catalogue key saying why a value was refused."""

_CHANNEL = re.compile(r"^<#(?P<id>[A-Za-z0-9:@._-]+)(?:\|[^>]*)?>$|^(?P<plain>[A-Za-z0-9:@._-]{2,200})$")
_HOURS = re.compile(r"^(?P<start>\d{1,2}[:.]\d{2})\s*-\s*(?P<end>\d{1,2}[:.]\d{2})$")
_KEEP = {"keep", "bewaar", "forever", "altijd", "off", "uit"}


@dataclass(frozen=True)
class Setting:
    name: str
    dutch: str
    key: str
    """The key in ``Workspace.settings`` that the feature reads."""
    read: Callable[[str], Any]
    """The stored value for what an admin typed, or an :data:`Invalid` (a ``str`` starting with ``admin.invalid``)."""
    default: Callable[[Settings], Any]
    example: str
    policy: bool = False
    """It decides what happens to everyone's data (retention, erasure): the workspace's admins' alone
    (:mod:`kbbot.privacy.admins`)."""


def channel_reader(value: str) -> str | None:
    """The channel an admin named (``<#C123|general>`` as Slack writes it, ``#C123``, ``C123``), or None."""
    match = _CHANNEL.match(value.strip().removeprefix("#"))
    if match is None:
        return None
    return match.group("id") or match.group("plain")


def _channel(value: str) -> Any:
    return channel_reader(value) or "admin.invalid_channel"


def _notify(value: str) -> Any:
    chosen = {"thread": "thread", "draad": "thread", "dm": "dm", "pm": "dm"}.get(value.casefold())
    return chosen or "admin.invalid_notify"


def _day_of(prompt: bool) -> Callable[[str], Any]:
    def read(value: str) -> Any:
        day = _day(value.casefold())
        if day is None:
            return "admin.invalid_day"
        return "admin.invalid_prompt_day" if prompt and day not in WORKDAYS else day

    return read


def _time(value: str) -> Any:
    return _clock_time(value) or "admin.invalid_time"


def _hours(value: str) -> Any:
    match = _HOURS.match(value.strip())
    start, end = (_clock_time(match.group("start")), _clock_time(match.group("end"))) if match else (None, None)
    if start is None or end is None or start >= end:
        return "admin.invalid_hours"
    return f"{start}-{end}"


def _switch(value: str) -> Any:
    flag = _on_off(value.casefold())
    return "admin.invalid_switch" if flag is None else flag


def _erasure(value: str) -> Any:
    chosen = {"keep": erasure.KEEP, "bewaar": erasure.KEEP, "delete": erasure.DELETE,
              "verwijder": erasure.DELETE}.get(value.casefold())
    return chosen or "admin.invalid_erasure"


def _retention(kind: str) -> Callable[[str], Any]:
    low, high, may_keep = retention.LIMITS[kind]

    def read(value: str) -> Any:
        typed = value.casefold().removesuffix("d")
        if typed in _KEEP and may_keep:
            return None
        if typed.isascii() and typed.isdecimal() and len(typed) <= 6 and low <= int(typed) <= high:
            return int(typed)
        return "admin.invalid_days_keep" if may_keep else "admin.invalid_days"

    return read


def _retention_default(kind: str) -> Callable[[Settings], Any]:
    return lambda _settings: retention.DEFAULT_DAYS[kind]


SETTINGS: tuple[Setting, ...] = (
    Setting("questions-channel", "vragenkanaal", "questions_channel", _channel, lambda s: s.questions_channel,
            "#questions"),
    Setting("expert-notify", "expertmelding", "expert_notify", _notify, lambda s: s.expert_notify, "thread|dm"),
    Setting("prompt-day", "vraagdag", "prompt_day", _day_of(prompt=True), lambda s: s.prompt_day, "thu"),
    Setting("prompt-time", "vraagtijd", "prompt_time", _time, lambda s: s.prompt_time, "15:00"),
    Setting("digest-day", "samenvattingsdag", "digest_day", _day_of(prompt=False), lambda s: s.digest_day, "mon"),
    Setting("digest-time", "samenvattingstijd", "digest_time", _time, lambda s: s.digest_time, "09:00"),
    Setting("working-hours", "werktijden", "working_hours", _hours,
            lambda s: f"{s.routing_work_start}-{s.routing_work_end}", "09:00-17:00"),
    Setting("welcome", "welkom", "welcome", _switch, lambda s: s.welcome, "on|off"),
    Setting("erasure", "wissen", erasure.KNOWLEDGE_SETTING, _erasure, lambda _s: erasure.KEEP, "keep|delete",
            policy=True),
    *(Setting(f"retention-{kind}", f"bewaren-{dutch}", retention.setting_key(kind), _retention(kind),
              _retention_default(kind), f"{retention.LIMITS[kind][0]}-{retention.LIMITS[kind][1]}"
              + ("|keep" if retention.LIMITS[kind][2] else ""), policy=True)
      for kind, dutch in ((retention.EVENTS, "gebeurtenissen"), (retention.OUTBOX, "uitgaand"),
                          (retention.AUDIT, "audit"), (retention.POSTS, "berichten"),
                          (retention.KNOWLEDGE, "kennis"), (retention.DELETED, "verwijderd"))),
)


def find(name: str) -> Setting | None:
    """The setting an admin typed, by its English or Dutch name (``digest_day`` and ``digestday`` too)."""
    typed = name.casefold().replace("_", "-")
    for setting in SETTINGS:
        if typed in (setting.name, setting.dutch, setting.key.replace("_", "-"),
                     setting.name.replace("-", ""), setting.dutch.replace("-", "")):
            return setting
    return None


def current(setting: Setting, space_settings: dict | None, settings: Settings) -> tuple[Any, bool]:
    """The value in force and whether the workspace chose it (else it is the default)."""
    chosen = space_settings or {}
    if setting.key in chosen:
        return chosen[setting.key], True
    return setting.default(settings), False


def is_invalid(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("admin.invalid")
