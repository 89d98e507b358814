"""The web knowledge base served in-process on 127.0.0.1, with the loopback provider, and a browser-like client.

:class:`Site` mounts :func:`kbbot.web.app.attach` on an aiohttp application
exactly as ``kbbot serve`` does, with two identity providers pointing at one
loopback OpenID provider: one matching people by their chat id (Slack's
claims) and one by their directory id (Entra's ``tid``/``oid``).
:class:`Browser` is an aiohttp client with a cookie jar that follows
redirects, so a test reads the page a person would end on.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.sign_in import IdentityProvider
from kbbot.web.app import WebConfig, attach
from kbbot.web.settings import WebSettings
from loopback import LoopbackServer
from web_support.provider import CLIENT_ID, CLIENT_SECRET, OpenIdProvider

SECRET = "a-test-secret-that-is-long-enough-for-signing-cookies"


def chat_provider(issuer: str) -> IdentityProvider:
    return IdentityProvider(name="slack", title="Slack", issuer=issuer, client_id=CLIENT_ID,
                            client_secret=CLIENT_SECRET, workspace_claim="https://slack.com/team_id",
                            person_claim="https://slack.com/user_id")


def directory_provider(issuer: str) -> IdentityProvider:
    return IdentityProvider(name="teams", title="Microsoft", issuer=issuer + "/{tenant}/v2.0", client_id=CLIENT_ID,
                            client_secret=CLIENT_SECRET, workspace_claim="tid", person_claim="oid",
                            person_key="directory_id",
                            discovery_url=issuer + "/.well-known/openid-configuration")


def slack_user(team: str, user: str) -> dict[str, Any]:
    return {"sub": f"{team}-{user}", "https://slack.com/team_id": team, "https://slack.com/user_id": user}


class Site:
    def __init__(self, sessions: sessionmaker[Session], settings: Settings, provider: OpenIdProvider,
                 web_settings: WebSettings | None = None, local_sign_in: bool = False,
                 web_url: str | None = None) -> None:
        self.server = LoopbackServer("kbbot-web")
        self.provider = provider
        self.config: WebConfig | None = None

        def build() -> web.Application:
            app = web.Application()
            self.config = attach(app, settings.model_copy(update={"web_url": web_url}), sessions,
                                 web_settings=web_settings or WebSettings(_env_file=None, secret=SECRET),
                                 providers=[chat_provider(provider.issuer), directory_provider(provider.issuer)],
                                 local_sign_in=local_sign_in)
            return app

        self.port = self.server.start(build)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.stop()


@dataclass
class Page:
    status: int
    url: str
    text: str
    headers: Any


class Browser:
    """A person's browser: cookies kept, redirects followed, one language preference."""

    def __init__(self, site: Site, accept_language: str = "en") -> None:
        self.site = site
        self.loop = asyncio.new_event_loop()
        self.accept_language = accept_language
        self._client: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        if self._client is None:
            async def make() -> aiohttp.ClientSession:
                return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                             headers={"Accept-Language": self.accept_language})
            self._client = self.loop.run_until_complete(make())
        return self._client

    def get(self, path: str, follow: bool = True, **headers: str) -> Page:
        return self._do("GET", path, follow, None, headers)

    def post(self, path: str, data: dict[str, str] | None = None, follow: bool = True, **headers: str) -> Page:
        return self._do("POST", path, follow, data or {}, headers)

    def _do(self, method: str, path: str, follow: bool, data: dict[str, str] | None, headers: dict[str, str]) -> Page:
        client = self._session()
        url = path if path.startswith("http") else self.site.url + path

        async def go() -> Page:
            async with client.request(method, url, data=data, allow_redirects=follow, headers=headers) as response:
                return Page(response.status, str(response.url), await response.text(), response.headers)

        return self.loop.run_until_complete(go())

    def sign_in(self, claims: dict[str, Any], provider: str = "slack", next_page: str | None = None) -> Page:
        self.site.provider.user = claims
        return self.get(f"/kb/sign-in/{provider}" + (f"?next={next_page}" if next_page else ""))

    def cookies(self) -> dict[str, str]:
        return {cookie.key: cookie.value for cookie in self._session().cookie_jar}

    def set_cookie(self, name: str, value: str) -> None:
        self._session().cookie_jar.update_cookies({name: value}, response_url=aiohttp.client.URL(self.site.url + "/kb/"))

    def close(self) -> None:
        if self._client is not None:
            self.loop.run_until_complete(self._client.close())
        self.loop.close()
