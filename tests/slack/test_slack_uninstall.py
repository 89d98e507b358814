"""A workspace removes kbbot: its tokens are forgotten and nothing is sent there until it comes back.

Slack sends ``app_uninstalled`` (and ``tokens_revoked`` for the bot's token)
once the app is gone. Without acting on them kbbot would keep its tokens and
try every week to prompt and digest people it can no longer reach.
"""

from __future__ import annotations

import copy
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.outbound import DeliveryFailed
from kbbot.contract.replies import DirectMessage, Reply
from kbbot.scheduler.delivery import Deliverer
from kbbot.scheduler.pacing import Pacer
from kbbot.weekly.schedules import DIGEST
from kbbot.store.db import unit_of_work
from kbbot.store.models import Workspace
from kbbot_adapters.slack import platform
from kbbot_adapters.slack.settings import SlackSettings
from slack_support.fake_web_api import FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture, running_slack_server
from test_slack_install import install, oauth_settings  # noqa: F401 - pytest fixture


def _removed(sessions: sessionmaker[Session]) -> bool:
    with unit_of_work(sessions) as session:
        space = session.scalars(select(Workspace).where(Workspace.external_id == "T0001")).one()
        return space.removed_at is not None


def _digest_round(settings: Settings, slack: SlackSettings, sessions: sessionmaker[Session]) -> str:
    """A digest round in which every digest of the past week is still due; what it did, as the log says."""
    deliverer = Deliverer(settings, sessions, {"slack": platform.outbound(settings, sessions, slack)},
                          kinds=frozenset({DIGEST}), grace=timedelta(days=8), pacer=Pacer(sleep=lambda _s: None))
    return str(deliverer.run())


def _event(name: str, event_id: str, event_time: int) -> dict:
    envelope = copy.deepcopy(fixture(name))
    envelope["event_id"], envelope["event_time"] = event_id, event_time
    return envelope


def test_after_an_uninstall_nothing_is_sent_there_until_someone_uses_kbbot_again(
        slack: SlackServer, settings: Settings, slack_settings: SlackSettings, fake_slack: FakeSlack,
        sessions: sessionmaker[Session]) -> None:
    assert slack.event(fixture("event_app_home_opened.json")).status == 200  # Bob, in workspace T0001
    slack.settle()

    # Someone revoking their own authorisation leaves the bot where it is.
    assert slack.event(fixture("event_tokens_revoked.json")).status == 200
    slack.settle()
    assert not _removed(sessions)

    assert slack.event(fixture("event_app_uninstalled.json")).status == 200
    slack.settle()
    assert _removed(sessions)
    before = len(fake_slack.calls)
    assert _digest_round(settings, slack_settings, sessions) == "nothing due"
    assert fake_slack.calls[before:] == []  # not even an attempt

    # Nor does a slash command accepted before the uninstall and handled after it (it says not when it
    # happened); nor a retry of something Bob did before the uninstall.
    assert slack.command(fixture("command_ask.json")).status == 200
    slack.settle()
    assert _removed(sessions)
    assert slack.event(_event("event_app_home_opened.json", "Ev0HOME00002", 1700000800)).status == 200
    slack.settle()
    assert _removed(sessions)

    # Reinstalled: Bob opens kbbot's home again, and his weekly digest is due once more.
    home = _event("event_app_home_opened.json", "Ev0HOME00003", 1700001000)
    home["event"]["event_ts"] = "1700001000.000100"
    assert slack.event(home).status == 200
    slack.settle()
    assert not _removed(sessions)
    resumed = _digest_round(settings, slack_settings, sessions)  # Bob's and Alice's (her /ask made her known)
    assert resumed in ("empty 2", "empty 1, sent 1", "sent 2"), resumed


def test_a_revoked_bot_token_counts_as_removal(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    assert slack.event(fixture("event_app_home_opened.json")).status == 200
    revoked = fixture("event_tokens_revoked.json")
    revoked["event"]["tokens"] = {"oauth": [], "bot": ["U_KBBOT"]}
    assert slack.event(revoked).status == 200
    slack.settle()
    assert _removed(sessions)


def test_an_uninstall_forgets_the_installation_and_a_reinstall_resumes(
        settings: Settings, oauth_settings: SlackSettings, fake_slack: FakeSlack,
        sessions: sessionmaker[Session]) -> None:
    def installations() -> int:
        with unit_of_work(sessions) as session:
            return int(session.execute(text("SELECT count(*) FROM slack_installations")).scalar() or 0)

    with running_slack_server(settings, sessions, oauth_settings) as server:
        install(server, "code-from-slack-1")
        assert server.event(fixture("event_app_home_opened.json")).status == 200
        server.settle()
        assert installations() == 1 and not _removed(sessions)

        # Slack reports the uninstall as it happens (event_time in whole seconds), after the install.
        time.sleep(1.05)
        assert server.event(_event("event_app_uninstalled.json", "Ev0UNINSTALL2", int(time.time()))).status == 200
        server.settle()
        assert installations() == 0  # its tokens are gone, as Bolt's own listeners would do
        assert _removed(sessions)
        with pytest.raises(DeliveryFailed, match="not installed"):
            platform.outbound(settings, sessions, oauth_settings).send(
                "T0001", Reply(text="hello", to=DirectMessage(person_id="U_BOB")), {})

        install(server, "code-from-slack-2")
        server.settle()
        assert installations() == 1
        assert not _removed(sessions)  # installed again: prompts and digests resume
