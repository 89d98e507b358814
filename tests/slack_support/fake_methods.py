"""Slack Web API method behaviour for the fake server in ``fake_web_api``.

Why a separate module: the HTTP plumbing (parsing, recording, programmed
failures) and the *meaning* of each Slack method change for different reasons.
Everything here is plain data in, plain data out, shaped like Slack's documented
responses (docs.slack.dev/reference/methods/...), so adapter tests see the same
JSON a real workspace would send back.

Placeholder ids match ``tests/fixtures/slack/README.md``.
"""

from __future__ import annotations

import base64

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

JsonDict = dict[str, Any]

TEAM_ID = "T0001"
TEAM_NAME = "KB Test Workspace"
TEAM_DOMAIN = "kbtest"
APP_ID = "A_KBBOT"
BOT_USER_ID = "U_KBBOT"
BOT_ID = "B_KBBOT"
BOT_TOKEN = "xoxb-T0001-kbbot-test"
BOT_SCOPES = (
    "app_mentions:read,channels:history,chat:write,commands,groups:history,"
    "im:history,im:write,reactions:read,users:read"
)


@dataclass(frozen=True)
class TokenIdentity:
    """Who a token belongs to, as auth.test reports it."""

    team_id: str
    user_id: str
    bot_id: str | None
    enterprise_id: str | None = None
    scopes: str = BOT_SCOPES


@dataclass
class Workspace:
    """The directory of one fake workspace: users, conversations, identity."""

    team_id: str = TEAM_ID
    team_name: str = TEAM_NAME
    team_domain: str = TEAM_DOMAIN
    app_id: str = APP_ID
    bot_user_id: str = BOT_USER_ID
    bot_id: str = BOT_ID
    bot_scopes: str = BOT_SCOPES
    users: dict[str, JsonDict] = field(default_factory=dict)
    channels: dict[str, JsonDict] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"https://{self.team_domain}.slack.com/"

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        tz: str = "Europe/London",
        tz_label: str = "Greenwich Mean Time",
        tz_offset: int = 0,
        locale: str = "en-US",
        is_bot: bool = False,
        deleted: bool = False,
    ) -> JsonDict:
        """Add a users.info-shaped user. ``tz`` sits on the user, not on profile, as in Slack."""
        real = real_name or name.title()
        user: JsonDict = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": deleted,
            "color": "9f69e7",
            "real_name": real,
            "tz": tz,
            "tz_label": tz_label,
            "tz_offset": tz_offset,
            "profile": {
                "title": "",
                "phone": "",
                "skype": "",
                "real_name": real,
                "real_name_normalized": real,
                "display_name": name,
                "display_name_normalized": name,
                "status_text": "",
                "status_emoji": "",
                "avatar_hash": "ge3b51ca72de",
                "image_48": f"https://secure.gravatar.com/avatar/{user_id}.jpg?s=48",
                "team": self.team_id,
            },
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": 1700000000,
            "has_2fa": False,
            "_locale": locale,  # stripped unless include_locale=true
        }
        if is_bot:
            user["profile"]["bot_id"] = self.bot_id
            user["profile"]["api_app_id"] = self.app_id
        self.users[user_id] = user
        return user

    def add_channel(
        self,
        channel_id: str,
        name: str = "",
        *,
        is_private: bool = False,
        is_im: bool = False,
        im_user: str | None = None,
        members: list[str] | None = None,
    ) -> JsonDict:
        """Add a conversations.info-shaped conversation (public, private or IM)."""
        channel: JsonDict = {
            "id": channel_id,
            "created": 1700000000,
            "is_archived": False,
            "is_org_shared": False,
            "is_shared": False,
            "is_ext_shared": False,
            "context_team_id": self.team_id,
            "_members": list(members or []),
        }
        if is_im:
            channel.update(
                {"is_im": True, "user": im_user, "is_user_deleted": False, "is_open": True, "priority": 0}
            )
        else:
            channel.update(
                {
                    "name": name,
                    "name_normalized": name,
                    "is_channel": not is_private,
                    "is_group": is_private,
                    "is_im": False,
                    "is_mpim": False,
                    "is_private": is_private,
                    "is_general": name == "general",
                    "is_member": self.bot_user_id in (members or []),
                    "creator": "U_ALICE",
                    "topic": {"value": "", "creator": "", "last_set": 0},
                    "purpose": {"value": "", "creator": "", "last_set": 0},
                }
            )
        self.channels[channel_id] = channel
        return channel

    def dm_channel_for(self, user_id: str) -> str:
        """Return (creating if needed) the IM id between the bot and ``user_id``."""
        for cid, ch in self.channels.items():
            if ch.get("is_im") and ch.get("user") == user_id:
                return cid
        cid = "D_" + user_id.removeprefix("U_").removeprefix("W_")
        self.add_channel(cid, is_im=True, im_user=user_id, members=[user_id, self.bot_user_id])
        return cid


