"""From the adapter's settings (:class:`..settings.TeamsSettings`) to the Agents SDK's authentication.

The same ``KBBOT_TEAMS_*`` settings that configure botbuilder become one
:class:`AgentAuthConfiguration` (the SDK's ``SERVICE_CONNECTION``): the
credentials MSAL gets the bot's outbound tokens with, and what the SDK's
:class:`JwtTokenValidator` accepts inbound (audience = the app id, issuer on
the SDK's allow-list, ``VALIDATE_ISSUER`` switched on: the SDK leaves it off
by default for backward compatibility, and botbuilder always checked it).

Signing keys: in Microsoft's public cloud the SDK fetches them from
``login.botframework.com`` itself, in a thread (never on the event loop), and
nothing here is involved. Only when ``openid_metadata_url`` overrides
Microsoft's endpoints (tests on loopback, a sovereign cloud) does
:func:`install_signing_keys` tell the SDK's key cache where to look: the one
patch point of this backend, checked by ``tests/teams/test_teams_agents_sdk.py``.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any

from jwt import PyJWKClient
from jwt.exceptions import PyJWKClientConnectionError
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import AgentAuthConfiguration, AuthTypes, OutboundHostValidator
from microsoft_agents.hosting.core.authorization._entra_issuers import BOTFRAMEWORK_JWKS_URIS
from microsoft_agents.hosting.core.authorization.jwt.jwt_token_validator import (
    JwtTokenValidator,
    _JwkClientCacheEntry,
)

from kbbot_adapters.teams import auth as common
from kbbot_adapters.teams.settings import TeamsSettings

#: The tenant a multi-tenant bot gets its Bot Connector tokens from (botbuilder's default too).
MULTI_TENANT = "botframework.com"
PUBLIC_LOGIN = "https://login.microsoftonline.com"
#: Seconds for each request of a key fetch.
FETCH_TIMEOUT = 10.0
#: The SDK's connection name for the bot's own credentials.
SERVICE_CONNECTION = "SERVICE_CONNECTION"


def configuration(settings: TeamsSettings) -> AgentAuthConfiguration:
    """The SDK's configuration of the bot's connection, built from ``settings``."""
    app_type = common.app_type_of(settings)
    values: dict[str, Any] = {"client_id": common.app_id(settings), "validate_issuer": True,
                              "connection_name": SERVICE_CONNECTION}
    if app_type == "UserAssignedMSI":
        values.update(auth_type=AuthTypes.user_managed_identity, tenant_id=settings.tenant_id)
    else:
        values.update(auth_type=AuthTypes.client_secret, client_secret=settings.app_password,
                      tenant_id=settings.tenant_id if app_type == "SingleTenant" else MULTI_TENANT)
    if settings.oauth_endpoint:
        values["authority"] = settings.oauth_endpoint
    return AgentAuthConfiguration(**values)


def overridden(settings: TeamsSettings) -> bool:
    """Whether Microsoft's public endpoints are replaced (tests, sovereign clouds)."""
    return bool(settings.openid_metadata_url or settings.oauth_endpoint)


def host_validator(settings: TeamsSettings) -> OutboundHostValidator:
    """The SDK's check of an activity's ``serviceUrl``: only Microsoft's hosts, over HTTPS, in the public cloud.

    With it on, the SDK also refuses a token whose ``serviceurl`` claim names
    another host than the activity. Where the endpoints are overridden the
    service may be anywhere (a loopback fake is plain HTTP), so it is off and
    :func:`..service.authenticate` keeps the claim check on its own.
    """
    return OutboundHostValidator(enabled=not overridden(settings))


def connections(settings: TeamsSettings) -> MsalConnectionManager:
    """The SDK's MSAL connection manager holding the bot's one connection (and its token cache)."""
    return MsalConnectionManager(connections_configurations={SERVICE_CONNECTION: configuration(settings)})


def cloud_adapter(settings: TeamsSettings, manager: MsalConnectionManager | None = None) -> CloudAdapter:
    """The SDK's aiohttp CloudAdapter with MSAL behind it (it also makes a connector client per turn)."""
    install_signing_keys(settings)
    adapter = CloudAdapter(connection_manager=manager or connections(settings), host_validator=host_validator(settings))
    adapter.on_turn_error = _fail_the_request
    return adapter


async def _fail_the_request(context: Any, error: Exception) -> None:
    """A turn that fails must fail its request (500: Teams delivers again), never be answered as done.

    The SDK's default handler would post the exception's text into the
    user's chat and answer 202, losing the activity.
    """
    raise error


class OpenIdKeys(PyJWKClient):
    """The JSON Web Keys an OpenID metadata document points to, for the SDK's validator.

    The SDK's validator knows only Microsoft's JWKS URLs. Given the OpenID
    document instead (what botbuilder and ``KBBOT_TEAMS_OPENID_METADATA_URL``
    name), this reads its ``jwks_uri`` on each fetch. Fetches run where the
    SDK runs ``PyJWKClient``: in a thread, one at a time per URL.
    """

    def __init__(self, metadata_url: str) -> None:
        super().__init__(metadata_url, timeout=FETCH_TIMEOUT)
        self.metadata_url = metadata_url

    def fetch_data(self) -> Any:
        try:
            with urllib.request.urlopen(self.metadata_url, timeout=FETCH_TIMEOUT) as response:  # noqa: S310
                self.uri = str(json.load(response)["jwks_uri"])
        except (urllib.error.URLError, TimeoutError, OSError, ValueError, KeyError) as error:
            raise PyJWKClientConnectionError(f"OpenID metadata not read from {self.metadata_url}: {error}") from error
        return super().fetch_data()


def key_urls(settings: TeamsSettings) -> tuple[str, ...]:
    """Every JWKS URL the SDK's validator may look keys up at for this bot: Bot Framework's and Entra's."""
    tenant = configuration(settings).TENANT_ID or "common"
    return (*BOTFRAMEWORK_JWKS_URIS.values(), f"{PUBLIC_LOGIN}/{tenant}/discovery/v2.0/keys",
            f"{PUBLIC_LOGIN}/common/discovery/v2.0/keys")


def install_signing_keys(settings: TeamsSettings) -> OpenIdKeys | None:
    """Point the SDK's key cache at ``openid_metadata_url`` when it is set; undo that when it is not.

    The cache is the validator's class-level ``_JwkClientManager`` (one
    ``PyJWKClient`` per JWKS URL): every URL it may derive from a token's
    issuer gets the same :class:`OpenIdKeys`, so a token from any issuer is
    checked against the configured keys only, and its issuer is then judged
    by the SDK's allow-list as usual.
    """
    cache = JwtTokenValidator._jwk_client_manager._cache
    if not settings.openid_metadata_url:
        for url in key_urls(settings):
            if isinstance(getattr(cache.get(url), "jwk_client", None), OpenIdKeys):
                del cache[url]
        return None
    keys = OpenIdKeys(settings.openid_metadata_url)
    for url in key_urls(settings):
        cache[url] = _JwkClientCacheEntry(keys, threading.Lock())
    return keys
