"""The Teams adapter's own settings: ``KBBOT_TEAMS_*`` from the environment and ``.env``.

The core's :class:`kbbot.config.Settings` knows nothing of Microsoft; the
adapter reads its credentials here, under the environment variable names it
always had (``KBBOT_TEAMS_APP_ID`` is :attr:`TeamsSettings.app_id`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The SDK the adapter runs on when ``KBBOT_TEAMS_SDK`` is not set (README.md says why).
DEFAULT_SDK = "agents"


class TeamsSettings(BaseSettings):
    """What an operator configures for Microsoft Teams."""

    model_config = SettingsConfigDict(env_prefix="KBBOT_TEAMS_", env_file=".env", extra="ignore")

    app_id: str | None = None
    app_password: str | None = None
    app_type: str = "MultiTenant"
    tenant_id: str | None = None
    managed_identity_client_id: str | None = None
    # Overrides for tests and sovereign clouds; None means Microsoft's public endpoints.
    openid_metadata_url: str | None = None
    oauth_endpoint: str | None = None
    # "Sign in with Microsoft" (Entra ID, OpenID Connect) for the web knowledge base: the bot's own app
    # registration unless these name another; the tenant is the bot's (single-tenant) or any organisation.
    sign_in_client_id: str | None = None
    sign_in_client_secret: str | None = None
    sign_in_tenant: str | None = None
    sign_in_authority: str = "https://login.microsoftonline.com"
    # Which Microsoft SDK serves /api/messages and sends: the Microsoft 365 Agents SDK or the retired
    # Bot Framework SDK (botbuilder). Same settings, same stored references, same behaviour (MIGRATION.md).
    sdk: Literal["agents", "botbuilder"] = DEFAULT_SDK  # type: ignore[assignment]
    # Microsoft Graph, app-only with the bot's own id and password and the team's resource-specific consent
    # (README.md): who owns a team, a channel thread's replies for "Save to kbbot". Off, or without a
    # password, kbbot works as before and says so where it matters. The URLs are for tests and sovereign clouds;
    # ``{tenant}`` in the token URL is the tenant the team belongs to.
    graph: bool = True
    graph_url: str = "https://graph.microsoft.com/v1.0"
    graph_token_url: str = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
    graph_scope: str = "https://graph.microsoft.com/.default"

    @field_validator("sdk", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        """``KBBOT_TEAMS_SDK=Agents`` means the same as ``agents``."""
        return value.strip().casefold() if isinstance(value, str) else value
