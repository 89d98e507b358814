"""From the adapter's settings (:class:`.settings.TeamsSettings`) to botbuilder's authentication configuration.

botbuilder reads its configuration from a plain object by attribute name
(``APP_ID``, ``APP_PASSWORD``, ``APP_TYPE``…). With none of the URL
overrides set it runs its built-in public-cloud authentication; as soon as
``openid_metadata_url`` or ``oauth_endpoint`` is set (tests, a
sovereign cloud) every URL must be given, so the public defaults fill the
ones not overridden.

Whatever the configuration, botbuilder fetches the signing keys of inbound
tokens through :mod:`.signing_keys` (in a thread, never on the event loop):
:func:`cloud_adapter` installs it for every URL of :func:`openid_metadata_urls`.
"""

from __future__ import annotations

from types import SimpleNamespace

from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botframework.connector.auth import AuthenticationConstants

from kbbot_adapters.teams import signing_keys
from kbbot_adapters.teams.settings import TeamsSettings

PUBLIC_ISSUER = "https://api.botframework.com"
PUBLIC_SCOPE = "https://api.botframework.com"
PUBLIC_TOKEN_SERVICE = "https://api.botframework.com"
PUBLIC_CALLER_ID = "urn:botframework:azure"
PUBLIC_LOGIN = "https://login.microsoftonline.com"


def app_id(settings: TeamsSettings) -> str | None:
    """The bot's Microsoft app id (a user-assigned managed identity's client id is the app id)."""
    return settings.app_id or settings.managed_identity_client_id


def configured(settings: TeamsSettings) -> bool:
    """True when Teams credentials exist: app id + password, or a managed identity and its tenant."""
    if settings.app_id and settings.app_password:
        return True
    return bool(settings.managed_identity_client_id and settings.tenant_id)


def app_type_of(settings: TeamsSettings) -> str:
    """botbuilder's APP_TYPE: MultiTenant, SingleTenant, or UserAssignedMSI without a password."""
    if not (settings.app_id and settings.app_password):
        return "UserAssignedMSI"
    return "SingleTenant" if settings.app_type.casefold() == "singletenant" else "MultiTenant"


def bot_configuration(settings: TeamsSettings) -> SimpleNamespace:
    """The object ConfigurationBotFrameworkAuthentication reads, built from ``settings``."""
    values: dict[str, object] = {"APP_ID": app_id(settings), "APP_TYPE": app_type_of(settings)}
    if settings.app_password:
        values["APP_PASSWORD"] = settings.app_password
    if settings.tenant_id:
        values["APP_TENANTID"] = settings.tenant_id
    if settings.openid_metadata_url or settings.oauth_endpoint:
        values.update({
            "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER": PUBLIC_ISSUER,
            "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE": PUBLIC_SCOPE,
            "OAUTH_URL": PUBLIC_TOKEN_SERVICE,
            "CALLER_ID": PUBLIC_CALLER_ID,
            # botbuilder 4.17 does not hand this on to MSAL; kept for the SDK's own checks.
            "VALIDATE_AUTHORITY": False,
        })
        # Unset, botbuilder would look for signing keys at no URL at all and refuse every request.
        values["TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL"] = (
            settings.openid_metadata_url or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL)
        # Emulator tokens are never expected; keep their metadata on the same (trusted) server.
        values["TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL"] = (
            settings.openid_metadata_url or AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL)
        tenant = settings.tenant_id if app_type_of(settings) != "MultiTenant" else None
        values["TO_CHANNEL_FROM_BOT_LOGIN_URL"] = (settings.oauth_endpoint
                                                   or f"{PUBLIC_LOGIN}/{tenant or 'botframework.com'}")
    return SimpleNamespace(**values)


def openid_metadata_urls(settings: TeamsSettings) -> tuple[str, ...]:
    """Where botbuilder finds the keys of inbound tokens: the channel's URL first, then the emulator's and skills'."""
    configuration = bot_configuration(settings)
    channel = (getattr(configuration, "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL", None)
               or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL)
    emulator = (getattr(configuration, "TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL", None)
                or AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL)
    return tuple(dict.fromkeys((channel, emulator)))


def cloud_adapter(settings: TeamsSettings) -> CloudAdapter:
    """botbuilder's CloudAdapter: validates inbound JWTs and makes authenticated connector clients."""
    signing_keys.install(openid_metadata_urls(settings))
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(bot_configuration(settings)))
