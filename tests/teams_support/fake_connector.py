"""The fake's Bot Connector (``smba.trafficmanager.net``): where the bot sends, replies, updates and lists members.

Every request is recorded (:class:`ConnectorCall`), every message the bot
got through too (:class:`SentActivity`): what a Teams user would see. Member
lists are paged as Teams documents ``GET …/pagedmembers``. These are the
routes of :class:`~.fake_microsoft.FakeMicrosoft` that play it, as a mixin of
its request handler.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Mapping
from urllib.parse import parse_qs, unquote, urlsplit

if TYPE_CHECKING:
    from .fake_microsoft import FakeMicrosoft, _Failure

SentKind = Literal["send", "reply", "update", "delete", "create_conversation"]

CONNECTOR_PREFIX = "/v3/conversations"

#: ``pagedmembers`` page sizes, as Teams documents them: fewer than 50 are read as 50, more than 500 as 500.
PAGE_SIZE_MIN, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX = 50, 200, 500


@dataclass(frozen=True)
class SentActivity:
    """Something the bot successfully sent to the fake Bot Connector."""

    kind: SentKind
    conversation_id: str
    #: The JSON body as sent (the ConversationParameters for ``create_conversation``; ``{}`` for delete).
    activity: dict[str, Any]
    #: The ``Authorization`` header the bot used.
    authorization: str | None
    #: The ``{activityId}`` path segment for reply/update/delete.
    target_activity_id: str | None
    #: The id the fake connector returned: the new activity's id (for ``create_conversation`` with an
    #: activity, e.g. a new channel post, too), or the new conversation's id when no activity was posted.
    assigned_id: str | None

    @property
    def type(self) -> str | None:
        return self.activity.get("type")

    @property
    def text(self) -> str | None:
        return self.activity.get("text")


@dataclass(frozen=True)
class ConnectorCall:
    """Every Bot Connector request, including ones answered with an injected failure or 401."""

    method: str
    path: str
    status: int
    authorization: str | None
    #: The query parameters (``pageSize``, ``continuationToken`` of ``pagedmembers``).
    query: Mapping[str, str] = field(default_factory=dict)


class ConnectorRoutes:
    """Request-handler mixin: ``/v3/conversations/…``."""

    fake: FakeMicrosoft
    command: str
    path: str
    headers: Any

    def _json_body(self) -> dict[str, Any]: ...  # provided by the handler
    def _reply(self, status: int, payload: Any = None, headers: Any = None) -> None: ...
    def _fail(self, failure: _Failure) -> None: ...

    # -- Bot Connector
    def _connector(self, path: str) -> None:
        fake = self.fake
        body = self._json_body() if self.command in ("POST", "PUT") else {}
        authorization = self.headers.get("Authorization")
        tail = path[path.index(CONNECTOR_PREFIX) + len(CONNECTOR_PREFIX):]
        segments = [unquote(part) for part in tail.split("/") if part]
        query = {key: values[-1] for key, values in parse_qs(urlsplit(self.path).query).items()}

        def record(status: int, sent: SentActivity | None = None) -> None:
            fake._record(ConnectorCall(self.command, path, status, authorization, query), sent)

        failure = fake._take_failure("connector", self.command)
        if failure:
            record(failure.status)
            return self._fail(failure)
        if fake.require_connector_auth and not self._authorized(authorization):
            record(401)
            return self._reply(401, {"message": "Authorization has been denied for this request."})

        method, n = self.command, len(segments)
        if method == "POST" and n == 0:
            return self._create_conversation(body, authorization, record)
        if n >= 2 and segments[1] == "activities":
            conversation_id = segments[0]
            target = segments[2] if n == 3 else None
            kind: SentKind | None = {
                ("POST", 2): "send", ("POST", 3): "reply", ("PUT", 3): "update", ("DELETE", 3): "delete",
            }.get((method, n))
            if kind is not None:
                assigned = None if kind == "delete" else (target if kind == "update" else fake._next_id())
                record(200, SentActivity(kind, conversation_id, body, authorization, target, assigned))
                return self._reply(200, None if kind == "delete" else {"id": assigned})
        if method == "GET" and n in (2, 3) and segments[1] == "members":
            return self._members(segments[0], segments[2] if n == 3 else None, record)
        if method == "GET" and n == 2 and segments[1] == "pagedmembers":
            return self._paged_members(segments[0], query, record)
        record(404)
        self._reply(404, {"error": {"code": "BadArgument", "message": f"unsupported {method} {path}"}})

    def _authorized(self, authorization: str | None) -> bool:
        if not authorization or not authorization.startswith("Bearer "):
            return False
        return authorization[len("Bearer "):] in self.fake.issued_tokens

    def _create_conversation(self, params: dict[str, Any], authorization: str | None, record: Any) -> None:
        fake = self.fake
        members = params.get("members") or []
        member_id = members[0].get("id") if members else None
        channel = ((params.get("channelData") or {}).get("channel") or {}).get("id")
        activity_id = fake._next_id() if params.get("activity") else None
        with fake._lock:
            conversation_id = fake._personal_conversations.get(member_id) if member_id else None
            if channel and activity_id:
                # A new post in a channel: Teams answers with the new reply chain's conversation id.
                conversation_id = f"{channel};messageid={activity_id}"
            elif conversation_id is None:
                conversation_id = f"a:1fake-conversation-{next(fake._ids)}"
                if member_id and not params.get("isGroup"):
                    fake._personal_conversations[member_id] = conversation_id
        response: dict[str, Any] = {"id": conversation_id}
        if activity_id:
            response["activityId"] = activity_id
        record(200, SentActivity("create_conversation", conversation_id, params, authorization, None,
                                 activity_id or conversation_id))
        self._reply(200, response)

    def _known_members(self, conversation_id: str) -> dict[str, dict[str, Any]]:
        with self.fake._lock:
            known = self.fake._rosters.get(conversation_id)
            if known is None:
                known = {**self.fake._members.get(None, {}), **self.fake._members.get(conversation_id, {})}
            return dict(known)

    def _paged_members(self, conversation_id: str, query: Mapping[str, str], record: Any) -> None:
        """``GET /v3/conversations/{id}/pagedmembers?pageSize=&continuationToken=``, as Teams documents it.

        The answer is a TeamsPagedMembersResult, ``{"members": [...], "continuationToken": "..."}``;
        the last page has no ``continuationToken``. ``pageSize`` is a suggestion (50 to 500, 200
        when not given). Only teams and channels are paged: a chat's whole roster comes at once.
        The token is opaque to the bot (here base64, so it needs URL-encoding in the query).
        """
        def refuse(message: str) -> None:
            record(400)
            self._reply(400, {"error": {"code": "BadArgument", "message": message}})

        try:
            asked = int(query.get("pageSize") or PAGE_SIZE_DEFAULT)
        except ValueError:
            return refuse("pageSize must be an integer")
        page_size = min(max(asked, PAGE_SIZE_MIN), PAGE_SIZE_MAX)
        start = 0
        token = query.get("continuationToken")
        if token:
            try:
                token_conversation, offset = base64.b64decode(token, validate=True).decode("utf-8").rsplit("|", 1)
                start = int(offset)
            except ValueError:
                return refuse("invalid continuation token")
            if token_conversation != conversation_id:
                return refuse("continuation token of another conversation")
        members = list(self._known_members(conversation_id).values())
        paged = conversation_id.startswith("19:") and conversation_id.endswith(("@thread.tacv2", "@thread.skype"))
        end = start + page_size if paged else len(members)
        result: dict[str, Any] = {"members": members[start:end]}
        if end < len(members):
            result["continuationToken"] = base64.b64encode(f"{conversation_id}|{end}".encode("utf-8")).decode("ascii")
        record(200)
        self._reply(200, result)

    def _members(self, conversation_id: str, user_id: str | None, record: Any) -> None:
        known = self._known_members(conversation_id)
        if user_id is None:
            record(200)
            return self._reply(200, list(known.values()))
        member = known.get(user_id)
        if member is None:  # Teams also finds a member by their AAD object id
            member = next((m for m in known.values() if m.get("aadObjectId") == user_id), None)
        if member is None:
            record(404)
            return self._reply(404, {"error": {"code": "MemberNotFoundInConversation",
                                               "message": "The member was not found in the conversation."}})
        record(200)
        self._reply(200, member)
