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


def owner_says(sessions: sessionmaker[Session], settings: Settings, text: str, owns_place: bool | None,
               kind: str = "channel") -> str:
    """Ann, whom the platform reports (or not) as the owner of the team this conversation is in, says ``text``."""
    where = Place(id="C0GEN", kind="channel", name="general") if kind == "channel" else Place(id="D0ANN", kind="dm")
    event = CommandInvoked(platform="teams", workspace_id="T0ACME", event_id=f"Ev{next(_IDS)}",
                           actor=Actor(id="29:ann", name="Ann", owns_place=owns_place), conversation=where,
                           command="kb", text=text)
    return " ".join(reply.text for reply in inbox.receive(sessions, event, settings, NOW))


def test_a_teams_owner_administers_where_the_platform_says_so_and_never_data_policies(
        sessions: sessionmaker[Session], settings: Settings) -> None:
    assert "digest-day is now tue for this workspace" in owner_says(sessions, settings, "admin set digest-day tue",
                                                                    True)
    refused = owner_says(sessions, settings, "admin set retention-events 30", True)
    assert "only the workspace's admins can change it" in refused
    assert "not a team's owners" in owner_says(sessions, settings, "admin set erasure delete", True)
    # Not remembered: the next event says nothing of her ownership, and she is nobody's admin.
    assert "Only workspace admins" in owner_says(sessions, settings, "admin set digest-day wed", None)
    # A direct message belongs to no team: whatever an adapter says there grants nothing.
    assert "Only workspace admins" in owner_says(sessions, settings, "admin set digest-day wed", True, kind="dm")


def test_a_workspace_admin_who_owns_a_team_keeps_every_setting(sessions: sessionmaker[Session],
                                                               settings: Settings) -> None:
    listed = settings.model_copy(update={"admins": "teams:29:ann"})
    assert "retention-events is now 5 days for this workspace" in owner_says(
        sessions, listed, "admin set retention-events 5", True)
