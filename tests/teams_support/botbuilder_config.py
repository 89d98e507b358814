"""How to build the *real* botbuilder CloudAdapter against :class:`FakeMicrosoft`.

No botbuilder internals are patched. botbuilder 4.17 already has the
sovereign/private-cloud switches we need:
``ConfigurationBotFrameworkAuthentication`` reads the attributes below from a
plain config object, and as soon as *any* of the ``TO_*``/``OAUTH_URL``/
``CALLER_ID`` attributes is set, ``BotFrameworkAuthenticationFactory`` builds
``_ParameterizedBotFrameworkAuthentication`` instead of the hard-coded public
cloud. That class then

* validates inbound tokens with ``JwtTokenExtractor(metadata_url=
  TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL)`` and requires ``iss ==
  TO_BOT_FROM_CHANNEL_TOKEN_ISSUER``, ``aud`` == APP_ID, ``serviceurl`` ==
  activity.serviceUrl and the JWK endorsing ``activity.channelId``;
* gets outbound tokens through ``PasswordServiceClientCredentialFactory`` which,
  for a login URL that is not ``https://login.microsoftonline.com/...`` /
  ``.us``, creates ``_PrivateCloudAppCredentials`` whose MSAL authority *is*
  ``TO_CHANNEL_FROM_BOT_LOGIN_URL``.

Because so, production (public cloud: only APP_ID/APP_PASSWORD/APP_TYPE/
APP_TENANTID set) runs ``_PublicCloudBotFrameworkAuthentication`` while tests
run the parameterized class. Both share ``JwtTokenExtractor``, the claim rules
and the connector client; the difference is only where URLs come from.

The one process-level setting: ``REQUESTS_CA_BUNDLE`` must point at the fake
CA while the adapter makes outbound calls (MSAL only accepts ``https``
authorities). Use :func:`trust_fake_microsoft` or pytest's ``monkeypatch.setenv``.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Iterator

from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from .fake_microsoft import FakeMicrosoft
from .keys import BOT_FRAMEWORK_ISSUER


@dataclass(frozen=True)
class TeamsTestBotConfig:
    """Attribute names are exactly what ConfigurationBotFrameworkAuthentication ``getattr``s."""

    APP_ID: str
    APP_PASSWORD: str
    TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL: str
    TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL: str
    TO_CHANNEL_FROM_BOT_LOGIN_URL: str
    OAUTH_URL: str
    APP_TYPE: str = "MultiTenant"
    TO_BOT_FROM_CHANNEL_TOKEN_ISSUER: str = BOT_FRAMEWORK_ISSUER
    TO_CHANNEL_FROM_BOT_OAUTH_SCOPE: str = "https://api.botframework.com"
    #: What the public cloud stamps on ``activity.caller_id``; keeps turns production-like.
    CALLER_ID: str = "urn:botframework:azure"
    #: Read by botbuilder but NOT forwarded to MSAL in 4.17.1 (MicrosoftAppCredentials drops it);
    #: that is why ``FakeMicrosoft.login_authority`` uses MSAL's ``/adfs`` convention instead.
    VALIDATE_AUTHORITY: bool = False


def bot_config(fake: FakeMicrosoft) -> TeamsTestBotConfig:
    """The configuration object pointing every Microsoft URL at ``fake``."""
    return TeamsTestBotConfig(
        APP_ID=fake.app_id,
        APP_PASSWORD=fake.app_password,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=fake.openid_metadata_url,
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=fake.emulator_openid_metadata_url,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=fake.login_authority,
        OAUTH_URL=fake.http_base,  # user-token (OAuth card) service; unused by kbbot, kept local
    )


def make_cloud_adapter(fake: FakeMicrosoft) -> CloudAdapter:
    """The real CloudAdapter, configured exactly like production except for the URLs."""
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(bot_config(fake)))


@contextlib.contextmanager
def trust_fake_microsoft(fake: FakeMicrosoft) -> Iterator[None]:
    """Make every ``requests`` call in this process trust the fake's CA (restored afterwards).

    ``requests`` reads ``REQUESTS_CA_BUNDLE`` per request
    (``Session.merge_environment_settings``), so this covers the sessions MSAL
    and msrest create internally. It replaces the system CA list, which is
    harmless in tests where only loopback exists.
    """
    previous = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = fake.ca_bundle_path
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = previous
