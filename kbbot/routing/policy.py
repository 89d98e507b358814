"""The ladder as a workspace runs it: the operator's defaults (``KBBOT_ROUTING_*``) under the workspace's own.

A later admin surface writes :class:`~kbbot.store.models.RoutingSettings`;
everything that routes reads it only through :func:`policy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from kbbot.config import Settings
from kbbot.routing.hours import WorkingHours, parse_days
from kbbot.store.models import RoutingSettings, Workspace

WORKING_HOURS_SETTING = "working_hours"
"""The key of ``Workspace.settings`` that ``/kb admin`` stores working hours under (``HH:MM-HH:MM``)."""
from kbbot.weekly.timing import valid_time


@dataclass(frozen=True)
class Policy:
    """What the ladder does in one workspace; hours and days count in the relevant person's timezone."""

    first_invites: int
    second_after_hours: float
    second_invites: int
    repost_after_days: float
    repost_channel: str | None
    tell_after_days: float
    claim_pause_hours: float
    pings_per_week: int
    work_start: str
    work_end: str
    work_days: frozenset[int]
    horizon_days: int
    tag_channels: dict[str, str] = field(default_factory=dict)

    def hours(self, timezone: str) -> WorkingHours:
        return WorkingHours(self.work_start, self.work_end, self.work_days, timezone)


def _time(value: str | None, fallback: str) -> str:
    if value in ("24:00",):
        return value
    return valid_time(value) or fallback


def policy(session: Session, settings: Settings, workspace_id: int) -> Policy:
    """The workspace's ladder: each of its own settings where set, else the operator's."""
    own = session.get(RoutingSettings, workspace_id)
    # Working hours an admin set in chat (``/kb admin set working-hours 08:30-17:00``) replace the operator's.
    space = session.get(Workspace, workspace_id)
    chosen = str((space.settings or {}).get(WORKING_HOURS_SETTING) or "") if space is not None else ""
    chat_start, _, chat_end = chosen.partition("-")

    def pick(name: str, default: object) -> object:
        value = getattr(own, name, None) if own is not None else None
        return default if value is None else value

    return Policy(
        first_invites=int(pick("first_invites", settings.routing_first_invites)),  # type: ignore[call-overload]
        second_after_hours=float(pick("second_after_hours", settings.routing_second_after_hours)),  # type: ignore[arg-type]
        second_invites=int(pick("second_invites", settings.routing_second_invites)),  # type: ignore[call-overload]
        repost_after_days=float(pick("repost_after_days", settings.routing_repost_after_days)),  # type: ignore[arg-type]
        repost_channel=pick("repost_channel", settings.routing_repost_channel),  # type: ignore[arg-type]
        tell_after_days=float(pick("tell_after_days", settings.routing_tell_after_days)),  # type: ignore[arg-type]
        claim_pause_hours=float(pick("claim_pause_hours", settings.routing_claim_pause_hours)),  # type: ignore[arg-type]
        pings_per_week=int(pick("pings_per_week", settings.routing_pings_per_week)),  # type: ignore[call-overload]
        work_start=_time(pick("work_start", chat_start or settings.routing_work_start), "09:00"),  # type: ignore[arg-type]
        work_end=_time(pick("work_end", chat_end or settings.routing_work_end), "17:30"),  # type: ignore[arg-type]
        work_days=parse_days(str(pick("work_days", settings.routing_work_days))),
        horizon_days=settings.routing_horizon_days,
        tag_channels=dict(pick("tag_channels", {}) or {}),  # type: ignore[call-overload]
    )
