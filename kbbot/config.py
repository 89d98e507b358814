"""Settings, read once from ``KBBOT_*`` environment variables and ``.env``.

One object is built at the edge (the CLI or a test) and passed in; nothing
reads the environment behind the caller's back.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_TEXT_LENGTH = 4000
"""Longest question, answer or search text accepted, in characters."""


class Settings(BaseSettings):
    """Everything an operator can configure."""

    model_config = SettingsConfigDict(env_prefix="KBBOT_", env_file=".env", extra="ignore")

    database_url: str = Field(default="sqlite:///kbbot.db", description="SQLAlchemy URL")
    default_locale: str = "en"
    default_timezone: str = "Europe/Amsterdam"
    suggestion_limit: int = 3
    expert_limit: int = 3
    # Where questions asked in a DM are posted (a channel id), unless a workspace sets its own,
    # and how experts are brought in: a mention in the question's thread, or a DM each.
    questions_channel: str | None = None
    # A sentence-transformers model already on this machine (pip install kbbot[semantic]) that
    # reranks search results by meaning; None keeps search purely lexical. Never downloaded.
    semantic_model: str | None = None
    expert_notify: Literal["thread", "dm"] = "thread"
    # Who may use `/kb admin` where the platform names no admins (Teams, the console), besides Slack's
    # own admins and owners: platform user ids, comma separated, each optionally as "teams:<id>".
    admins: str = ""

    # Each platform's own settings (tokens, app ids) live in its adapter's settings class
    # (adapters/<platform>/settings.py), read from the same environment and .env.

    # Scheduler (issue: working out loud and digests); days are mon..sun, times HH:MM local.
    scheduler_enabled: bool = True
    prompt_day: str = "thu"
    prompt_time: str = "15:00"
    digest_day: str = "mon"
    digest_time: str = "09:00"
    misfire_grace_seconds: int = 6 * 3600

    host: str = "127.0.0.1"
    port: int = 3000
    # Worker processes `kbbot serve` starts for the work after each ack (kbbot/pipeline/worker.py).
    # None: one on PostgreSQL, none on SQLite (whose single writer a second process only queues behind).
    workers: int | None = Field(default=None, ge=0, le=64)
    worker_threads: int = Field(default=4, ge=1, le=64)
    # Workers run elsewhere (`kbbot worker` on other machines): `kbbot serve` only acknowledges.
    external_workers: bool = False
    # How much lower a worker's CPU priority is than the serving process's (0: the same).
    worker_nice: int = Field(default=10, ge=0, le=19)
    # Processes accepting HTTP requests on the one port (SO_REUSEPORT; Linux, BSD). None: two on
    # PostgreSQL, where acknowledging in parallel pays off, one on SQLite.
    http_processes: int | None = Field(default=None, ge=1, le=64)
    # One log line per HTTP request; off by default, since at hundreds of requests a second it costs CPU.
    access_log: bool = False
    # Newcomers greeted once by DM with a starter pack (KBBOT_WELCOME=on|off); a workspace's own stored
    # choice wins over this default (kbbot/services/welcome.py).
    welcome: bool = True

    # Expert routing and the escalation ladder (kbbot/routing/); a workspace may override each
    # (the routing_settings table). Hours are working hours, days working days, in the relevant
    # person's own timezone; work days are a range or list of mon..sun ("mon-fri", "mon,wed,fri").
    routing_first_invites: int = Field(default=2, ge=0, le=10)
    routing_second_after_hours: float = Field(default=4.0, ge=0)
    routing_second_invites: int = Field(default=2, ge=0, le=10)
    routing_repost_after_days: float = Field(default=1.0, ge=0)
    # The wider channel (its id) unanswered public questions are reposted to; None: no repost step.
    routing_repost_channel: str | None = None
    routing_tell_after_days: float = Field(default=3.0, ge=0)
    # How long "I'll take it" holds the ladder, in working hours.
    routing_claim_pause_hours: float = Field(default=8.0, ge=0)
    routing_pings_per_week: int = Field(default=3, ge=0, le=50)
    routing_work_start: str = "09:00"
    routing_work_end: str = "17:30"
    routing_work_days: str = "mon-fri"
    # Questions older than this are no longer escalated (after a long outage, say).
    routing_horizon_days: int = Field(default=30, ge=1)
    # Issue 19: days after which an accepted answer nobody said is still right is due for a re-check;
    # a tag's own interval (table tag_verification_intervals, an admin's) overrides it.
    verification_interval_days: int = Field(default=180, ge=1, le=3650)
    # The web knowledge base's public address (kbbot/web/, served under /kb/ by `kbbot serve`), e.g.
    # https://kb.example.com: chat replies link to question pages, and sign-in callbacks come back here.
    # None: no links in chat, and the pages are served at the address `kbbot serve` prints.
    web_url: str | None = None
