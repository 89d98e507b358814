"""The Bot Framework's signing keys, fetched in a thread instead of on the event loop.

Why this module exists: botframework-connector checks every inbound token
against signing keys it caches per OpenID metadata URL
(``JwtTokenExtractor.metadataCache``, one ``_OpenIdMetadata`` per URL). It
refreshes them once a day, and when a token names a key it does not hold (at
most hourly), with two blocking ``requests.get`` calls, without a timeout,
inside the coroutine that validates the request. On kbbot's one aiohttp loop
that stops every request of the process (Slack, Teams, ``/healthz``, the
scheduler's sends) for as long as ``login.botframework.com`` takes to answer.

botbuilder has no setting or hook for how keys are fetched, so this is the one
patch point, kept small: :func:`install` puts a :class:`SigningKeys` into
``JwtTokenExtractor.metadataCache`` for each metadata URL kbbot's
configuration validates against, before botbuilder makes its own.
botbuilder then uses it exactly as its own cache entry: ``await
entry.get(key_id)`` and, on the answer, ``public_key`` and ``endorsements``.
Nothing else of botbuilder is replaced; the JWT checks (issuer, audience,
expiry, signature, endorsements, service URL) stay botbuilder's.
``tests/test_teams_signing_keys.py`` fails if botbuilder stops reading keys
this way (then botbuilder would silently fetch on the loop again).

What a reader can rely on:

* the loop never waits for Microsoft: fetches run in a thread of their own,
  one at a time per URL, shared by every request that needs them, with a
  timeout;
* keys are fetched ahead of time: at start-up (:meth:`SigningKeys.refresh`
  from ``plugin.attach``) and, once they are :data:`REFRESH_AFTER` old, in the
  background while requests go on being checked against the keys held;
* only keys older than :data:`MAX_AGE` (botbuilder's day), no keys at all, or
  a key id not seen before (at most every :data:`UNKNOWN_KEY_EVERY`, as
  botbuilder) make a request wait for a fetch; it waits without blocking the
  loop, and a fetch that fails raises ``requests``' error as botbuilder did
  (``plugin.authenticate`` answers 503, so Teams retries).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import requests
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

#: Seconds for each of the two requests of a fetch (botbuilder sets none).
FETCH_TIMEOUT = 10.0
#: Keys this old are refreshed in the background; requests keep using them meanwhile.
REFRESH_AFTER = 12 * 3600.0
#: Keys this old are not used without a fresh fetch (botbuilder's one day).
MAX_AGE = 24 * 3600.0
#: A token naming an unknown key starts a fetch at most this often (botbuilder's hour).
UNKNOWN_KEY_EVERY = 3600.0
#: After a failed background fetch, the next one starts no sooner than this.
RETRY_EVERY = 300.0

Fetch = Callable[[str], list[dict[str, Any]]]


def fetch_keys(metadata_url: str) -> list[dict[str, Any]]:
    """The JSON Web Keys that the OpenID document at ``metadata_url`` points to. Blocking: run it in a thread."""
    with requests.Session() as http:
        document = http.get(metadata_url, timeout=FETCH_TIMEOUT)
        document.raise_for_status()
        keys = http.get(document.json()["jwks_uri"], timeout=FETCH_TIMEOUT)
        keys.raise_for_status()
        return list(keys.json()["keys"])


@dataclass(frozen=True)
class SigningKey:
    """What botbuilder reads from a key lookup: the key that verifies, and the channels it endorses."""

    public_key: Any
    endorsements: list[str]


@dataclass(frozen=True)
class _Keys:
    """One fetch's keys by id, and when they were fetched (monotonic clock): replaced whole, never changed."""

    by_id: dict[str, dict[str, Any]]
    fetched_at: float


class SigningKeys:
    """The signing keys behind one OpenID metadata URL, in botbuilder's cache-entry shape (``await get(kid)``)."""

    def __init__(self, metadata_url: str, fetch: Fetch = fetch_keys,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.url = metadata_url
        self._fetch = fetch
        self._clock = clock
        self._keys: _Keys | None = None
        self._lock = threading.Lock()
        self._running: concurrent.futures.Future[_Keys] | None = None
        self._started_at: float | None = None

    async def get(self, key_id: str | None) -> SigningKey:
        """The key ``key_id`` names; PermissionError when the Bot Framework publishes no such key."""
        now = self._clock()
        keys = self._keys
        if keys is None or now - keys.fetched_at >= MAX_AGE:
            keys = await self._fetched()
        elif now - keys.fetched_at >= REFRESH_AFTER and self._idle_for(now) >= RETRY_EVERY:
            self.refresh()  # the keys held are still good: nobody waits for this one
        jwk = keys.by_id.get(key_id) if key_id else None
        if jwk is None and key_id and self._idle_for(now) >= UNKNOWN_KEY_EVERY:
            keys = await self._fetched()  # perhaps a key published since the last fetch
            jwk = keys.by_id.get(key_id)
        if jwk is None:
            raise PermissionError(f"the token's signing key {key_id!r} is not published at {self.url}")
        return SigningKey(RSAAlgorithm.from_jwk(json.dumps(jwk)), list(jwk.get("endorsements") or []))

    def refresh(self) -> concurrent.futures.Future[_Keys]:
        """Start fetching the keys in a thread unless a fetch is already under way; never blocks."""
        with self._lock:
            if self._running is not None and not self._running.done():
                return self._running
            running: concurrent.futures.Future[_Keys] = concurrent.futures.Future()
            running.set_running_or_notify_cancel()  # a waiter that gives up cannot cancel it for the others
            self._running, self._started_at = running, self._clock()
        threading.Thread(target=self._run, args=(running,), name="teams-signing-keys", daemon=True).start()
        return running

    async def _fetched(self) -> _Keys:
        return await asyncio.wrap_future(self.refresh())

    def _idle_for(self, now: float) -> float:
        """Seconds since the last fetch started (infinite before the first)."""
        started = self._started_at
        return float("inf") if started is None else now - started

    def _run(self, running: concurrent.futures.Future[_Keys]) -> None:
        try:
            fetched = self._fetch(self.url)
            keys = _Keys({key["kid"]: key for key in fetched if key.get("kid")}, self._clock())
        except Exception as error:  # noqa: BLE001 - handed to every waiter, who decides
            log.warning("Bot Framework signing keys not fetched from %s: %s: %s", self.url, type(error).__name__,
                        error)
            running.set_exception(error)
            return
        self._keys = keys
        running.set_result(keys)


def install(metadata_urls: Iterable[str]) -> list[SigningKeys]:
    """Make botbuilder look keys up in a :class:`SigningKeys` for each URL (idempotent; the cache is per process)."""
    installed: list[SigningKeys] = []
    for url in metadata_urls:
        entry = JwtTokenExtractor.metadataCache.get(url)
        if not isinstance(entry, SigningKeys):
            entry = SigningKeys(url)
            JwtTokenExtractor.metadataCache[url] = entry
        installed.append(entry)
    return installed
