"""The web session, kept in a signed cookie: who is signed in, since when, renewed on every page.

Signed with itsdangerous (HMAC-SHA256 over the content and the time it was
issued): a cookie changed by hand, or signed with another key, is refused.
A session ends after :attr:`~kbbot.web.settings.WebSettings.session_minutes`
without a page view (each view issues the cookie again), and in any case
:attr:`~kbbot.web.settings.WebSettings.session_max_hours` after sign-in.
Cookies are ``HttpOnly``, ``SameSite=Lax`` and ``Secure`` whenever the site is
reached over HTTPS.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SESSION = "kbbot_session"
SIGN_IN = "kbbot_sign_in"
LANGUAGE = "kbbot_lang"
PATH = "/kb"


@dataclass(frozen=True)
class WebSession:
    person_id: int
    signed_in_at: float
    provider: str


@dataclass(frozen=True)
class Read:
    """What a request's session cookie said: a session, or why there is none (absent, expired, invalid)."""

    session: WebSession | None
    problem: Literal["expired", "invalid"] | None = None


class Signer:
    """Signs and reads kbbot's cookies with one secret (every replica must share it)."""

    def __init__(self, secret: str | None, idle_seconds: int, max_seconds: int, sign_in_seconds: int) -> None:
        key = secret or secrets.token_urlsafe(48)
        self._sessions = URLSafeTimedSerializer(key, salt="kbbot.web.session")
        self._sign_ins = URLSafeTimedSerializer(key, salt="kbbot.web.sign-in")
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds
        self.sign_in_seconds = sign_in_seconds

    def session(self, person_id: int, provider: str, signed_in_at: float | None = None) -> str:
        return self._sessions.dumps({"p": person_id, "s": signed_in_at or time.time(), "v": provider})

    def read_session(self, value: str | None) -> Read:
        if not value:
            return Read(None)
        try:
            data = self._sessions.loads(value, max_age=self.idle_seconds)
        except SignatureExpired:
            return Read(None, "expired")
        except BadSignature:
            return Read(None, "invalid")
        try:
            found = WebSession(person_id=int(data["p"]), signed_in_at=float(data["s"]), provider=str(data["v"]))
        except (KeyError, TypeError, ValueError):
            return Read(None, "invalid")
        if time.time() - found.signed_in_at > self.max_seconds:
            return Read(None, "expired")
        return Read(found)

    def sign_in(self, state: str) -> str:
        """The cookie that ties a started sign-in to this browser (a callback from another browser is refused)."""
        return self._sign_ins.dumps(state)

    def read_sign_in(self, value: str | None) -> str | None:
        if not value:
            return None
        try:
            return str(self._sign_ins.loads(value, max_age=self.sign_in_seconds))
        except BadSignature:
            return None
