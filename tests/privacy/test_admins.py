"""Who is an admin: what the platform says in each event's actor, remembered, and the operator's KBBOT_ADMINS."""

from __future__ import annotations

from datetime import datetime, timezone
from itertools import count

from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.events import Actor, CommandInvoked, Place
from kbbot.pipeline import inbox
from kbbot.privacy import admins

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)
_IDS = count(1)


def admin_says(sessions: sessionmaker[Session], settings: Settings, is_admin: bool | None,
               who: str = "U0ANN", platform: str = "slack") -> str:
    event = CommandInvoked(platform=platform, workspace_id="T0ACME", event_id=f"Ev{next(_IDS)}",
                           actor=Actor(id=who, name="Ann", is_admin=is_admin),
                           conversation=Place(id="C0GEN", kind="channel", name="general"), command="/kb", text="admin")
    return " ".join(reply.text for reply in inbox.receive(sessions, event, settings, NOW))


def test_the_platforms_flag_is_remembered_until_the_platform_says_otherwise(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    assert "Only workspace admins" in admin_says(sessions, settings, None)
    assert "kbbot settings for this workspace" in admin_says(sessions, settings, True)
    assert "kbbot settings for this workspace" in admin_says(sessions, settings, None)  # nothing said: still admin
    assert "Only workspace admins" in admin_says(sessions, settings, False)  # demoted in Slack: demoted here


def test_kbbot_admins_names_ids_per_platform_or_for_all() -> None:
    settings = Settings(_env_file=None, admins="teams:29:1abc, U0ANN ,console:alice,29:2def")
    assert admins.listed(settings, "teams") == {"29:1abc", "U0ANN", "29:2def"}
    assert admins.listed(settings, "slack") == {"U0ANN", "29:2def"}
    assert admins.listed(settings, "console") == {"U0ANN", "alice", "29:2def"}


def test_an_id_listed_for_teams_is_no_admin_on_slack(sessions: sessionmaker[Session], settings: Settings) -> None:
    listed = settings.model_copy(update={"admins": "teams:U0ANN"})
    assert "Only workspace admins" in admin_says(sessions, listed, None)
    assert "kbbot settings" in admin_says(sessions, listed, None, platform="teams")
