"""A loopback OpenID Connect provider that signs real tokens: discovery, JWKS, authorize and token endpoints.

Written with authlib's jose on aiohttp, served on 127.0.0.1. It signs in
whoever :attr:`OpenIdProvider.user` names (a dict of claims), without a login
form: the tests decide who is at the keyboard. Codes are single-use, PKCE is
checked, the ID token carries the request's nonce and an ``at_hash``, and
:attr:`OpenIdProvider.tamper` makes it issue a token that must be refused.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets
import time
import warnings
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from loopback import LoopbackServer

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, jwt
    from authlib.oidc.core.util import create_half_hash

CLIENT_ID = "kbbot-web-test"
CLIENT_SECRET = "s3cret-for-the-loopback-provider"


@functools.cache
def _keys() -> tuple[Any, Any]:
    """The provider's signing key and a stranger's with the same ``kid`` (made once per process: RSA is slow)."""
    return (JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "loopback-1"}),
            JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "loopback-1"}))


@dataclass
class Grant:
    claims: dict[str, Any]
    nonce: str | None
    redirect_uri: str
    challenge: str


@dataclass
class OpenIdProvider:
    """Start with :meth:`start`; ``issuer`` is then its address. Extra claims go into every ID token."""

    user: dict[str, Any] = field(default_factory=dict)
    tamper: str | None = None
    issuer_template: str | None = None
    tenant_claim: bool = False
    grants: dict[str, Grant] = field(default_factory=dict)
    codes_used: list[str] = field(default_factory=list)
    last_redirect: str | None = None

    def __post_init__(self) -> None:
        self.key, self.other_key = _keys()
        self.server = LoopbackServer("oidc-provider")
        self.issuer = ""

    def start(self) -> OpenIdProvider:
        port = self.server.start(self._app)
        self.issuer = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        self.server.stop()

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/.well-known/openid-configuration", self._discovery)
        app.router.add_get("/jwks", self._jwks)
        app.router.add_get("/authorize", self._authorize)
        app.router.add_post("/token", self._token)
        return app

    async def _discovery(self, _request: web.Request) -> web.Response:
        return web.json_response({
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"]})

    async def _jwks(self, _request: web.Request) -> web.Response:
        return web.json_response({"keys": [self.key.as_dict(is_private=False)]})

    async def _authorize(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code" \
                or query.get("code_challenge_method") != "S256" or "openid" not in query.get("scope", "").split():
            return web.Response(status=400, text="bad authorization request")
        code = secrets.token_urlsafe(24)
        self.grants[code] = Grant(claims=dict(self.user), nonce=query.get("nonce"),
                                  redirect_uri=query["redirect_uri"], challenge=query["code_challenge"])
        self.last_redirect = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        raise web.HTTPFound(self.last_redirect)

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if request.headers.get("Authorization", "").startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(request.headers["Authorization"][6:]).decode().partition(":")
        if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
            return web.json_response({"error": "invalid_client"}, status=401)
        code = str(form.get("code", ""))
        grant = self.grants.pop(code, None)
        if grant is None or form.get("redirect_uri") != grant.redirect_uri:
            return web.json_response({"error": "invalid_grant"}, status=400)
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant.challenge:
            return web.json_response({"error": "invalid_grant", "error_description": "PKCE"}, status=400)
        self.codes_used.append(code)
        access_token = secrets.token_urlsafe(24)
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "sub": str(grant.claims.get("sub", "someone")),
                  "iat": now, "exp": now + 300, "at_hash": create_half_hash(access_token, "RS256").decode(),
                  **grant.claims}
        if self.issuer_template:
            claims["iss"] = self.issuer_template.replace("{tenant}", str(grant.claims.get("tid", "")))
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        key = self.key
        if self.tamper == "wrong_audience":
            claims["aud"] = "someone-else"
        elif self.tamper == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        elif self.tamper == "wrong_nonce":
            claims["nonce"] = "not-the-one-sent"
        elif self.tamper == "wrong_issuer":
            claims["iss"] = "https://evil.example"
        elif self.tamper == "foreign_key":
            key = self.other_key
        id_token = jwt.encode({"alg": "RS256", "kid": "loopback-1"}, claims, key).decode()
        return web.json_response({"access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                                  "id_token": id_token})
