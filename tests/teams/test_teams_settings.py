"""From the adapter's settings to botbuilder's configuration: public cloud, single tenant, managed identity, tests."""

from __future__ import annotations

from botframework.connector.auth._public_cloud_bot_framework_authentication import (
    _PublicCloudBotFrameworkAuthentication,
)

from kbbot_adapters.teams import auth, platform
from kbbot_adapters.teams.settings import TeamsSettings
from teams_support.botbuilder_config import bot_config
from teams_support.fake_microsoft import FakeMicrosoft
from teams_support.harness import teams_settings

APP_ID = "b0b0b0b0-0000-4000-8000-000000000001"


def _settings(**values: str) -> TeamsSettings:
    return TeamsSettings(_env_file=None, **values)  # type: ignore[call-arg]


def test_configured_needs_a_password_or_a_managed_identity() -> None:
    assert not platform.configured(teams=_settings())
    assert not platform.configured(teams=_settings(app_id=APP_ID))
    assert platform.configured(teams=_settings(app_id=APP_ID, app_password="secret"))
    assert platform.configured(teams=_settings(managed_identity_client_id=APP_ID, tenant_id="tenant"))


def test_production_uses_botbuilders_public_cloud() -> None:
    settings = _settings(app_id=APP_ID, app_password="secret")
    config = auth.bot_configuration(settings)
    assert (config.APP_ID, config.APP_PASSWORD, config.APP_TYPE) == (APP_ID, "secret", "MultiTenant")
    assert not any(name.startswith(("TO_", "OAUTH_URL", "CALLER_ID")) for name in vars(config))
    inner = auth.cloud_adapter(settings).bot_framework_authentication._inner  # type: ignore[attr-defined]
    assert isinstance(inner, _PublicCloudBotFrameworkAuthentication)


def test_single_tenant_and_managed_identity() -> None:
    single = auth.bot_configuration(_settings(app_id=APP_ID, app_password="s",
                                              app_type="SingleTenant", tenant_id="contoso"))
    assert (single.APP_TYPE, single.APP_TENANTID) == ("SingleTenant", "contoso")
    managed = auth.bot_configuration(_settings(managed_identity_client_id=APP_ID, tenant_id="contoso"))
    assert (managed.APP_ID, managed.APP_TYPE, managed.APP_TENANTID) == (APP_ID, "UserAssignedMSI", "contoso")
    assert not hasattr(managed, "APP_PASSWORD")


def test_the_test_overrides_give_the_configuration_the_fake_was_built_for() -> None:
    with FakeMicrosoft() as fake:
        ours = vars(auth.bot_configuration(teams_settings(fake)))
        reference = vars(bot_config(fake))
    for name in ("APP_ID", "APP_PASSWORD", "APP_TYPE", "TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL",
                 "TO_CHANNEL_FROM_BOT_LOGIN_URL", "TO_BOT_FROM_CHANNEL_TOKEN_ISSUER",
                 "TO_CHANNEL_FROM_BOT_OAUTH_SCOPE", "CALLER_ID", "VALIDATE_AUTHORITY"):
        assert ours[name] == reference[name], name


def test_a_token_endpoint_override_alone_keeps_the_public_signing_keys() -> None:
    """Overriding only where outbound tokens come from must not leave inbound tokens without keys to check."""
    from botframework.connector.auth import AuthenticationConstants

    settings = _settings(app_id=APP_ID, app_password="secret",
                         oauth_endpoint="https://login.example.test/adfs")
    config = auth.bot_configuration(settings)
    public = (AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
              AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL)
    assert (config.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL, config.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL) == public
    assert auth.openid_metadata_urls(settings) == public


def test_the_settings_come_from_the_environment_under_their_old_names(monkeypatch) -> None:
    monkeypatch.setenv("KBBOT_TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("KBBOT_TEAMS_APP_PASSWORD", "secret")
    monkeypatch.setenv("KBBOT_TEAMS_APP_TYPE", "SingleTenant")
    monkeypatch.setenv("KBBOT_TEAMS_TENANT_ID", "contoso")
    read = TeamsSettings(_env_file=None)  # type: ignore[call-arg]
    assert (read.app_id, read.app_password, read.app_type, read.tenant_id) == (APP_ID, "secret", "SingleTenant",
                                                                               "contoso")
    assert platform.configured()


def test_the_platform_is_described_without_botbuilder() -> None:
    import subprocess
    import sys

    probe = ("import sys; from kbbot_adapters.teams.platform import PLATFORM; "
             "assert PLATFORM.name == 'teams' and not PLATFORM.capabilities.slash_commands; "
             "assert not any(name.startswith(('botbuilder', 'botframework', 'microsoft_agents')) for name in sys.modules), "
             "'a Microsoft SDK'")
    subprocess.run([sys.executable, "-c", probe], check=True)
