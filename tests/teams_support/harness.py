"""The real Teams adapter on 127.0.0.1, driven like Teams drives it.

:class:`TeamsHarness` runs ``plugin.attach`` on a real aiohttp server in a
thread of its own (as ``kbbot serve`` would), next to :class:`FakeMicrosoft`.
A test POSTs activities (JSON fixtures shaped as Microsoft documents them)
with a signed channel token, waits until the bot has finished its work, and
reads what the bot sent to the fake Bot Connector: what a Teams user sees.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests
from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.outbound import Outbound
from kbbot_adapters.teams import plugin
from loopback import LoopbackServer

from . import ids
from .fake_microsoft import FakeMicrosoft, SentActivity

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "teams"
_ids = itertools.count(1)


def teams_settings(settings: Settings, fake: FakeMicrosoft) -> Settings:
    """The test's settings with Teams credentials and every Microsoft URL pointing at ``fake``."""
    return settings.model_copy(update={
        "teams_app_id": fake.app_id, "teams_app_password": fake.app_password,
        "teams_openid_metadata_url": fake.openid_metadata_url, "teams_oauth_endpoint": fake.login_authority,
    })


def load(name: str, fake: FakeMicrosoft | None = None, **changes: Any) -> dict[str, Any]:
    """A fixture activity; top-level keys in ``changes`` replace the fixture's (``from_`` for ``from``)."""
    activity = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    for key, value in changes.items():
        activity[key.rstrip("_")] = copy.deepcopy(value)
    if fake is not None:
        activity["serviceUrl"] = fake.service_url
    return activity


def fresh_id() -> str:
    """A new Teams-shaped activity id (epoch milliseconds)."""
    return str(1_700_000_500_000 + next(_ids))


class TeamsHarness:
    """A running server with the Teams adapter attached; ``post`` plays the Bot Framework channel."""

    def __init__(self, fake: FakeMicrosoft, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.fake = fake
        self.settings = settings
        self.sessions = sessions
        self._server = LoopbackServer("teams-harness")
        self.loop = self._server.loop
        self.outbound: Outbound | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> TeamsHarness:
        self.port = self._server.start(self._build)
        return self

    def _build(self) -> web.Application:
        app = web.Application()
        self.outbound = plugin.attach(app, self.settings, self.sessions)
        self.service = app[plugin.SERVICE]
        return app

    def stop(self) -> None:
        self._server.stop()

    def _run(self, coroutine: Any, timeout: float = 30.0) -> Any:
        return self._server.run(coroutine, timeout)

    # -- playing Teams ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{plugin.MESSAGES_PATH}"

    def post(self, activity: dict[str, Any], authorization: str | None = "valid", wait: bool = True
             ) -> requests.Response:
        """POST ``activity`` as the channel would; by default wait until the bot finished its work."""
        headers = {"Content-Type": "application/json"}
        if authorization == "valid":
            headers["Authorization"] = self.fake.channel_auth_header()
        elif authorization is not None:
            headers["Authorization"] = authorization
        response = requests.post(self.url, data=json.dumps(activity), headers=headers, timeout=30)
        if wait:
            self.idle()
        return response

    def idle(self) -> None:
        self._run(self.service.bot.idle())

    def seen_since(self, mark: int) -> list[SentActivity]:
        return self.fake.sent[mark:]


def card_texts(sent: SentActivity) -> list[str]:
    """Every TextBlock text of the Adaptive Card(s) in a sent activity (or in a created conversation's)."""
    activity = sent.activity.get("activity", sent.activity) if sent.kind == "create_conversation" else sent.activity
    texts: list[str] = []
    for attachment in activity.get("attachments") or []:
        texts.extend(_texts(attachment.get("content") or {}))
    return texts


def _texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "TextBlock":
            yield str(node.get("text", ""))
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


def card_actions(sent: SentActivity) -> list[dict[str, Any]]:
    """The Action.Submit buttons of a sent card: their title and data."""
    activity = sent.activity.get("activity", sent.activity) if sent.kind == "create_conversation" else sent.activity
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for attachment in activity.get("attachments") or []:
        walk(attachment.get("content"))
    return found


def to_person(sent: list[SentActivity], conversation_id: str) -> list[SentActivity]:
    return [s for s in sent if s.conversation_id == conversation_id]


__all__ = ["TeamsHarness", "teams_settings", "load", "fresh_id", "card_texts", "card_actions", "to_person", "ids"]
