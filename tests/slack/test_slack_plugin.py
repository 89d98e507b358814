"""Which Slack configurations ``kbbot serve`` can run, and in which mode."""

from __future__ import annotations

import pytest

from kbbot.config import Settings
from kbbot_adapters.slack import platform
from kbbot_adapters.slack.app import uses_oauth, uses_socket_mode
from kbbot_adapters.slack.settings import SlackSettings


def slack(**values: object) -> SlackSettings:
    return SlackSettings(_env_file=None, **{name.removeprefix("slack_"): value for name, value in values.items()})


@pytest.mark.parametrize(("values", "runs", "socket_mode"), [
    ({}, False, False),
    ({"slack_bot_token": "xoxb-1"}, False, False),  # HTTP mode needs the signing secret
    ({"slack_bot_token": "xoxb-1", "slack_signing_secret": "s"}, True, False),
    ({"slack_bot_token": "xoxb-1", "slack_app_token": "xapp-1"}, True, True),  # Socket Mode: no public URL
    ({"slack_app_token": "xapp-1"}, False, True),  # and still a bot token or an OAuth app
    ({"slack_client_id": "1.2", "slack_client_secret": "c", "slack_signing_secret": "s"}, True, False),
    ({"slack_client_id": "1.2", "slack_signing_secret": "s"}, False, False),
    ({"slack_bot_token": "xoxb-1", "slack_app_token": "xapp-1", "slack_socket_mode": False}, False, False),
    ({"slack_bot_token": "xoxb-1", "slack_app_token": "xapp-1", "slack_signing_secret": "s",
      "slack_socket_mode": False}, True, False),
])
def test_configured_and_mode(values: dict[str, object], runs: bool, socket_mode: bool) -> None:
    settings = slack(**values)
    assert platform.configured(slack=settings) is runs
    assert platform.SlackPlatform(settings).configured() is runs
    assert uses_socket_mode(settings) is socket_mode
    assert uses_oauth(settings) is bool(values.get("slack_client_id") and values.get("slack_client_secret"))


def test_http_mode_is_never_served_without_request_verification() -> None:
    from aiohttp import web

    from kbbot.store.db import make_engine, session_factory

    engine = make_engine("sqlite://")
    with pytest.raises(ValueError, match="SIGNING_SECRET"):
        platform.attach(web.Application(), Settings(_env_file=None), session_factory(engine),
                        slack(slack_bot_token="xoxb-1"))
    engine.dispose()
