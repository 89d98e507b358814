"""The Slack side of :class:`kbbot.contract.outbound.Outbound`: how the scheduler reaches Slack.

The scheduler sends prompts, digests and DMs with no inbound event at hand,
so the bot token is found per workspace: the configured single-workspace
token, or the installation Bolt stored when the workspace installed kbbot.
``send`` blocks (the scheduler calls it from its own threads) and uses few
rate-limit retries: a busy workspace becomes :class:`RetryLater` quickly,
and the scheduler decides when to try again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.outbound import DeliveryFailed, RetryLater
from kbbot.contract.replies import Reply
from kbbot_adapters.slack.clients import web_client
from kbbot_adapters.slack.send import Delivery
from kbbot_adapters.slack.permalinks import Permalinks

if TYPE_CHECKING:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

SCHEDULER_RATE_LIMIT_RETRIES = 1


class Tokens:
    """The bot token for a workspace (Slack team id)."""

    def __init__(self, settings: Settings, installations: SQLAlchemyInstallationStore | None) -> None:
        self.settings = settings
        self.installations = installations

    def bot_token(self, team_id: str) -> str:
        if self.installations is None:
            if not self.settings.slack_bot_token:
                raise DeliveryFailed("no Slack bot token configured")
            return self.settings.slack_bot_token
        try:
            bot = self.installations.find_bot(enterprise_id=None, team_id=team_id)
        except SQLAlchemyError as error:
            raise RetryLater(f"installation store unavailable: {error}", 30.0) from error
        if bot is None or not bot.bot_token:
            raise DeliveryFailed(f"kbbot is not installed in Slack workspace {team_id}")
        return bot.bot_token


class SlackOutbound:
    """``platform = "slack"``; one reply at a time, returning the posted message's ``ts``."""

    platform = "slack"

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], tokens: Tokens,
                 links: Permalinks | None = None) -> None:
        self.settings = settings
        self.sessions = sessions
        self.tokens = tokens
        self.links = links or Permalinks(sessions)

    def send(self, workspace_id: str, reply: Reply) -> str | None:
        client = web_client(self.settings, self.tokens.bot_token(workspace_id), SCHEDULER_RATE_LIMIT_RETRIES)
        return Delivery(client, self.sessions, self.links).send(reply)
