"""Test signing keys and Bot Framework channel tokens.

Teams never talks to the bot directly: the Bot Framework channel service
POSTs activities with ``Authorization: Bearer <JWT>``. botframework-connector
validates that JWT against the keys published at the channel's OpenID
metadata (``jwks_uri``). To exercise that real validation offline we generate
our own RSA key at runtime, publish it from the fake Microsoft server, and
sign tokens shaped like the real ones.

A real channel token (per Microsoft's "Authenticate requests from the Bot
Connector service" docs) carries exactly these claims::

    {"iss": "https://api.botframework.com", "aud": "<bot app id>",
     "serviceurl": "<activity.serviceUrl>", "nbf": ..., "exp": ...}

and its JWK carries ``endorsements`` listing the channel ids it may sign
for; botframework-connector rejects a token whose channelId (``msteams``) is
not endorsed. We deliberately add no ``ver``/``appid`` claims: with those,
botbuilder would classify the token as a *skill* token and take another path.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

#: ``iss`` of every genuine public-cloud channel token.
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
#: Channel ids a Microsoft key typically endorses; ``msteams`` is the one that matters.
DEFAULT_ENDORSEMENTS: tuple[str, ...] = ("msteams", "webchat", "directline", "skype")
#: botbuilder accepts tokens up to this many seconds past ``exp`` (VerifyOptions.clock_tolerance).
BOTBUILDER_CLOCK_TOLERANCE_SECONDS = 5 * 60


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class SigningKey:
    """An RSA key plus the JWK metadata (``kid``, ``endorsements``) Microsoft publishes with it."""

    kid: str
    private_key: rsa.RSAPrivateKey = field(repr=False)
    endorsements: tuple[str, ...] = DEFAULT_ENDORSEMENTS

    @property
    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def x5t(self) -> str:
        """A stable thumbprint-like value; real keys carry the cert SHA-1 here."""
        digest = hashlib.sha1(self.kid.encode("utf-8")).digest()  # noqa: S324 - not security relevant
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def public_jwk(self) -> dict[str, Any]:
        """The JWK exactly as it appears in the JWKS served at ``jwks_uri``."""
        numbers = self.private_key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.x5t,
            "n": _b64url_uint(numbers.n),
            "e": _b64url_uint(numbers.e),
            "endorsements": list(self.endorsements),
        }

    def with_endorsements(self, endorsements: Iterable[str]) -> "SigningKey":
        """Same key material, different endorsements (e.g. to test a key not valid for msteams)."""
        return SigningKey(self.kid, self.private_key, tuple(endorsements))


def generate_signing_key(
    kid: str | None = None, endorsements: Iterable[str] = DEFAULT_ENDORSEMENTS
) -> SigningKey:
    """Generate a fresh 2048-bit RSA key (fast enough per test, never written to disk)."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return SigningKey(kid or f"kbbot-test-{uuid.uuid4().hex[:12]}", private_key, tuple(endorsements))


@lru_cache(maxsize=1)
def default_signing_key() -> SigningKey:
    """One key per test process.

    Sharing it is deliberate: botframework-connector caches OpenID metadata
    per URL in a class attribute for a day, so reusing key material avoids
    surprises if a later fake server ever reuses a port.
    """
    return generate_signing_key(kid="kbbot-test-key-1")


def build_jwks(keys: Iterable[SigningKey]) -> dict[str, Any]:
    """A JWKS document (``{"keys": [...]}``) for the given keys."""
    return {"keys": [key.public_jwk() for key in keys]}


def sign_channel_token(
    key: SigningKey,
    *,
    app_id: str,
    service_url: str | None,
    issuer: str = BOT_FRAMEWORK_ISSUER,
    audience: str | None = None,
    expires_in: int = 3600,
    not_before_offset: int = -60,
    sign_with: SigningKey | None = None,
    kid: str | None = None,
    extra_claims: Mapping[str, Any] | None = None,
    now: float | None = None,
) -> str:
    """Sign a channel->bot JWT (RS256).

    Every knob exists to produce one specific rejection:

    * ``issuer="https://evil.example"`` -> wrong issuer,
    * ``audience="someone-else"`` -> wrong audience (``aud`` is the bot app id),
    * ``expires_in=-3600`` -> expired; note botbuilder tolerates 5 minutes of
      clock skew, so anything within ``BOTBUILDER_CLOCK_TOLERANCE_SECONDS`` still passes,
    * ``sign_with=other_key`` -> bad signature: header names ``key``'s kid but
      the signature comes from ``other_key``,
    * ``service_url=None`` -> no ``serviceurl`` claim.
    """
    issued_at = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience if audience is not None else app_id,
        "nbf": issued_at + not_before_offset,
        "exp": issued_at + expires_in,
    }
    if service_url is not None:
        claims["serviceurl"] = service_url
    if extra_claims:
        claims.update(extra_claims)
    signer = sign_with or key
    headers = {"kid": kid or key.kid, "x5t": key.x5t, "typ": "JWT"}
    return jwt.encode(claims, signer.private_pem, algorithm="RS256", headers=headers)


def bearer(token: str) -> str:
    """The ``Authorization`` header value for ``token``."""
    return f"Bearer {token}"
