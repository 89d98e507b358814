"""Microsoft Graph, app-only: the two things Teams' Bot Connector does not say.

Teams tells a bot neither who owns a team nor what else was written in a
channel's reply chain; Graph does, under the resource-specific consent the
team gave when kbbot was added (``TeamMember.Read.Group``,
``ChannelMessage.Read.Group`` in ``manifest.json``). The token is the bot's
own (client credentials with its app id and password, for the tenant the team
belongs to), kept until shortly before it expires.

Graph is an extra, never a dependency: not configured (``KBBOT_TEAMS_GRAPH``
off, no password, a managed identity), refused (consent not given, a private
channel consent may not reach), busy or unreachable, every call answers ``None``,
"not known" (with why: :data:`NOT_ALLOWED` or :data:`UNAVAILABLE`), and the caller keeps to what
it knew. A 429 or 503 is tried again
after its ``Retry-After``, but only within :attr:`Graph.budget` seconds in all,
requests included: a person is waiting on the other end (a task module, a command).

Blocking (``requests``) on purpose: the ingest steps that use it already run
in the core's threads, and the invoke path calls it with ``asyncio.to_thread``;
one client then serves every event loop of the process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from kbbot_adapters.teams.settings import TeamsSettings

log = logging.getLogger(__name__)

RETRIED = frozenset({429, 503, 504})
"""Graph's answers meaning "later" (throttled, service unavailable, gateway timeout)."""
ATTEMPTS = 3
BUDGET = 8.0
"""Seconds all tries of one call may wait for in all: Teams gives an invoke about 15 seconds."""
DEFAULT_WAIT = 1.0
"""Seconds before trying again when Graph names no ``Retry-After``."""
TIMEOUT = 10.0
TOKEN_MARGIN = 120.0
"""Seconds before its stated expiry that a token is no longer used."""
MAX_PAGES = 20
"""Pages of one list followed at most (50 replies a page: a reply chain of 1,000 messages)."""
OWNER = "owner"


NOT_ALLOWED = "not_allowed"
UNAVAILABLE = "unavailable"


class Unknown(Exception):
    """Graph could not say: :data:`NOT_ALLOWED` (off, no consent, credentials refused) or :data:`UNAVAILABLE`."""

    def __init__(self, message: str, reason: str = UNAVAILABLE) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ChannelThread:
    """A channel post and its replies as Graph gives them (``chatMessage`` JSON), oldest reply first."""

    root: dict[str, Any]
    replies: list[dict[str, Any]]


