"""Slack as the core sees it: which configurations ``kbbot serve`` can run, in which mode, and what Slack can do."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kbbot.config import Settings
from kbbot_adapters.slack import platform
from kbbot_adapters.slack.app import uses_oauth, uses_socket_mode
from kbbot_adapters.slack.settings import SlackSettings


def slack(**values: object) -> SlackSettings:
    return SlackSettings(_env_file=None, **{name.removeprefix(""): value for name, value in values.items()})


@pytest.mark.parametrize(("values", "runs", "socket_mode"), [
    ({}, False, False),
    ({"bot_token": "xoxb-1"}, False, False),  # HTTP mode needs the signing secret
    ({"bot_token": "xoxb-1", "signing_secret": "s"}, True, False),
    ({"bot_token": "xoxb-1", "app_token": "xapp-1"}, True, True),  # Socket Mode: no public URL
    ({"app_token": "xapp-1"}, False, True),  # and still a bot token or an OAuth app
    ({"client_id": "1.2", "client_secret": "c", "signing_secret": "s"}, True, False),
    ({"client_id": "1.2", "signing_secret": "s"}, False, False),
    ({"bot_token": "xoxb-1", "app_token": "xapp-1", "socket_mode": False}, False, False),
    ({"bot_token": "xoxb-1", "app_token": "xapp-1", "signing_secret": "s",
      "socket_mode": False}, True, False),
])
def test_configured_and_mode(values: dict[str, object], runs: bool, socket_mode: bool) -> None:
    settings = slack(**values)
    assert platform.configured(slack=settings) is runs
    assert platform.SlackPlatform(settings).configured() is runs
    assert uses_socket_mode(settings) is socket_mode
    assert uses_oauth(settings) is bool(values.get("client_id") and values.get("client_secret"))


def test_http_mode_is_never_served_without_request_verification() -> None:
    from aiohttp import web

    from kbbot.store.db import make_engine, session_factory

    engine = make_engine("sqlite://")
    with pytest.raises(ValueError, match="SIGNING_SECRET"):
        platform.attach(web.Application(), Settings(_env_file=None), session_factory(engine),
                        slack(bot_token="xoxb-1"))
    engine.dispose()


def test_the_registered_platform_is_slack_and_costs_no_sdk_to_look_up() -> None:
    code = ("import sys; from kbbot.contract import platform; from kbbot.contract.platform import Platform;"
            "found = platform.get('slack'); assert isinstance(found, Platform), found;"
            "caps = found.capabilities; assert caps.home_surface and caps.slash_commands and caps.hears_reactions;"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('slack_bolt', 'slack_sdk')]; print(bad);"
            "sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("markup", "label"), [
    ("<!channel>", "channel"), ("<!here|here>", "here"), ("<!subteam^S123|@devs>", "@devs"),
    ("<!subteam^S123>", "subteam"), ("<@U123>", "U123"), ("<@U123|bob>", "bob"),
])
def test_each_mention_markup_is_recognised_once_with_its_readable_label(markup: str, label: str) -> None:
    import re

    found = [match.group("label") for pattern in platform.CAPABILITIES.mention_markup
             if (match := re.fullmatch(pattern, markup))]
    assert found == [label]
