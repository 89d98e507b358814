"""The Agents SDK's Bot Connector clients, one per service URL, with the bot's token kept fresh.

The SDK's own way makes a connector client (an aiohttp session and a token
lookup) per turn, for that turn's conversation. kbbot's courier sends on
behalf of stored references too (digests, prompts) and many times a turn,
so it keeps one :class:`TeamsConnectorClient` per service URL and event loop,
and before each call asks the SDK's MSAL provider for the token (MSAL answers
from its cache until the token nears its end). The SDK's client retries
nothing, so :mod:`..retry` alone decides, as with botbuilder.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from microsoft_agents.activity import Activity, ConversationParameters
from microsoft_agents.hosting.core import AuthenticationConstants
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from kbbot_adapters.teams.agents import auth
from kbbot_adapters.teams.settings import TeamsSettings

log = logging.getLogger(__name__)

#: The Bot Connector's resource and scope (public cloud and every override alike).
RESOURCE = AuthenticationConstants.AGENTS_SDK_SCOPE
SCOPES = [f"{RESOURCE}/.default"]
#: How often the token is asked for again (MSAL serves it from its cache until it nears expiry).
TOKEN_CHECK_EVERY = 60.0
#: Seconds for one Bot Connector request.
REQUEST_TIMEOUT = 60.0


class _Client:
    """A connector client whose ``conversations`` operations first make sure the token is fresh."""

    def __init__(self, owner: AgentsConnectors, service_url: str) -> None:
        self._owner = owner
        self.loop = asyncio.get_running_loop()
        endpoint = service_url if service_url.endswith("/") else f"{service_url}/"
        self.session = aiohttp.ClientSession(base_url=endpoint, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT))
        self.client = TeamsConnectorClient(endpoint, "", session=self.session)
        self.conversations = _Authorised(self, self.client.conversations)
        self._token: str | None = None
        self._checked = 0.0

    async def authorise(self) -> None:
        now = time.monotonic()
        if self._token is not None and now - self._checked < TOKEN_CHECK_EVERY:
            return
        token = await self._owner.token()
        self._token, self._checked = token, now
        self.session.headers["Authorization"] = f"Bearer {token}"

    async def close(self) -> None:
        await self.session.close()


class _Authorised:
    """The SDK's ``conversations`` operations, each preceded by :meth:`_Client.authorise`."""

    def __init__(self, client: _Client, operations: Any) -> None:
        self._client = client
        self._operations = operations

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        operation = getattr(self._operations, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            await self._client.authorise()
            return await operation(*args, **kwargs)

        return call


class AgentsConnectors:
    """Connector clients by service URL (and event loop), created on first use."""

    def __init__(self, settings: TeamsSettings, manager: Any = None) -> None:
        self._manager = manager or auth.connections(settings)
        self._clients: dict[str, _Client] = {}

    async def token(self) -> str:
        """The bot's Bot Connector token from the SDK's MSAL provider; PermissionError when Entra refuses it."""
        provider = self._manager.get_default_connection()
        try:
            return str(await provider.get_access_token(RESOURCE, SCOPES))
        except ValueError as error:  # the SDK's way of saying Entra gave no token: the credentials are wrong
            raise PermissionError(str(error)) from error

    async def get(self, service_url: str) -> _Client:
        loop = asyncio.get_running_loop()
        client = self._clients.get(service_url)
        if client is None or client.loop is not loop:
            client = self._clients[service_url] = _Client(self, service_url)
        return client

    async def close(self) -> None:
        """Close the clients of the running loop (the others' loops are gone with their sessions)."""
        loop = asyncio.get_running_loop()
        for client in list(self._clients.values()):
            if client.loop is loop:
                try:
                    await client.close()
                except Exception:  # pragma: no cover - closing must not hide the real outcome
                    log.debug("closing a connector client failed", exc_info=True)
        self._clients.clear()


class AgentsKit:
    """The courier's view of the Agents SDK (:class:`kbbot_adapters.teams.send.ConnectorKit`)."""

    def __init__(self, settings: TeamsSettings, manager: Any = None) -> None:
        self.connectors = AgentsConnectors(settings, manager)

    def activity(self, body: dict[str, Any]) -> Activity:
        return Activity.model_validate(body)

    def conversation_parameters(self, body: dict[str, Any]) -> ConversationParameters:
        return ConversationParameters.model_validate(body)
