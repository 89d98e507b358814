"""The fake's Microsoft Graph (``graph.microsoft.com/v1.0``): a team's members, a channel post and its replies.

Only what kbbot reads under the team's resource-specific consent, shaped as
Microsoft documents it (``conversationMember`` collections, ``chatMessage``):

* ``GET /teams/{group-id}/members`` with the documented
  ``$filter=(microsoft.graph.aadUserConversationMember/userId eq '…')``;
* ``GET /teams/{group-id}/channels/{channel-id}/messages/{message-id}``;
* ``GET …/messages/{message-id}/replies``, ``$top`` a page (at most 50, as
  documented), further pages by ``@odata.nextLink``.

A request needs a token the fake's Azure AD issued *for Graph*
(``scope=https://graph.microsoft.com/.default``): the Bot Connector's token is
refused with 401, as Graph would. A team nobody set up here answers 403
Forbidden, as Graph does when the team gave no consent. These are the routes
of :class:`~.fake_microsoft.FakeMicrosoft`, as a mixin of its request handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping
from urllib.parse import parse_qs, quote, unquote, urlsplit

if TYPE_CHECKING:
    from .fake_microsoft import FakeMicrosoft, _Failure

GRAPH_PREFIX = "/graph/v1.0"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
REPLIES_PAGE_MAX = 50
REPLIES_PAGE_DEFAULT = 20
_USER_FILTER = re.compile(r"^\(?\s*microsoft\.graph\.aadUserConversationMember/userId eq '([^']*)'\s*\)?$")


@dataclass(frozen=True)
class GraphCall:
    """Every Graph request, including ones answered with an injected failure, 401 or 403."""

    method: str
    path: str
    status: int
    query: Mapping[str, str] = field(default_factory=dict)


@dataclass
class GraphTeam:
    """What Graph knows of one team: its members and its channels' threads (root, replies)."""

    members: list[dict[str, Any]] = field(default_factory=list)
    threads: dict[tuple[str, str], tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=dict)


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message,
                      "innerError": {"date": "2026-11-25T09:40:00", "request-id": "fake-request-id",
                                     "client-request-id": "fake-client-request-id"}}}


class GraphRoutes:
    """Request-handler mixin: ``/graph/v1.0/…``."""

    fake: FakeMicrosoft
    command: str
    path: str
    headers: Any

    def _base(self) -> str: ...  # provided by the handler
    def _body(self) -> bytes: ...
    def _reply(self, status: int, payload: Any = None, headers: Any = None) -> None: ...
    def _fail(self, failure: _Failure) -> None: ...

    def _graph(self, path: str) -> None:
        fake = self.fake
        self._body()
        query = {key: values[-1] for key, values in parse_qs(urlsplit(self.path).query).items()}
        segments = [unquote(part) for part in path[len(GRAPH_PREFIX):].split("/") if part]

        def answer(status: int, payload: Any = None, headers: Mapping[str, str] | None = None) -> None:
            fake._record_graph(GraphCall(self.command, path, status, query))
            self._reply(status, payload, headers)

        failure = fake._take_failure("graph", self.command)
        if failure:
            fake._record_graph(GraphCall(self.command, path, failure.status, query))
            return self._fail(failure)
        authorization = self.headers.get("Authorization") or ""
        token = authorization[len("Bearer "):] if authorization.startswith("Bearer ") else ""
        if fake.token_scope(token) != GRAPH_SCOPE:
            return answer(401, _error("InvalidAuthenticationToken", "Access token validation failure."))
        if self.command != "GET" or len(segments) < 3 or segments[0] != "teams":
            return answer(400, _error("BadRequest", f"Unsupported request: {self.command} {path}"))
        team = fake.graph_team(segments[1])
        if team is None:
            return answer(403, _error("Forbidden", "Missing role permissions on the request. API requires one of "
                                                   "'ChannelMessage.Read.All, ChannelMessage.Read.Group'. "
                                                   "Roles on the request ''."))
        rest = segments[2:]
        if rest == ["members"]:
            return answer(200, self._members_page(segments[1], team, query))
        if len(rest) in (4, 5) and rest[0] == "channels" and rest[2] == "messages":
            found = team.threads.get((rest[1], rest[3]))
            if found is None:
                return answer(404, _error("NotFound", "Message not found."))
            if len(rest) == 4:
                return answer(200, {"@odata.context": f"{self._base()}{GRAPH_PREFIX}/$metadata#teams('{segments[1]}')"
                                                      f"/channels('{quote(rest[1])}')/messages/$entity",
                                    **found[0]})
            if rest[4] == "replies":
                return answer(200, self._replies_page(path, found[1], query))
        answer(400, _error("BadRequest", f"Unsupported request: {self.command} {path}"))

    def _members_page(self, group_id: str, team: GraphTeam, query: Mapping[str, str]) -> dict[str, Any]:
        members = team.members
        wanted = query.get("$filter")
        if wanted is not None:
            match = _USER_FILTER.match(wanted.strip())
            user = match.group(1).casefold() if match else None
            members = [m for m in members if str(m.get("userId") or "").casefold() == user]
        return {"@odata.context": f"{self._base()}{GRAPH_PREFIX}/$metadata#teams('{group_id}')/members",
                "@odata.count": len(members), "value": members}

    def _replies_page(self, path: str, replies: list[dict[str, Any]], query: Mapping[str, str]) -> dict[str, Any]:
        size = min(REPLIES_PAGE_MAX, int(query.get("$top") or REPLIES_PAGE_DEFAULT))
        start = int(query.get("$skiptoken") or 0)
        page: dict[str, Any] = {"@odata.context": f"{self._base()}{GRAPH_PREFIX}/$metadata#teams/channels/messages"
                                                  "/replies", "@odata.count": len(replies[start:start + size]),
                                "value": replies[start:start + size]}
        if start + size < len(replies):
            page["@odata.nextLink"] = f"{self._base()}{path}?$top={size}&$skiptoken={start + size}"
        return page


def conversation_member(user_id: str, aad_id: str, name: str, email: str, tenant_id: str,
                        roles: list[str]) -> dict[str, Any]:
    """An ``aadUserConversationMember`` as ``GET /teams/{id}/members`` lists it (``roles``: ``owner``, ``guest``)."""
    return {"@odata.type": "#microsoft.graph.aadUserConversationMember",
            "id": f"MCMjMjMjMSMjMjUx{user_id[-6:]}", "roles": list(roles), "displayName": name,
            "visibleHistoryStartDateTime": "0001-01-01T00:00:00Z", "userId": aad_id, "email": email,
            "tenantId": tenant_id}