def default_workspace() -> Workspace:
    """The workspace every test starts with; ids documented in the fixtures README."""
    ws = Workspace()
    ws.add_user("U_ALICE", "alice", real_name="Alice Asker", tz="Europe/Berlin",
                tz_label="Central European Time", tz_offset=3600, locale="de-DE")
    ws.add_user("U_BOB", "bob", real_name="Bob Expert", tz="America/New_York",
                tz_label="Eastern Standard Time", tz_offset=-18000, locale="en-US")
    ws.add_user(BOT_USER_ID, "kbbot", real_name="kbbot", is_bot=True)
    ws.add_channel("C_GENERAL", "general", members=["U_ALICE", "U_BOB", BOT_USER_ID])
    ws.add_channel("G_PRIVATE", "secret-project", is_private=True, members=["U_ALICE", BOT_USER_ID])
    ws.add_channel("D_ALICE", is_im=True, im_user="U_ALICE", members=["U_ALICE", BOT_USER_ID])
    return ws


def _truthy(value: Any) -> bool:
    """Form bodies carry booleans as "1"/"true"; JSON bodies as real booleans."""
    return value is True or str(value).lower() in ("1", "true")


def _json_param(value: Any) -> Any:
    """Form bodies carry blocks/views as JSON strings; JSON bodies as objects."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        return json.loads(value)
    return value


def _error(error: str, **extra: Any) -> JsonDict:
    return {"ok": False, "error": error, **extra}


Handler = Callable[[JsonDict, str | None], JsonDict]

# Methods Slack answers without a token (or with Basic auth instead).
_NO_TOKEN_METHODS = frozenset({"api.test", "oauth.v2.access"})


class SlackMethods:
    """Stateful implementation of the Slack methods the adapter uses.

    Thread-safe: the HTTP server calls :meth:`dispatch` from many threads.
    """

    def __init__(self, workspace: Workspace | None = None) -> None:
        self.workspace = workspace or default_workspace()
        self._lock = threading.RLock()
        self._last_us = 0
        self._view_seq = 0
        self._install_seq = 0
        self._tokens: dict[str, TokenIdentity] = {}
        self._revoked: dict[str, str] = {}
        self._used_codes: set[str] = set()
        self.messages: dict[tuple[str, str], JsonDict] = {}
        self.oauth_client_id: str | None = None
        self.oauth_client_secret: str | None = None
        self.socket_mode_url: str | None = None  # what apps.connections.open hands out
        self._handlers: dict[str, Handler] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "views.publish": self._views_publish,
            "views.open": self._views_open,
            "views.update": self._views_open,
            "views.push": self._views_open,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.replies": self._conversations_replies,
            "conversations.join": self._conversations_info,
            "conversations.history": self._conversations_history,
            "reactions.add": self._ok,
            "reactions.remove": self._ok,
            "oauth.v2.access": self._oauth_v2_access,
            "apps.connections.open": self._apps_connections_open,
        }

    # ----------------------------------------------------------------- tokens
    def register_token(self, token: str, identity: TokenIdentity) -> None:
        with self._lock:
            self._tokens[token] = identity
            self._revoked.pop(token, None)

    def revoke_token(self, token: str, error: str = "token_revoked") -> None:
        """Make every call with ``token`` fail like an uninstalled app's would."""
        with self._lock:
            self._revoked[token] = error

    def identity(self, token: str) -> TokenIdentity:
        ws = self.workspace
        with self._lock:
            known = self._tokens.get(token)
        if known:
            return known
        if token.startswith("xoxp-"):
            return TokenIdentity(ws.team_id, "U_ALICE", None, scopes="search:read")
        return TokenIdentity(ws.team_id, ws.bot_user_id, ws.bot_id, scopes=ws.bot_scopes)

    # ---------------------------------------------------------------- dispatch
    def dispatch(
        self, method: str, params: JsonDict, token: str | None, basic_client_id: str | None = None
    ) -> tuple[JsonDict, dict[str, str]]:
        """Answer one API call: (JSON body, extra response headers)."""
        handler = self._handlers.get(method)
        if handler is None:
            return _error("unknown_method", req_method=method), {}
        if method not in _NO_TOKEN_METHODS:
            if not token:
                return _error("not_authed"), {}
            with self._lock:
                revoked = self._revoked.get(token)
            if revoked:
                return _error(revoked), {}
        if method == "oauth.v2.access" and basic_client_id:
            params = {"client_id": basic_client_id, **params}
        body = handler(params, token)
        headers: dict[str, str] = {}
        if token and body.get("ok"):
            # Bolt reads this (lower-case, exact key) from auth.test for bot_scopes.
            headers["x-oauth-scopes"] = self.identity(token).scopes
        return body, headers

    def next_ts(self) -> str:
        """A Slack ``ts``: seconds.micros, strictly increasing and unique."""
        with self._lock:
            us = max(int(time.time() * 1_000_000), self._last_us + 1)
            self._last_us = us
        return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    # ----------------------------------------------------------------- methods
    def _ok(self, params: JsonDict, token: str | None) -> JsonDict:
        return {"ok": True}

    def _api_test(self, params: JsonDict, token: str | None) -> JsonDict:
        return {"ok": True, "args": dict(params)}

    def _auth_test(self, params: JsonDict, token: str | None) -> JsonDict:
        who = self.identity(token or "")
        body: JsonDict = {
            "ok": True,
            "url": self.workspace.url,
            "team": self.workspace.team_name,
            "user": self.workspace.users.get(who.user_id, {}).get("name", "kbbot"),
            "team_id": who.team_id,
            "user_id": who.user_id,
            "is_enterprise_install": False,
        }
        if who.bot_id:
            body["bot_id"] = who.bot_id
        if who.enterprise_id:
            body["enterprise_id"] = who.enterprise_id
        return body

    def _resolve_channel(self, channel: str) -> str:
        """chat.postMessage accepts a user id and posts to the bot's DM with them."""
        if channel.startswith(("U", "W")) and channel in self.workspace.users:
            with self._lock:
                return self.workspace.dm_channel_for(channel)
        return channel

    def _bot_message(self, params: JsonDict, ts: str, token: str | None) -> JsonDict:
        who = self.identity(token or "")
        msg: JsonDict = {
            "type": "message",
            "text": params.get("text", ""),
            "user": who.user_id,
            "ts": ts,
            "team": who.team_id,
        }
        if who.bot_id:
            msg.update({
                "bot_id": who.bot_id,
                "app_id": self.workspace.app_id,
                "bot_profile": {"id": who.bot_id, "app_id": self.workspace.app_id,
                                "name": "kbbot", "team_id": who.team_id, "deleted": False},
            })
        for key in ("blocks", "attachments", "metadata"):
            if params.get(key):
                msg[key] = _json_param(params[key])
        if params.get("thread_ts"):
            msg["thread_ts"] = params["thread_ts"]
            parent = self.messages.get((str(params.get("channel")), str(params["thread_ts"])))
            msg["parent_user_id"] = parent.get("user") if parent else who.user_id
        return msg

    def _chat_post_message(self, params: JsonDict, token: str | None) -> JsonDict:
        if not params.get("channel"):
            return _error("channel_not_found")
        if not any(params.get(k) for k in ("text", "blocks", "attachments")):
            return _error("no_text")
        channel = self._resolve_channel(str(params["channel"]))
        ts = self.next_ts()
        message = self._bot_message({**params, "channel": channel}, ts, token)
        with self._lock:
            self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, params: JsonDict, token: str | None) -> JsonDict:
        if not params.get("channel"):
            return _error("channel_not_found")
        if not params.get("user"):
            return _error("user_not_found")
        return {"ok": True, "message_ts": self.next_ts()}

    def _chat_update(self, params: JsonDict, token: str | None) -> JsonDict:
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        if not channel or not ts:
            return _error("message_not_found")
        message = self._bot_message(params, ts, token)
        message.pop("ts", None)  # Slack's chat.update echo has no ts inside message
        message["edited"] = {"user": message["user"], "ts": self.next_ts()}
        with self._lock:
            stored = self.messages.get((channel, ts))
            if stored is not None:
                stored.update({k: v for k, v in message.items() if k != "edited"})
        return {"ok": True, "channel": channel, "ts": ts, "text": params.get("text", ""), "message": message}

    def _chat_delete(self, params: JsonDict, token: str | None) -> JsonDict:
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        if not channel or not ts:
            return _error("message_not_found")
        with self._lock:
            self.messages.pop((channel, ts), None)
        return {"ok": True, "channel": channel, "ts": ts}

    def _chat_get_permalink(self, params: JsonDict, token: str | None) -> JsonDict:
        channel, ts = str(params.get("channel", "")), str(params.get("message_ts", ""))
        if not channel or not ts:
            return _error("message_not_found")
        link = f"{self.workspace.url}archives/{channel}/p{ts.replace('.', '')}"
        stored = self.messages.get((channel, ts))
        if stored and stored.get("thread_ts") and stored["thread_ts"] != ts:
            link += f"?thread_ts={stored['thread_ts']}&cid={channel}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _view(self, params: JsonDict, default_type: str) -> JsonDict:
        view = dict(_json_param(params.get("view")) or {})
        with self._lock:
            self._view_seq += 1
            view_id = params.get("view_id") or f"V{self._view_seq:08d}"
        return {
            "id": view_id,
            "team_id": self.workspace.team_id,
            "type": view.get("type", default_type),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{self._view_seq:08d}",
            "title": view.get("title"),
            "clear_on_close": False,
            "notify_on_close": False,
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.workspace.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.workspace.team_id,
            "bot_id": self.workspace.bot_id,
        }

    def _views_publish(self, params: JsonDict, token: str | None) -> JsonDict:
        if not params.get("user_id"):
            return _error("invalid_arguments")
        return {"ok": True, "view": self._view(params, "home")}

    def _views_open(self, params: JsonDict, token: str | None) -> JsonDict:
        if not params.get("view"):
            return _error("invalid_arguments")
        return {"ok": True, "view": self._view(params, "modal")}

    def _users_info(self, params: JsonDict, token: str | None) -> JsonDict:
        user = self.workspace.users.get(str(params.get("user", "")))
        if user is None:
            return _error("user_not_found")
        public = {k: v for k, v in user.items() if not k.startswith("_")}
        if _truthy(params.get("include_locale")):
            public["locale"] = user["_locale"]
        return {"ok": True, "user": public}

    def _conversations_open(self, params: JsonDict, token: str | None) -> JsonDict:
        if params.get("channel"):
            return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": params["channel"]}}
        users = [u for u in str(params.get("users", "")).split(",") if u]
        if not users:
            return _error("users_list_not_supplied")
        if any(u not in self.workspace.users for u in users):
            return _error("user_not_found")
        with self._lock:
            existed = any(c.get("is_im") and c.get("user") == users[0] for c in self.workspace.channels.values())
            cid = self.workspace.dm_channel_for(users[0]) if len(users) == 1 else "G_MPIM_" + "_".join(users)
        body: JsonDict = {"ok": True, "channel": {"id": cid}}
        if existed:
            body.update({"no_op": True, "already_open": True})
        return body

    def _channel_or_error(self, params: JsonDict) -> JsonDict | None:
        return self.workspace.channels.get(str(params.get("channel", "")))

    def _conversations_info(self, params: JsonDict, token: str | None) -> JsonDict:
        channel = self._channel_or_error(params)
        if channel is None:
            return _error("channel_not_found")
        return {"ok": True, "channel": {k: v for k, v in channel.items() if not k.startswith("_")}}

    def _conversations_members(self, params: JsonDict, token: str | None) -> JsonDict:
        channel = self._channel_or_error(params)
        if channel is None:
            return _error("channel_not_found")
        # Cursor pagination as Slack documents it: ``limit`` (default 100, at most 1000) and an opaque
        # ``cursor``; the last page has an empty ``next_cursor``.
        members = list(channel["_members"])
        limit = min(max(int(params.get("limit") or 100), 1), 1000)
        start = int(base64.b64decode(params["cursor"]).decode().removeprefix("offset:")) if params.get("cursor") else 0
        page = members[start:start + limit]
        rest = start + limit < len(members)
        cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if rest else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}

    def _readable(self, message: JsonDict, params: JsonDict) -> JsonDict:
        """A stored message as the history methods return it: metadata only with ``include_all_metadata``."""
        shown = dict(message)
        if not _truthy(params.get("include_all_metadata")):
            shown.pop("metadata", None)
        return shown

    def _page(self, messages: list[JsonDict], params: JsonDict) -> JsonDict:
        """Cursor pagination as the history methods document it: ``limit``, ``has_more``, ``next_cursor``."""
        limit = min(max(int(params.get("limit") or 100), 1), 1000)
        start = int(base64.b64decode(params["cursor"]).decode().removeprefix("offset:")) if params.get("cursor") else 0
        page = messages[start:start + limit]
        more = start + limit < len(messages)
        cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
        return {"ok": True, "messages": [self._readable(m, params) for m in page], "has_more": more,
                "response_metadata": {"next_cursor": cursor}}

    def _conversations_history(self, params: JsonDict, token: str | None) -> JsonDict:
        """Top-level messages (and thread broadcasts) newer than ``oldest``, newest first."""
        channel = str(params.get("channel", ""))
        if not channel:
            return _error("channel_not_found")
        oldest = float(params.get("oldest") or 0)
        with self._lock:
            found = [m for (c, ts), m in self.messages.items()
                     if c == channel and float(ts) > oldest and m.get("thread_ts", ts) == ts]
        return self._page(sorted(found, key=lambda m: float(m["ts"]), reverse=True), params)

    def add_message(self, channel: str, user: str, text: str, *, thread_ts: str | None = None,
                    reactions: list[JsonDict] | None = None, ts: str | None = None, **extra: Any) -> JsonDict:
        """A person's message in ``channel`` (a reply when ``thread_ts``), as ``conversations.replies`` returns it."""
        ts = ts or self.next_ts()
        message: JsonDict = {"type": "message", "user": user, "text": text, "ts": ts, "team": self.workspace.team_id,
                             **extra}
        if thread_ts:
            message["thread_ts"] = thread_ts
            parent = self.messages.get((channel, thread_ts))
            message["parent_user_id"] = parent.get("user") if parent else user
        if reactions:
            message["reactions"] = reactions
        with self._lock:
            self.messages[(channel, ts)] = message
            root = self.messages.get((channel, thread_ts)) if thread_ts else None
            if root is not None:
                root["thread_ts"] = thread_ts
                root["reply_count"] = root.get("reply_count", 0) + 1
        return message

    def _conversations_replies(self, params: JsonDict, token: str | None) -> JsonDict:
        """The thread of ``ts``: its root first, then the replies, oldest first; cursor pages as Slack documents."""
        channel = self._channel_or_error(params)
        if channel is None or (channel.get("is_private") and self.workspace.bot_user_id not in channel["_members"]):
            return _error("channel_not_found")  # a private channel the bot is not in does not exist for it
        if not channel.get("is_im") and self.workspace.bot_user_id not in channel["_members"]:
            return _error("not_in_channel")
        ts = str(params.get("ts", ""))
        oldest = float(params.get("oldest") or 0)  # the root is returned whatever its age, as Slack does
        with self._lock:
            root = self.messages.get((channel["id"], ts))
            if root is None:
                return _error("thread_not_found")
            thread = sorted((m for (cid, _), m in self.messages.items()
                             if cid == channel["id"] and (m["ts"] == ts or (m.get("thread_ts") == ts
                                                                          and float(m["ts"]) > oldest))),
                            key=lambda m: (m["ts"] != ts, float(m["ts"])))
        limit = min(max(int(params.get("limit") or 1000), 1), 1000)
        start = int(base64.b64decode(params["cursor"]).decode().removeprefix("offset:")) if params.get("cursor") else 0
        page = [self._readable(m, params) for m in thread[start:start + limit]]
        rest = start + limit < len(thread)
        cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if rest else ""
        return {"ok": True, "messages": page, "has_more": rest, "response_metadata": {"next_cursor": cursor}}

    def _apps_connections_open(self, params: JsonDict, token: str | None) -> JsonDict:
        """Socket Mode: only an app-level token (``xapp-``) may open a connection."""
        if not (token or "").startswith("xapp-"):
            return _error("invalid_auth")
        if self.socket_mode_url is None:
            return _error("internal_error")
        return {"ok": True, "url": self.socket_mode_url}

    def _oauth_v2_access(self, params: JsonDict, token: str | None) -> JsonDict:
        """OAuth v2 code exchange: codes are single-use, client credentials optional-checked."""
        if self.oauth_client_id and params.get("client_id") != self.oauth_client_id:
            return _error("invalid_client_id")
        if self.oauth_client_secret and params.get("client_secret") not in (None, self.oauth_client_secret):
            return _error("bad_client_secret")
        code = str(params.get("code", ""))
        ws = self.workspace
        with self._lock:
            if not code or code in self._used_codes:
                return _error("invalid_code")
            self._used_codes.add(code)
            self._install_seq += 1
            seq = self._install_seq
        bot_token = f"xoxb-{ws.team_id}-{seq}-installed"
        self.register_token(bot_token, TokenIdentity(ws.team_id, ws.bot_user_id, ws.bot_id, scopes=ws.bot_scopes))
        return {
            "ok": True,
            "app_id": ws.app_id,
            "authed_user": {"id": "U_ALICE"},
            "scope": ws.bot_scopes,
            "token_type": "bot",
            "access_token": bot_token,
            "bot_user_id": ws.bot_user_id,
            "team": {"id": ws.team_id, "name": ws.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }


def merge_params(*sources: Mapping[str, Any]) -> JsonDict:
    """Later sources win, as Slack treats body params over query params."""
    merged: JsonDict = {}
    for source in sources:
        merged.update(source)
    return merged
