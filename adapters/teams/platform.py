"""The Teams adapter as the core and ``kbbot serve`` see it: :data:`PLATFORM`, registered by entry point.

Importing this module loads no Microsoft library: the core reads
``PLATFORM.name`` and ``PLATFORM.capabilities`` (to word a digest preview,
say) without botbuilder or the Agents SDK; the methods import them when called.

* ``configured``: are there Teams credentials (:class:`.settings.TeamsSettings`)?
* ``attach``: serve ``POST /api/messages`` on the shared aiohttp app; returns
  the Outbound that sends on that app's loop;
* ``outbound``: an Outbound for one-off sends without a server;
* ``handler``: what a worker process does with accepted Teams events (the
  same ingest path, on a loop of its own for the sends).

The module-level functions of the same names take an explicit
:class:`~.settings.TeamsSettings` (the tests' way in); ``kbbot serve`` uses
:data:`PLATFORM` through the registry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.platform import Capabilities, CommandLine
from kbbot.contract.sign_in import IdentityProvider

from kbbot_adapters.teams.settings import TeamsSettings

if TYPE_CHECKING:
    from aiohttp import web

    from kbbot.pipeline.ingest import Ingest
    from kbbot_adapters.teams.send import TeamsOutbound

NAME = "teams"
MESSAGES_PATH = "/api/messages"

CAPABILITIES = Capabilities(
    slash_commands=False, hears_reactions=False, threads_in_group_chats=False, home_surface=False,
    max_text=28000, mention_markup=(r"<at\b[^>]*>(?P<label>.*?)</at>",))
"""Teams: people type words to the bot, reactions reach it only on its own messages, group chats have no
reply threads, no home view, messages up to about 28 KB, and ``<at>…</at>`` mentions."""


class TeamsPlatform:
    """Microsoft Teams, as :class:`kbbot.contract.platform.Platform`."""

    name = NAME
    title = "Microsoft Teams"
    capabilities = CAPABILITIES

    def add_commands(self, commands: Any, cli: CommandLine) -> None:
        """``kbbot teams package``: the app package to upload to Teams."""

        def package(args: Any, settings: Any) -> int:
            from pathlib import Path

            from kbbot_adapters.teams import package as packaging

            path = packaging.build(settings, Path(args.output) if args.output else None)
            cli.out(f"Teams app package written to {path}; upload it in Teams (Apps → Manage your apps → Upload).")
            return 0

        teams = commands.add_parser("teams", help="Microsoft Teams").add_subparsers(
            title="teams commands", metavar="ACTION", required=True)
        build = teams.add_parser("package", help="build the Teams app package (.zip) to upload")
        build.add_argument("--output", "-o", help="zip file to write")
        build.set_defaults(run=package)

    def configured(self, teams: TeamsSettings | None = None) -> bool:
        """App id + password, or a user-assigned managed identity (client id + tenant)."""
        from kbbot_adapters.teams import auth

        return auth.configured(teams or TeamsSettings())

    def attach(self, web_app: web.Application, settings: Settings, sessions: sessionmaker[Session],
               teams: TeamsSettings | None = None) -> TeamsOutbound:
        from kbbot_adapters.teams.service import attach

        return attach(web_app, settings, sessions, teams or TeamsSettings())

    def outbound(self, settings: Settings, sessions: sessionmaker[Session],
                 teams: TeamsSettings | None = None) -> TeamsOutbound:
        from kbbot_adapters.teams.service import outbound

        return outbound(sessions, teams or TeamsSettings())

    def handler(self, settings: Settings, sessions: sessionmaker[Session],
                teams: TeamsSettings | None = None) -> Ingest:
        from kbbot_adapters.teams.service import handler

        return handler(settings, sessions, teams or TeamsSettings())

    def sign_in(self, teams: TeamsSettings | None = None) -> IdentityProvider | None:
        """Sign in with Microsoft (Entra ID, OpenID Connect) for the web pages, when an app registration is set.

        Entra's ID token names the tenant (``tid``, the workspace Teams events
        carry) and the person's directory object (``oid``, which Teams sends as
        ``aadObjectId`` beside its own user id); the core keeps the latter from
        chat events and matches on it.
        """
        teams = teams or TeamsSettings()
        client_id = teams.sign_in_client_id or teams.app_id
        client_secret = teams.sign_in_client_secret or teams.app_password
        if not client_id or not client_secret:
            return None
        authority = teams.sign_in_authority.rstrip("/")
        tenant = teams.sign_in_tenant or teams.tenant_id
        if tenant and tenant not in ("common", "organizations"):
            issuer, discovery = f"{authority}/{tenant}/v2.0", None
        else:  # any organisation: each token names its own tenant as issuer
            issuer = authority + "/{tenant}/v2.0"
            discovery = f"{authority}/organizations/v2.0/.well-known/openid-configuration"
        return IdentityProvider(name=NAME, title="Microsoft", issuer=issuer, client_id=client_id,
                                client_secret=client_secret, workspace_claim="tid", person_claim="oid",
                                person_key="directory_id", scopes=("openid", "profile"), discovery_url=discovery)


    def permalink(self, workspace_id: str, conversation_id: str, message_id: str) -> str | None:
        """A Teams deep link to the message in its conversation (``/l/message/…?tenantId=…``), for the web pages."""
        from urllib.parse import quote, urlencode

        return (f"https://teams.microsoft.com/l/message/{quote(conversation_id, safe='')}/{quote(message_id, safe='')}"
                f"?{urlencode({'tenantId': workspace_id})}")


PLATFORM = TeamsPlatform()


def configured(settings: Any = None, teams: TeamsSettings | None = None) -> bool:
    """Whether Teams credentials are configured (``settings``, the core's, is not needed: kept for callers)."""
    return PLATFORM.configured(teams)


def attach(web_app: web.Application, settings: Settings, sessions: sessionmaker[Session],
           teams: TeamsSettings | None = None) -> TeamsOutbound:
    return PLATFORM.attach(web_app, settings, sessions, teams)


def outbound(settings: Settings, sessions: sessionmaker[Session], teams: TeamsSettings | None = None) -> TeamsOutbound:
    return PLATFORM.outbound(settings, sessions, teams)


def handler(settings: Settings, sessions: sessionmaker[Session], teams: TeamsSettings | None = None) -> Ingest:
    return PLATFORM.handler(settings, sessions, teams)
