"""Signing in with OpenID Connect, every check done by authlib.

The authorization-code flow with PKCE: :func:`begin` stores a sign-in (a
random ``state``, a ``nonce``, a PKCE verifier) in the database and returns
the provider's authorization address; :func:`finish` takes the callback's
``state`` *once* (a conditional update, so two replicas cannot both use it and
a replayed callback finds it used), exchanges the code at the provider's token
endpoint and has authlib validate the ID token: signature against the
provider's published keys (JWKS, from its discovery document), ``iss``,
``aud``, ``exp``/``iat``, ``nonce``, ``azp`` and ``at_hash``. Nothing here
parses or checks a token by hand.
"""

from __future__ import annotations

import asyncio
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc.errors import JoseError as ClaimsError
from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from kbbot.contract.sign_in import IdentityProvider
from kbbot.store.db import unit_of_work
from kbbot.store.models import WebSignIn

with warnings.catch_warnings():  # authlib 1.x announces joserfc; its OIDC claims classes still build on jose
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, JsonWebToken
    from authlib.jose.errors import JoseError
    from authlib.oidc.core import CodeIDToken

ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384", "PS256"]
"""Signatures accepted on ID tokens: public-key ones only (never ``none`` or a shared secret)."""
LEEWAY = 60
"""Seconds of clock difference tolerated on ``exp``, ``iat`` and ``nbf``."""
METADATA_TTL = 3600.0
TIMEOUT = aiohttp.ClientTimeout(total=10)


class SignInRefused(Exception):
    """A sign-in that must not go on; ``reason`` names the catalogue message shown (``web.error.<reason>``)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


@dataclass
class Provider:
    """One configured provider with its discovery document and keys, fetched when first needed and cached."""

    described: IdentityProvider
    _metadata: dict[str, Any] | None = None
    _metadata_at: float = 0.0
    _keys: Any = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def name(self) -> str:
        return self.described.name

    @property
    def title(self) -> str:
        return self.described.title

    def discovery_url(self) -> str:
        return self.described.discovery_url or f"{self.described.issuer}/.well-known/openid-configuration"

    async def metadata(self, http: aiohttp.ClientSession) -> dict[str, Any]:
        async with self._lock:
            if self._metadata is None or time.monotonic() - self._metadata_at > METADATA_TTL:
                self._metadata = await _json(http, self.discovery_url())
                self._metadata_at = time.monotonic()
                self._keys = None
            return self._metadata

    async def keys(self, http: aiohttp.ClientSession, refresh: bool = False) -> Any:
        metadata = await self.metadata(http)
        async with self._lock:
            if self._keys is None or refresh:
                self._keys = JsonWebKey.import_key_set(await _json(http, metadata["jwks_uri"]))
            return self._keys


async def _json(http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    try:
        async with http.get(url, timeout=TIMEOUT) as response:
            response.raise_for_status()
            return dict(await response.json(content_type=None))
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        raise SignInRefused("provider_unreachable", f"{url}: {error}") from error


async def begin(provider: Provider, http: aiohttp.ClientSession, sessions: sessionmaker[Session],
                redirect_uri: str, return_to: str | None, now: datetime) -> tuple[str, str]:
    """Store a new sign-in and return ``(state, the provider's authorization address)``."""
    metadata = await provider.metadata(http)
    state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)

    def store() -> None:
        with unit_of_work(sessions) as session:
            # Sign-ins older than a day can be neither finished nor replayed: they are only clutter.
            session.execute(delete(WebSignIn).where(WebSignIn.created_at < now - timedelta(days=1)))
            session.add(WebSignIn(state=state, provider=provider.name, nonce=nonce, code_verifier=verifier,
                                  return_to=return_to, created_at=now))

    await asyncio.to_thread(store)
    url = add_params_to_uri(metadata["authorization_endpoint"], [
        ("response_type", "code"), ("client_id", provider.described.client_id), ("redirect_uri", redirect_uri),
        ("scope", " ".join(provider.described.scopes)), ("state", state), ("nonce", nonce),
        ("code_challenge", create_s256_code_challenge(verifier)), ("code_challenge_method", "S256")])
    return state, url


@dataclass(frozen=True)
class Finished:
    claims: dict[str, Any]
    return_to: str | None


