"""``POST /api/messages`` on the Microsoft 365 Agents SDK: its JWT validation, its CloudAdapter, kbbot's turn.

A request goes through, in this order:

1. the body must be an activity (JSON object with a type, in the SDK's
   :class:`Activity` model): otherwise 400/415, nothing else runs;
2. the SDK's :class:`JwtTokenValidator` with kbbot's
   :func:`.auth.configuration` (signature against the published keys,
   expiry, audience = the app id, issuer on the allow-list): any refusal is
   401, keys that cannot be fetched 503 (Teams retries). No kbbot code has
   run yet, nothing is stored;
3. the token's ``serviceurl`` must be the activity's ``serviceUrl``, as
   botbuilder required: the SDK compares hosts only, and only with its host
   validator on (:func:`.auth.host_validator`);
4. the SDK's :meth:`CloudAdapter.process` runs the turn (:class:`KbAgent`:
   the shared :class:`kbbot_adapters.teams.turns.Turns`) and answers: 202, or
   an invoke's answer.

What the SDK's ``jwt_authorization_middleware`` would do, less its one gap
for kbbot: it answers 401 when the keys cannot be fetched, and Teams would
not deliver that activity again.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from typing import Any

from aiohttp import web
from jwt import PyJWTError
from jwt.exceptions import PyJWKClientConnectionError
from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.hosting.aiohttp import start_agent_process
from microsoft_agents.hosting.core import ClaimsIdentity, TurnContext
from microsoft_agents.hosting.core.authorization import JwtTokenValidator
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.pipeline.worker import deferred

from kbbot_adapters.teams.agents import auth
from kbbot_adapters.teams.agents.connectors import AgentsKit
from kbbot_adapters.teams.send import Courier, TeamsOutbound
from kbbot_adapters.teams.graph import Graph
from kbbot_adapters.teams.service import ingest_path, json_body, mount
from kbbot_adapters.teams.settings import TeamsSettings
from kbbot_adapters.teams.turns import RAW_ACTIVITY, Turns

log = logging.getLogger(__name__)
# The SDK takes the caller's identity from request["claims_identity"]: a str key, as it documents.
warnings.filterwarnings("ignore", category=web.NotAppKeyWarning, module=r"kbbot_adapters\.teams\.agents\.service")


class KbAgent(Turns):
    """The shared turn as the Agents SDK's ``Agent`` (anything with ``on_turn``, as ActivityHandler is)."""

    async def on_turn(self, context: TurnContext) -> None:
        raw = RAW_ACTIVITY.get()
        activity: dict[str, Any] = raw if raw is not None else context.activity.model_dump(
            mode="json", by_alias=True, exclude_none=True)
        reply = await self.receive(activity)
        if reply is not None:
            await context.send_activity(Activity(type=ActivityTypes.invoke_response,
                                                 value=InvokeResponse(status=reply.status, body=reply.body)))


async def authenticate(validator: JwtTokenValidator, header: str, activity: dict[str, Any]) -> ClaimsIdentity:
    """The SDK's JWT validation; every token it cannot vouch for is a 401, unreachable keys a 503."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.casefold() != "bearer" or not token or any(character.isspace() for character in token):
        log.info("Teams request refused: no bearer token")
        raise web.HTTPUnauthorized()
    try:
        identity = await validator.validate_token(token)
    except PyJWKClientConnectionError as error:
        log.warning("Teams request not authenticated, signing keys unreachable: %s", error)
        raise web.HTTPServiceUnavailable() from None
    except (PyJWTError, ValueError) as error:
        log.info("Teams request refused: %s: %s", type(error).__name__, error)
        raise web.HTTPUnauthorized() from None
    except (OSError, asyncio.TimeoutError) as error:
        log.warning("Teams request not authenticated, signing keys unreachable: %s", error)
        raise web.HTTPServiceUnavailable() from None
    except Exception as error:  # noqa: BLE001 - a token the SDK chokes on is not Microsoft's
        log.info("Teams request refused: %s: %s", type(error).__name__, error)
        raise web.HTTPUnauthorized() from None
    if identity.get_claim_value("serviceurl") != activity.get("serviceUrl"):
        log.info("Teams request refused: token issued for another service URL")
        raise web.HTTPUnauthorized()
    return identity


def attach(web_app: web.Application, settings: Settings, sessions: sessionmaker[Session],
           teams: TeamsSettings) -> TeamsOutbound:
    """Register ``POST /api/messages`` on ``web_app`` (Agents SDK); the returned Outbound sends on its loop."""
    app_id = auth.common.app_id(teams)
    if not app_id:
        raise ValueError("Teams is not configured: set KBBOT_TEAMS_APP_ID and KBBOT_TEAMS_APP_PASSWORD")
    manager = auth.connections(teams)
    adapter = auth.cloud_adapter(teams, manager)
    validator = JwtTokenValidator(auth.configuration(teams))
    sender = TeamsOutbound(Courier(AgentsKit(teams, manager), app_id, sessions))
    graph = Graph(teams)
    ingest, roster = ingest_path(settings, sessions, sender, work_here=not deferred(settings), graph=graph)
    agent = KbAgent(sessions, teams, ingest, roster, graph)

    async def messages(request: web.Request) -> web.StreamResponse:
        body = await json_body(request)
        try:
            activity = Activity.model_validate(body)
        except ValidationError as error:  # a field of the wrong shape: not an activity Teams would send
            raise web.HTTPBadRequest(text="not a Bot Framework activity") from error
        if not activity.type:
            raise web.HTTPBadRequest(text="an activity needs a type")
        # Authentication first and on its own: a request that fails it never reaches any kbbot code.
        request["claims_identity"] = await authenticate(validator, request.headers.get("Authorization", ""), body)
        token = RAW_ACTIVITY.set(body)
        try:
            response = await start_agent_process(request, agent, adapter)  # type: ignore[arg-type]
        finally:
            RAW_ACTIVITY.reset(token)
        return response if response is not None else web.Response(status=202)

    mount(web_app, messages, agent, sender, ingest, roster)
    return sender
