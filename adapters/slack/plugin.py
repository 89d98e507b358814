"""The Slack adapter's entry points for ``kbbot serve`` and the CLI (see adapters/hosting/server.py).

* :func:`configured`: are there enough credentials to run?
* :func:`attach`: mount Slack on the shared aiohttp application (HTTP routes,
  or a Socket Mode connection started and stopped with the application) and
  return the outbound port the scheduler uses.
* :func:`outbound`: the outbound port alone, for one-off sends.
* :func:`handler`: what a worker process (kbbot/pipeline/worker.py) does with Slack events.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.outbound import Outbound
from kbbot.pipeline.worker import deferred
from kbbot_adapters.slack.app import build, engine_of, mount, uses_oauth, uses_socket_mode
from kbbot_adapters.slack.outbound import SlackOutbound, Tokens
from kbbot_adapters.slack.pipeline import Pipeline, SlackHandler


def configured(settings: Settings) -> bool:
    """A bot token or OAuth client id/secret, plus a signing secret (HTTP) or app-level token (Socket Mode)."""
    has_auth = bool(settings.slack_bot_token) or uses_oauth(settings)
    if uses_socket_mode(settings):
        return has_auth and bool(settings.slack_app_token)
    return has_auth and bool(settings.slack_signing_secret)


def attach(web_app: web.Application, settings: Settings, sessions: sessionmaker[Session]) -> Outbound:
    """Serve Slack from ``web_app``: ``/slack/events`` (HTTP mode) or Socket Mode, plus OAuth install routes."""
    runtime = build(settings, sessions, deferred=deferred(settings))
    mount(web_app, runtime)
    return runtime.outbound


def outbound(settings: Settings, sessions: sessionmaker[Session]) -> Outbound:
    """Send without serving (``kbbot digest send --now``)."""
    return SlackOutbound(settings, sessions, _tokens(settings, sessions))


def handler(settings: Settings, sessions: sessionmaker[Session]) -> SlackHandler:
    """Work on accepted Slack events in a worker process, with each workspace's own bot token."""
    return SlackHandler(Pipeline(settings, sessions), _tokens(settings, sessions))


def _tokens(settings: Settings, sessions: sessionmaker[Session]) -> Tokens:
    installations = None
    if uses_oauth(settings):
        from kbbot_adapters.slack.stores import installation_store

        assert settings.slack_client_id is not None
        installations = installation_store(settings.slack_client_id, engine_of(sessions))
    return Tokens(settings, installations)
