"""Authenticated Bot Connector clients, one per service URL, kept so that their access token is reused.

botbuilder would make a client (and fetch a token) per turn; one per service
URL for the life of the process needs one token an hour. Retries are
switched off in the clients: :mod:`.retry` decides (the SDK's would retry
5xx blindly and never a 429).
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import CloudAdapterBase
from botbuilder.schema import Activity, ConversationParameters
from botframework.connector.aio import ConnectorClient

log = logging.getLogger(__name__)


class Connectors:
    """Connector clients by service URL, created on first use."""

    def __init__(self, adapter: CloudAdapterBase, app_id: str) -> None:
        self._factory = adapter.bot_framework_authentication.create_connector_factory(
            adapter.create_claims_identity(app_id))
        self._clients: dict[str, ConnectorClient] = {}

    async def get(self, service_url: str) -> ConnectorClient:
        client = self._clients.get(service_url)
        if client is None:
            client = await self._factory.create(service_url, None)
            client.config.retry_policy.retries = 0
            client = self._clients.setdefault(service_url, client)
        return client

    async def close(self) -> None:
        for client in self._clients.values():
            try:
                await client.__aexit__(None, None, None)
            except Exception:  # pragma: no cover - closing must not hide the real outcome
                log.debug("closing a connector client failed", exc_info=True)
        self._clients.clear()


class BotbuilderKit:
    """The courier's view of botbuilder (:class:`kbbot_adapters.teams.send.ConnectorKit`)."""

    def __init__(self, adapter: CloudAdapterBase, app_id: str) -> None:
        self.adapter = adapter
        self.connectors = Connectors(adapter, app_id)

    def activity(self, body: dict[str, Any]) -> Activity:
        return Activity().deserialize(body)

    def conversation_parameters(self, body: dict[str, Any]) -> ConversationParameters:
        return ConversationParameters().deserialize(body)
