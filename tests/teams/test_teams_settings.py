"""From kbbot's settings to botbuilder's configuration: public cloud, single tenant, managed identity, tests."""

from __future__ import annotations

from botframework.connector.auth._public_cloud_bot_framework_authentication import (
    _PublicCloudBotFrameworkAuthentication,
)

from kbbot.config import Settings
from kbbot_adapters.teams import auth, plugin
from teams_support.botbuilder_config import bot_config
from teams_support.fake_microsoft import FakeMicrosoft
from teams_support.harness import teams_settings

APP_ID = "b0b0b0b0-0000-4000-8000-000000000001"


def _settings(**values: str) -> Settings:
    return Settings(_env_file=None, **values)


def test_configured_needs_a_password_or_a_managed_identity() -> None:
    assert not plugin.configured(_settings())
    assert not plugin.configured(_settings(teams_app_id=APP_ID))
    assert plugin.configured(_settings(teams_app_id=APP_ID, teams_app_password="secret"))
    assert plugin.configured(_settings(teams_managed_identity_client_id=APP_ID, teams_tenant_id="tenant"))


def test_production_uses_botbuilders_public_cloud() -> None:
    settings = _settings(teams_app_id=APP_ID, teams_app_password="secret")
    config = auth.bot_configuration(settings)
    assert (config.APP_ID, config.APP_PASSWORD, config.APP_TYPE) == (APP_ID, "secret", "MultiTenant")
    assert not any(name.startswith(("TO_", "OAUTH_URL", "CALLER_ID")) for name in vars(config))
    inner = auth.cloud_adapter(settings).bot_framework_authentication._inner  # type: ignore[attr-defined]
    assert isinstance(inner, _PublicCloudBotFrameworkAuthentication)


def test_single_tenant_and_managed_identity() -> None:
    single = auth.bot_configuration(_settings(teams_app_id=APP_ID, teams_app_password="s",
                                              teams_app_type="SingleTenant", teams_tenant_id="contoso"))
    assert (single.APP_TYPE, single.APP_TENANTID) == ("SingleTenant", "contoso")
    managed = auth.bot_configuration(_settings(teams_managed_identity_client_id=APP_ID, teams_tenant_id="contoso"))
    assert (managed.APP_ID, managed.APP_TYPE, managed.APP_TENANTID) == (APP_ID, "UserAssignedMSI", "contoso")
    assert not hasattr(managed, "APP_PASSWORD")


def test_the_test_overrides_give_the_configuration_the_fake_was_built_for() -> None:
    with FakeMicrosoft() as fake:
        ours = vars(auth.bot_configuration(teams_settings(_settings(), fake)))
        reference = vars(bot_config(fake))
    for name in ("APP_ID", "APP_PASSWORD", "APP_TYPE", "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL",
                 "TO_CHANNEL_FROM_BOT_LOGIN_URL", "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER",
                 "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE", "CALLER_ID", "VALIDATE_AUTHORITY"):
        assert ours[name] == reference[name], name


def test_a_token_endpoint_override_alone_keeps_the_public_signing_keys() -> None:
    """Overriding only where outbound tokens come from must not leave inbound tokens without keys to check."""
    from botframework.connector.auth import AuthenticationConstants

    settings = _settings(teams_app_id=APP_ID, teams_app_password="secret",
                         teams_oauth_endpoint="https://login.example.test/adfs")
    config = auth.bot_configuration(settings)
    public = (AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
              AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL)
    assert (config.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL, config.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL) == public
    assert auth.openid_metadata_urls(settings) == public
