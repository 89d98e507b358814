"""The web knowledge base's own settings: ``KBBOT_WEB_*`` from the environment and ``.env``.

The public address itself is the core's ``KBBOT_WEB_URL`` (:attr:`kbbot.config.Settings.web_url`), since
chat replies link to it too.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    """What an operator may change about web sessions."""

    model_config = SettingsConfigDict(env_prefix="KBBOT_WEB_", env_file=".env", extra="ignore")

    secret: str | None = Field(default=None, min_length=32)
    """Signs session cookies (at least 32 characters; every replica needs the same). None: a random one per
    process, which signs everyone out at a restart and suits one process only."""
    session_minutes: int = Field(default=30, ge=1, le=24 * 60)
    """A session ends after this long without a page view; every view renews it."""
    session_max_hours: int = Field(default=12, ge=1, le=24 * 14)
    """However active, a session ends this long after sign-in: then the provider is asked again."""
    sign_in_minutes: int = Field(default=10, ge=1, le=60)
    """How long a started sign-in may take before its callback is refused."""
