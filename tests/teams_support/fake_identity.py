"""The fake's identity side: the Bot Framework's OpenID metadata and keys, and Azure AD's token endpoint.

botbuilder validates inbound channel tokens with the OpenID document and
JWKS of ``login.botframework.com``; MSAL gets the bot's outbound access token
from Azure AD (tenant discovery, then a client-credentials grant). These are
the routes of :class:`~.fake_microsoft.FakeMicrosoft` that play them, as a
mixin of its request handler.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from .keys import BOT_FRAMEWORK_ISSUER, build_jwks

if TYPE_CHECKING:
    from .fake_microsoft import FakeMicrosoft, _Failure

OPENID_PATH = "/v1/.well-known/openidconfiguration"
JWKS_PATH = "/v1/.well-known/keys"
AAD_DISCOVERY_SUFFIX = "/.well-known/openid-configuration"


@dataclass(frozen=True)
class TokenRequest:
    """A request to the fake AAD token endpoint."""

    path: str
    grant_type: str | None
    client_id: str | None
    scope: str | None
    status: int


def identity_route(command: str, path: str) -> str | None:
    """Which identity route serves ``command path``, or None when it is not one of them."""
    if command == "GET" and path == OPENID_PATH:
        return "openid"
    if command == "GET" and path == JWKS_PATH:
        return "jwks"
    if command == "GET" and path.endswith(AAD_DISCOVERY_SUFFIX):
        return "discovery"
    if command == "POST" and (path.endswith("/oauth2/v2.0/token") or path.endswith("/oauth2/token")):
        return "token"
    return None


class IdentityRoutes:
    """Request-handler mixin: OpenID metadata, JWKS, AAD discovery and tokens."""

    fake: FakeMicrosoft

    def _base(self) -> str: ...  # provided by the handler
    def _body(self) -> bytes: ...
    def _reply(self, status: int, payload: Any = None, headers: Any = None) -> None: ...
    def _fail(self, failure: _Failure) -> None: ...

    def _identity(self, route: str, path: str) -> None:
        if route == "openid":
            self._openid_document()
        elif route == "jwks":
            self._jwks()
        elif route == "discovery":
            self._aad_discovery(path[: -len(AAD_DISCOVERY_SUFFIX)])
        else:
            self._token(path)

    # -- Bot Framework OpenID metadata
    def _openid_document(self) -> None:
        with self.fake._lock:
            self.fake._openid_requests += 1
            self.fake._lock.notify_all()
            delay = self.fake.openid_delay
        if delay:
            time.sleep(delay)
        failure = self.fake._take_failure("openid", "GET")
        if failure:
            return self._fail(failure)
        with self.fake._lock:
            self.fake._openid_fetches += 1
        self._reply(200, {
            "issuer": BOT_FRAMEWORK_ISSUER,
            "authorization_endpoint": "https://invalid.botframework.com",
            "jwks_uri": f"{self._base()}{JWKS_PATH}",
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        })

    def _jwks(self) -> None:
        failure = self.fake._take_failure("openid", "GET")
        if failure:
            return self._fail(failure)
        with self.fake._lock:
            self.fake._jwks_fetches += 1
            keys = list(self.fake.published_keys)
        self._reply(200, build_jwks(keys))

    # -- Azure AD
    def _aad_discovery(self, prefix: str) -> None:
        """Tenant discovery, both for MSAL (token side) and for the emulator metadata URL."""
        tenant_root = prefix[: -len("/v2.0")] if prefix.endswith("/v2.0") else prefix
        base = self._base()
        self._reply(200, {
            "issuer": f"{base}{tenant_root}/v2.0",
            "authorization_endpoint": f"{base}{tenant_root}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}{tenant_root}/oauth2/v2.0/token",
            "jwks_uri": f"{base}{JWKS_PATH}",
            "response_types_supported": ["code", "id_token", "token"],
            "id_token_signing_alg_values_supported": ["RS256"],
        })

    def _token(self, path: str) -> None:
        form = {key: values[0] for key, values in parse_qs(self._body().decode("utf-8")).items()}
        request = TokenRequest(path, form.get("grant_type"), form.get("client_id"), form.get("scope"), 0)
        failure = self.fake._take_failure("token", "POST")
        if failure:
            self._record_token(request, failure.status)
            return self._fail(failure)
        if request.grant_type != "client_credentials":
            self._record_token(request, 400)
            return self._reply(400, {"error": "unsupported_grant_type",
                                     "error_description": "AADSTS70003: only client_credentials is faked"})
        if request.client_id != self.fake.app_id or form.get("client_secret") != self.fake.app_password:
            self._record_token(request, 401)
            return self._reply(401, {"error": "invalid_client",
                                     "error_description": "AADSTS7000215: Invalid client secret provided."})
        token = f"fake-aad-token-{uuid.uuid4().hex}"
        with self.fake._lock:
            self.fake._issued_tokens.add(token)
            self.fake._token_scopes[token] = request.scope
        self._record_token(request, 200)
        self._reply(200, {"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600,
                          "access_token": token})

    def _record_token(self, request: TokenRequest, status: int) -> None:
        with self.fake._lock:
            self.fake._token_requests.append(
                TokenRequest(request.path, request.grant_type, request.client_id, request.scope, status)
            )
