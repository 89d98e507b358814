"""The Slack adapter's own settings, read from ``KBBOT_SLACK_*`` environment variables and ``.env``.

The core's :class:`kbbot.config.Settings` knows nothing about Slack: whatever
only this adapter needs (tokens, secrets, the API's address) lives here, so
that adding or dropping a platform never touches the core's configuration.
The variable names are those operators already use (``KBBOT_SLACK_BOT_TOKEN``…).
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class SlackSettings(BaseSettings):
    """Credentials and switches of one Slack app; every field is optional, :meth:`configured` says if enough are set."""

    model_config = SettingsConfigDict(env_prefix="KBBOT_SLACK_", env_file=".env", extra="ignore")

    bot_token: str | None = None
    """A single workspace's bot token (``xoxb-…``); without it, installs come through OAuth."""
    app_token: str | None = None
    """The app-level token (``xapp-…``) that Socket Mode connects with."""
    signing_secret: str | None = None
    """Verifies HTTP requests; HTTP mode is never served without it."""
    client_id: str | None = None
    client_secret: str | None = None
    api_url: str | None = None
    """Another Web API address (tests, proxies); None is Slack's own."""
    socket_mode: bool | None = None
    """None: Socket Mode when an app-level token is set."""
    state_secret: str | None = None
    # "Sign in with Slack" for the web knowledge base (OpenID Connect): the app's own client id and secret
    # unless these name another app; the issuer is Slack's unless overridden (tests, proxies).
    sign_in_client_id: str | None = None
    sign_in_client_secret: str | None = None
    sign_in_issuer: str = "https://slack.com"

    @property
    def uses_oauth(self) -> bool:
        """Multi-workspace: installs through ``/slack/install``, each workspace with its own bot token."""
        return bool(self.client_id and self.client_secret)

    @property
    def uses_socket_mode(self) -> bool:
        if self.socket_mode is not None:
            return self.socket_mode
        return bool(self.app_token)

    def configured(self) -> bool:
        """A bot token or OAuth client id/secret, plus a signing secret (HTTP) or app-level token (Socket Mode)."""
        has_auth = bool(self.bot_token) or self.uses_oauth
        if self.uses_socket_mode:
            return has_auth and bool(self.app_token)
        return has_auth and bool(self.signing_secret)
