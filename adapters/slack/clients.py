"""Web API clients with the retry policy kbbot relies on: patient, but never posting twice.

* **429**: wait what ``Retry-After`` says (fractions allowed; Slack sends
  whole seconds), plus a little jitter so several workers do not return in
  lock-step, up to :data:`RATE_LIMIT_RETRIES` times. Slack did not perform a
  rate-limited call, so repeating it is always safe.
* **Connection errors**: a call that never reached Slack (refused, DNS,
  connect timeout) is retried. A call whose connection broke *after* it was
  sent may have been performed, so it is retried only for methods that are
  idempotent (reads, ``views.publish``, ``chat.update``); a lost
  ``chat.postMessage`` is reported, never repeated blindly.

:class:`Tokens` finds the bot token a workspace's calls are made with: the
configured single-workspace token, or the installation Bolt stored when the
workspace installed kbbot (OAuth).
"""

from __future__ import annotations

import asyncio
import random
import socket
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.jitter import Jitter
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from kbbot.contract.outbound import DeliveryFailed, RetryLater
from kbbot_adapters.slack.settings import SlackSettings

if TYPE_CHECKING:
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

RATE_LIMIT_RETRIES = 5
CONNECTION_RETRIES = 2
TIMEOUT = 10
IDEMPOTENT_METHODS = frozenset({
    "auth.test", "users.info", "conversations.info", "conversations.members", "conversations.open",
    "chat.getPermalink", "views.publish", "chat.update",
})


def retry_after(headers: Mapping[str, str | list[str]] | None, default: float = 1.0) -> float:
    """Seconds Slack asked us to wait (the ``Retry-After`` header), or ``default``."""
    for name, values in (headers or {}).items():
        if name.lower() == "retry-after":
            value = values[0] if isinstance(values, list) else values
            try:
                return max(0.0, float(value))
            except ValueError:
                return default
    return default


def _pause(seconds: float) -> float:
    return seconds + random.uniform(0, min(0.5, seconds * 0.1 + 0.01))


def _api_method(request: HttpRequest) -> str:
    return request.url.rsplit("/", 1)[-1].split("?", 1)[0]


def _never_sent(error: BaseException) -> bool:
    reason = error.reason if isinstance(error, URLError) else error
    return isinstance(reason, (ConnectionRefusedError, socket.gaierror))


class _ProportionalJitter(Jitter):
    """Up to half the interval again (slack_sdk's default adds up to a whole second to any interval)."""

    def recalculate(self, duration: float) -> float:
        return duration * (1 + random.random() / 2)


class RateLimitRetry(RetryHandler):
    def __init__(self, max_retry_count: int = RATE_LIMIT_RETRIES) -> None:
        super().__init__(max_retry_count=max_retry_count)

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        return response is not None and response.status_code == 429

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None, error: Exception | None = None) -> None:
        state.next_attempt_requested = True
        time.sleep(_pause(retry_after(response.headers if response else None)))
        state.increment_current_attempt()


class ConnectionRetry(RetryHandler):
    def __init__(self, max_retry_count: int = CONNECTION_RETRIES) -> None:
        super().__init__(max_retry_count=max_retry_count,
                         interval_calculator=BackoffRetryIntervalCalculator(0.1, _ProportionalJitter()))

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        if error is None or response is not None:
            return False
        if _never_sent(error):
            return True
        return _api_method(request) in IDEMPOTENT_METHODS and isinstance(error, (URLError, ConnectionError))


class AsyncRateLimitRetry(AsyncRetryHandler):
    def __init__(self, max_retry_count: int = RATE_LIMIT_RETRIES) -> None:
        super().__init__(max_retry_count=max_retry_count)

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        return response is not None and response.status_code == 429

    async def prepare_for_next_attempt_async(self, *, state: RetryState, request: HttpRequest,
                                             response: HttpResponse | None = None,
                                             error: Exception | None = None) -> None:
        state.next_attempt_requested = True
        await asyncio.sleep(_pause(retry_after(response.headers if response else None)))
        state.increment_current_attempt()


def base_url(settings: SlackSettings) -> str:
    return settings.api_url or WebClient.BASE_URL


def web_client(settings: SlackSettings, token: str | None, rate_limit_retries: int = RATE_LIMIT_RETRIES) -> WebClient:
    """A blocking client for work after the ack and for the scheduler's sends (run in worker threads)."""
    return WebClient(token=token, base_url=base_url(settings), timeout=TIMEOUT,
                     retry_handlers=[ConnectionRetry(), RateLimitRetry(rate_limit_retries)])


def async_web_client(settings: SlackSettings, token: str | None = None) -> AsyncWebClient:
    """Bolt's own client (authorization, OAuth, lookups before the ack); Bolt copies its settings per request."""
    # Its calls are reads (auth.test, conversations.info/members, apps.connections.open) or a single-use
    # OAuth code exchange, so a broken connection may be retried too.
    return AsyncWebClient(token=token, base_url=base_url(settings), timeout=TIMEOUT,
                          retry_handlers=[AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
                                          AsyncRateLimitRetry(2)])


class Tokens:
    """The bot token for a workspace (Slack team id), for work after the ack and for every send."""

    def __init__(self, settings: SlackSettings, installations: SQLAlchemyInstallationStore | None = None) -> None:
        self.settings = settings
        self.installations = installations

    def bot_token(self, team_id: str) -> str:
        """Raises DeliveryFailed where kbbot is not installed, RetryLater when the store cannot be read."""
        if self.installations is None:
            if not self.settings.bot_token:
                raise DeliveryFailed("no Slack bot token configured")
            return self.settings.bot_token
        try:
            bot = self.installations.find_bot(enterprise_id=None, team_id=team_id)
        except SQLAlchemyError as error:
            raise RetryLater(f"installation store unavailable: {error}", 30.0) from error
        if bot is None or not bot.bot_token:
            raise DeliveryFailed(f"kbbot is not installed in Slack workspace {team_id}")
        return bot.bot_token
