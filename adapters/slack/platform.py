"""Slack as the core sees it: its name, what it can do, and how ``kbbot serve``, workers and the CLI start it.

Registered under the ``kbbot.platforms`` entry point as :data:`PLATFORM`
(see ``pyproject.toml``). Importing this module must stay cheap: the core
reads :data:`CAPABILITIES` (a digest preview, the mention rules) without
loading Bolt or the Slack SDK, so those are imported inside the functions.

* :func:`configured`: are there enough credentials to run?
* :func:`attach`: mount Slack on the shared aiohttp application (HTTP routes,
  or a Socket Mode connection started and stopped with the application) and
  return the outbound port the scheduler uses.
* :func:`outbound`: the outbound port alone, for one-off sends.
* :func:`handler`: what a worker process (kbbot/pipeline/worker.py) does with Slack events.

Each takes the adapter's own :class:`~.settings.SlackSettings` where given
(tests), and reads them from the environment otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kbbot.contract.platform import Capabilities
from kbbot.contract.sign_in import IdentityProvider
from kbbot_adapters.slack.settings import SlackSettings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from kbbot.config import Settings
    from kbbot.contract.history import History, HistoryOptions
    from kbbot.contract.outbound import Outbound
    from kbbot.pipeline.ingest import Ingest

NAME = "slack"

MENTION_MARKUP = (
    r"<!(?P<label>subteam)\^[^>|]*>",  # <!subteam^S123>: a user group, by its kind alone
    r"<![^>|]*\|(?P<label>[^>]*)>",  # <!here|here>, <!subteam^S123|@devs>: the label Slack shows
    r"<!(?!subteam\^)(?P<label>[^>|]*)>",  # <!channel>, <!everyone>
    r"<@[A-Z0-9]+\|(?:[^>|]*\|)*(?P<label>[^>|]*)>",  # <@U123|name>: the name
    r"<@(?P<label>[A-Z0-9]+)>",  # <@U123>: only the id is known
)
"""Slack's mention markup in what people type; ``label`` is what stays readable once it is made inert."""

USER_MENTION = r"<@(?P<id>[A-Z0-9_]+)(?:\|(?:[^>|]*\|)*(?P<label>[^>|]*))?>"
"""``<@U123>`` (a message) or ``<@U123|name>`` (an escaped slash command): one person, by id."""

CAPABILITIES = Capabilities(slash_commands=True, hears_reactions=True, threads_in_group_chats=True,
                            home_surface=True, max_text=40_000, mention_markup=MENTION_MARKUP,
                            user_mention=USER_MENTION)


def configured(settings: Any = None, slack: SlackSettings | None = None) -> bool:
    """A bot token or OAuth client id/secret, plus a signing secret (HTTP) or app-level token (Socket Mode).

    ``settings`` (the core's) is accepted for callers of the older entry points and not read.
    """
    return (slack or SlackSettings()).configured()


def attach(web_app: Any, settings: Settings, sessions: sessionmaker[Session],
           slack: SlackSettings | None = None) -> Outbound:
    """Serve Slack from ``web_app``: ``/slack/events`` (HTTP mode) or Socket Mode, plus OAuth install routes."""
    from kbbot.pipeline.worker import deferred
    from kbbot_adapters.slack.app import build, mount

    runtime = build(settings, sessions, slack, deferred=deferred(settings))
    mount(web_app, runtime)
    return runtime.outbound


def outbound(settings: Settings, sessions: sessionmaker[Session], slack: SlackSettings | None = None) -> Outbound:
    """Send without serving (``kbbot digest send --now``)."""
    from kbbot_adapters.slack.app import installations
    from kbbot_adapters.slack.clients import Tokens
    from kbbot_adapters.slack.send import sender

    slack = slack or SlackSettings()
    return sender(slack, Tokens(slack, installations(slack, sessions)), patient=False)


def handler(settings: Settings, sessions: sessionmaker[Session], slack: SlackSettings | None = None) -> Ingest:
    """Work on accepted Slack events in a worker process, with each workspace's own bot token."""
    from kbbot_adapters.slack.app import ingest, installations
    from kbbot_adapters.slack.clients import Tokens

    slack = slack or SlackSettings()
    return ingest(settings, sessions, slack, Tokens(slack, installations(slack, sessions)), deferred=True)


class SlackPlatform:
    """The :class:`kbbot.contract.platform.Platform` for Slack; ``slack`` fixes its settings (tests)."""

    name = NAME
    capabilities = CAPABILITIES

    def __init__(self, slack: SlackSettings | None = None) -> None:
        self.slack = slack

    def configured(self) -> bool:
        return configured(slack=self.slack)

    def attach(self, web_app: Any, settings: Settings, sessions: sessionmaker[Session]) -> Outbound:
        return attach(web_app, settings, sessions, self.slack)

    def outbound(self, settings: Settings, sessions: sessionmaker[Session]) -> Outbound:
        return outbound(settings, sessions, self.slack)

    def handler(self, settings: Settings, sessions: sessionmaker[Session]) -> Ingest:
        return handler(settings, sessions, self.slack)

    def read_history(self, path: str, options: HistoryOptions) -> History:
        """Slack's workspace export, for ``kbbot import slack EXPORT.zip`` (:mod:`.export`)."""
        from kbbot_adapters.slack.export import read

        return read(path, options)

    def sign_in(self) -> IdentityProvider | None:
        return sign_in(self.slack)

    def permalink(self, workspace_id: str, conversation_id: str, message_id: str) -> str | None:
        """The message's address in Slack (``/archives/<channel>/p<ts without the dot>``), for the web pages."""
        return permalink(workspace_id, conversation_id, message_id)


def permalink(workspace_id: str, conversation_id: str, message_id: str) -> str | None:
    """Slack's archive link to a message, which opens it in the reader's own workspace; None for a malformed ts."""
    seconds, dot, fraction = message_id.partition(".")
    if not (seconds.isdigit() and dot and fraction.isdigit()) or not conversation_id.isalnum():
        return None
    return f"https://slack.com/archives/{conversation_id}/p{seconds}{fraction}"


def sign_in(slack: SlackSettings | None = None) -> IdentityProvider | None:
    """Sign in with Slack (OpenID Connect) for the web pages, when the app has a client id and secret.

    Slack's ID token names the workspace and the person with the same ids its
    events carry, so the claims match ``Workspace.external_id`` and
    ``Person.external_id`` directly.
    """
    slack = slack or SlackSettings()
    client_id = slack.sign_in_client_id or slack.client_id
    client_secret = slack.sign_in_client_secret or slack.client_secret
    if not client_id or not client_secret:
        return None
    return IdentityProvider(name=NAME, title="Slack", issuer=slack.sign_in_issuer.rstrip("/"), client_id=client_id,
                            client_secret=client_secret, workspace_claim="https://slack.com/team_id",
                            person_claim="https://slack.com/user_id", person_key="external_id",
                            scopes=("openid", "profile"))


PLATFORM = SlackPlatform()
