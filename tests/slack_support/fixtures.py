"""pytest fixtures for Slack tests; import the ones a module uses (``from slack_support.fixtures import …``).

They build on tests/conftest.py, so every Slack scenario runs on SQLite and
on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot_adapters.slack.settings import SlackSettings
from slack_support.fake_methods import BOT_TOKEN
from slack_support.fake_web_api import FakeSlack, running_fake_slack
from slack_support.harness import SIGNING_SECRET, SlackServer, running_slack_server


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with running_fake_slack() as fake:
        yield fake


@pytest.fixture
def slack_settings(fake_slack: FakeSlack) -> SlackSettings:
    """HTTP mode with a single-workspace bot token, talking to the fake Slack (the environment ignored)."""
    return SlackSettings(_env_file=None, bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=fake_slack.url,
                         socket_mode=False)


@pytest.fixture
def slack(settings: Settings, slack_settings: SlackSettings, sessions: sessionmaker[Session]) -> Iterator[SlackServer]:
    with running_slack_server(settings, sessions, slack_settings) as server:
        yield server