def take(sessions: sessionmaker[Session], provider: str, state: str, now: datetime,
         lifetime: timedelta) -> WebSignIn:
    """The stored sign-in for ``state``, marked used in the same statement; refused when unknown, used or stale.

    ``UPDATE … WHERE used_at IS NULL`` lets exactly one callback have it, however many replicas race.
    """
    with unit_of_work(sessions) as session:
        taken = session.execute(update(WebSignIn).where(
            WebSignIn.state == state, WebSignIn.provider == provider, WebSignIn.used_at.is_(None),
            WebSignIn.created_at > now - lifetime).values(used_at=now)
            .execution_options(synchronize_session=False)).rowcount
        row = session.get(WebSignIn, state)
        if row is None:
            raise SignInRefused("sign_in_unknown")
        if taken != 1:
            raise SignInRefused("sign_in_used" if row.used_at is not None else "sign_in_expired")
        session.expunge(row)
        return row


async def finish(provider: Provider, http: aiohttp.ClientSession, sessions: sessionmaker[Session], *,
                 state: str, code: str, redirect_uri: str, now: datetime, lifetime: timedelta,
                 browser_state: str | None) -> Finished:
    """The verified claims of the callback for ``state``; raises :class:`SignInRefused` otherwise.

    ``browser_state`` is the state this browser's sign-in cookie holds: a
    callback carrying another one (someone else's sign-in, slipped to this
    browser) is refused after the state is spent.
    """
    started = await asyncio.to_thread(take, sessions, provider.name, state, now, lifetime)
    if browser_state != state:
        raise SignInRefused("sign_in_other_browser")
    metadata = await provider.metadata(http)
    tokens = await _exchange(provider, http, metadata, code, redirect_uri, started.code_verifier)
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise SignInRefused("token_invalid", "the token response has no ID token")
    claims = await _validate(provider, http, id_token, started.nonce, tokens.get("access_token"))
    return Finished(claims=claims, return_to=started.return_to)


async def _exchange(provider: Provider, http: aiohttp.ClientSession, metadata: dict[str, Any], code: str,
                    redirect_uri: str, verifier: str) -> dict[str, Any]:
    described = provider.described
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": verifier, "client_id": described.client_id}
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    auth = None
    if "client_secret_post" in methods:
        form["client_secret"] = described.client_secret
    else:
        auth = aiohttp.BasicAuth(described.client_id, described.client_secret)
    try:
        async with http.post(metadata["token_endpoint"], data=form, auth=auth, timeout=TIMEOUT,
                             headers={"Accept": "application/json"}) as response:
            body = await response.json(content_type=None)
            if response.status != 200 or not isinstance(body, dict):
                raise SignInRefused("token_refused", f"token endpoint answered {response.status}: {body}")
            return body
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        raise SignInRefused("provider_unreachable", str(error)) from error


async def _validate(provider: Provider, http: aiohttp.ClientSession, id_token: str, nonce: str,
                    access_token: str | None) -> dict[str, Any]:
    described = provider.described
    if "{tenant}" in described.issuer:
        def issuer_ok(claims: Any, value: Any) -> bool:
            return value == described.issuer.replace("{tenant}", str(claims.get("tid", "")))
        iss: dict[str, Any] = {"essential": True, "validate": issuer_ok}
    else:
        iss = {"essential": True, "value": described.issuer}
    options = {"iss": iss, "aud": {"essential": True, "value": described.client_id}}
    params = {"nonce": nonce, "client_id": described.client_id, "access_token": access_token}
    decoder = JsonWebToken(ALGORITHMS)
    for refresh in (False, True):  # keys rotate: one refetch when the token's key is not (yet) known
        try:
            claims = decoder.decode(id_token, await provider.keys(http, refresh=refresh), claims_cls=CodeIDToken,
                                    claims_options=options, claims_params=params)
            claims.validate(leeway=LEEWAY)
            return dict(claims)
        except (JoseError, ClaimsError) as error:  # authlib raises the latter for claims since 1.7
            raise SignInRefused("token_invalid", str(error)) from error
        except ValueError as error:  # no key with the token's kid, or a token that is not a JWT at all
            if refresh:
                raise SignInRefused("token_invalid", str(error)) from error
    raise AssertionError("unreachable")