class Graph:
    """A small Graph client: app-only tokens per tenant, bounded retries, "not known" instead of errors."""

    def __init__(self, settings: TeamsSettings, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 budget: float = BUDGET) -> None:
        self.settings = settings
        self.session = session or requests.Session()
        self.sleep = sleep
        self.clock = clock
        self.budget = budget
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, float]] = {}
        self._fetching: dict[str, threading.Lock] = {}

    @property
    def configured(self) -> bool:
        """Whether kbbot may ask Graph at all: switched on, with the bot's id and password."""
        teams = self.settings
        return bool(teams.graph and teams.app_id and teams.app_password and teams.graph_url)

    # -- what kbbot asks -----------------------------------------------------------------------
    def is_owner(self, tenant_id: str, group_id: str, aad_id: str) -> bool | str:
        """Whether the person (by AAD object id) owns the team (by its group id), or why it is not known.

        ``GET /teams/{id}/members`` filtered to that person: a ``conversationMember`` whose ``roles``
        hold ``owner``. Not a member (an empty list) is a plain no.
        """
        if not self.configured:
            return NOT_ALLOWED
        query = {"$filter": f"(microsoft.graph.aadUserConversationMember/userId eq '{_quoted(aad_id)}')"}
        try:
            members = list(self._pages(tenant_id, f"/teams/{quote(group_id, safe='')}/members", query,
                                       self.clock() + self.budget))
        except Unknown as error:
            log.info("Graph: owners of team %s not known: %s", group_id, error)
            return error.reason
        mine = [member for member in members if str(member.get("userId") or "").casefold() == aad_id.casefold()]
        return any(OWNER in [str(role).casefold() for role in member.get("roles") or []] for member in mine)

    def channel_thread(self, tenant_id: str, group_id: str, channel_id: str, root_id: str) -> ChannelThread | str:
        """A channel post and every reply to it (up to :data:`MAX_PAGES` pages), or why not (a reason)."""
        if not self.configured:
            return NOT_ALLOWED
        path = (f"/teams/{quote(group_id, safe='')}/channels/{quote(channel_id, safe='')}"
                f"/messages/{quote(root_id, safe='')}")
        try:
            deadline = self.clock() + self.budget
            root = self._get(tenant_id, self._url(path), None, deadline)
            replies = list(self._pages(tenant_id, f"{path}/replies", {"$top": "50"}, deadline))
        except Unknown as error:
            log.info("Graph: thread %s of channel %s not read: %s", root_id, channel_id, error)
            return error.reason
        replies.sort(key=lambda message: str(message.get("createdDateTime") or ""))
        return ChannelThread(root=root, replies=replies)

    # -- HTTP ----------------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        return self.settings.graph_url.rstrip("/") + path

    def _pages(self, tenant_id: str, path: str, query: dict[str, str], deadline: float) -> Iterator[dict[str, Any]]:
        """Every item of a collection, following ``@odata.nextLink`` (only to Graph's own host)."""
        url: str | None = self._url(path)
        params: dict[str, str] | None = query
        for _ in range(MAX_PAGES):
            if url is None:
                return
            page = self._get(tenant_id, url, params, deadline)
            items = page.get("value")
            if not isinstance(items, list):
                raise Unknown("not a collection")
            yield from (item for item in items if isinstance(item, dict))
            following = page.get("@odata.nextLink")
            if following is not None and (not isinstance(following, str) or not self._same_host(following)):
                raise Unknown("a next page somewhere else than Graph")
            url, params = following, None  # the link carries the query
        log.info("Graph: %s has more than %d pages; the rest is left out", path, MAX_PAGES)

    def _same_host(self, url: str) -> bool:
        return urlsplit(url).netloc == urlsplit(self.settings.graph_url).netloc

    def _get(self, tenant_id: str, url: str, params: dict[str, str] | None, deadline: float) -> dict[str, Any]:
        """One GET with the tenant's token: tried again on 429/503/504 and a token Graph no longer takes.

        Nothing goes on past ``deadline`` (on :attr:`clock`): each request waits at most what is left of it.
        """
        renewed = False
        for attempt in range(1, ATTEMPTS + 1):
            token = self._token(tenant_id, deadline)
            try:
                response = self.session.get(url, params=params, timeout=self._left(deadline),
                                            headers={"Authorization": f"Bearer {token}",
                                                     "Accept": "application/json"})
            except requests.RequestException as error:
                raise Unknown(f"unreachable: {error}") from None
            if response.status_code == 401 and not renewed:  # revoked or rotated early: one fresh token
                self._forget(tenant_id, token)
                renewed = True
                continue
            if response.status_code in RETRIED and attempt < ATTEMPTS:
                wait = _retry_after(response.headers.get("Retry-After"))
                if self.clock() + wait > deadline:
                    raise Unknown(f"{response.status_code}, again after {wait:g} s: beyond the budget")
                log.info("Graph: %s answered %d; trying again in %g s", urlsplit(url).path,
                         response.status_code, wait)
                self.sleep(wait)
                continue
            if response.status_code != 200:
                refused = response.status_code in (401, 403)  # no consent for this team, or not this app's
                raise Unknown(f"{response.status_code} {_error_code(response)}", NOT_ALLOWED if refused else UNAVAILABLE)
            try:
                body = response.json()
            except ValueError:
                raise Unknown("not JSON") from None
            if not isinstance(body, dict):
                raise Unknown("not a JSON object")
            return body
        raise Unknown("no answer after retries")

    # -- tokens --------------------------------------------------------------------------------
    def _left(self, deadline: float) -> float:
        """Seconds a request may take: what is left of the call's budget, at most :data:`TIMEOUT`."""
        left = deadline - self.clock()
        if left <= 0:
            raise Unknown("out of time")
        return min(TIMEOUT, left)

    def _token(self, tenant_id: str, deadline: float) -> str:
        """The app's Graph token for ``tenant_id``, from the cache until :data:`TOKEN_MARGIN` before expiry."""
        with self._lock:
            known = self._tokens.get(tenant_id)
            if known is not None and known[1] > self.clock():
                return known[0]
            fetching = self._fetching.setdefault(tenant_id, threading.Lock())
        with fetching:  # one request per tenant when many need a token at once
            with self._lock:
                known = self._tokens.get(tenant_id)
                if known is not None and known[1] > self.clock():
                    return known[0]
            token, lifetime = self._fetch_token(tenant_id, deadline)
            with self._lock:
                self._tokens[tenant_id] = (token, self.clock() + max(0.0, lifetime - TOKEN_MARGIN))
            return token

    def _forget(self, tenant_id: str, token: str) -> None:
        with self._lock:
            if self._tokens.get(tenant_id, ("", 0.0))[0] == token:
                del self._tokens[tenant_id]

    def _fetch_token(self, tenant_id: str, deadline: float) -> tuple[str, float]:
        teams = self.settings
        url = teams.graph_token_url.replace("{tenant}", quote(tenant_id, safe=""))
        form = {"grant_type": "client_credentials", "client_id": teams.app_id or "",
                "client_secret": teams.app_password or "", "scope": teams.graph_scope}
        try:
            response = self.session.post(url, data=form, timeout=self._left(deadline),
                                         headers={"Accept": "application/json"})
        except requests.RequestException as error:
            raise Unknown(f"token endpoint unreachable: {error}") from None
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
            code = body.get("error") if isinstance(body, dict) else None
            refused = response.status_code in (400, 401, 403)  # wrong secret, app not in that tenant
            raise Unknown(f"no token for tenant {tenant_id}: {response.status_code} {code or ''}".rstrip(),
                          NOT_ALLOWED if refused else UNAVAILABLE)
        try:
            lifetime = float(body.get("expires_in") or 0)
        except (TypeError, ValueError):
            lifetime = 0.0
        return str(body["access_token"]), lifetime


def _quoted(value: str) -> str:
    """A value inside an OData string literal (a quote is written twice)."""
    return value.replace("'", "''")


def _retry_after(value: str | None) -> float:
    """``Retry-After`` in seconds (a number or an HTTP date); :data:`DEFAULT_WAIT` when absent or unreadable."""
    if not value:
        return DEFAULT_WAIT
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return DEFAULT_WAIT


def _error_code(response: requests.Response) -> str:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return ""
    return str(error.get("code") or "") if isinstance(error, dict) else ""
