"""Authorization that never turns a Slack hiccup into a lost event.

With a static bot token Bolt calls ``auth.test`` on the first request and,
if that call fails for any reason, acknowledges the request with HTTP 200
and an apology: Slack then never delivers that event again. Here only a
token Slack rejects for good (revoked, invalid) is answered that way; a
transient failure (rate limit, 5xx, network) raises, Bolt answers 500 (or
sends no Socket Mode ack) and Slack retries later. The answer is cached
once it succeeds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

TOKEN_REJECTED = frozenset({"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"})


class SlackUnavailable(RuntimeError):
    """``auth.test`` failed for a reason that may pass; the request must not be acknowledged."""


def token_authorize(bot_token: str) -> Callable[[AsyncWebClient], Awaitable[AuthorizeResult | None]]:
    """Bolt ``authorize`` for one bot token (``AsyncApp(authorize=...)``).

    A plain function, because Bolt passes arguments by the names in its signature.
    """
    state = _TokenState(bot_token)

    async def authorize(client: AsyncWebClient) -> AuthorizeResult | None:
        return await state.result(client)

    return authorize


class _TokenState:
    def __init__(self, bot_token: str) -> None:
        self.bot_token = bot_token
        self._result: AuthorizeResult | None = None
        self._lock = asyncio.Lock()

    async def result(self, client: AsyncWebClient) -> AuthorizeResult | None:
        if self._result is not None:
            return self._result
        async with self._lock:
            if self._result is None:
                try:
                    response = await client.auth_test(token=self.bot_token)
                except SlackApiError as error:
                    if error.response.get("error") in TOKEN_REJECTED:
                        return None  # Bolt tells the person kbbot is not installed properly
                    raise SlackUnavailable(f"auth.test failed: {error.response.get('error')}") from error
                except Exception as error:  # network trouble of any kind
                    raise SlackUnavailable(f"auth.test failed: {type(error).__name__}: {error}") from error
                self._result = AuthorizeResult.from_auth_test_response(
                    auth_test_response=response, bot_token=self.bot_token,
                    bot_scopes=response.headers.get("x-oauth-scopes"))
        return self._result


class InstalledBotAuthorize(AsyncAuthorize):
    """Multi-workspace: the bot of the workspace's stored installation, without calling ``auth.test``.

    Bolt's own installation-store authorize calls ``auth.test`` and, when that
    call fails (even for a moment), acknowledges the event with an apology.
    The stored installation already holds the bot's user id, id and scopes,
    so nothing needs asking; a database that cannot be read raises, and
    Slack retries.
    """

    def __init__(self, store: AsyncInstallationStore) -> None:
        super().__init__()
        self.store = store

    async def __call__(self, *, context: AsyncBoltContext, enterprise_id: str | None, team_id: str | None,
                       user_id: str | None, actor_enterprise_id: str | None = None, actor_team_id: str | None = None,
                       actor_user_id: str | None = None) -> AuthorizeResult | None:
        bot = await self.store.async_find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                              is_enterprise_install=context.is_enterprise_install)
        if bot is None or not bot.bot_token:
            return None  # not installed here: Bolt tells the person
        return AuthorizeResult(enterprise_id=bot.enterprise_id, team_id=bot.team_id, bot_user_id=bot.bot_user_id,
                               bot_id=bot.bot_id, bot_token=bot.bot_token, bot_scopes=bot.bot_scopes)
