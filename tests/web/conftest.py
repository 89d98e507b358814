"""Fixtures of the web tests: a seeded knowledge base, the loopback provider, the site and a browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from web_support.knowledge import Seeded, seed
from web_support.provider import OpenIdProvider
from web_support.site import Browser, Site


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> Seeded:
    return seed(sessions)


@pytest.fixture
def provider() -> Iterator[OpenIdProvider]:
    found = OpenIdProvider().start()
    yield found
    found.stop()


@pytest.fixture
def site(sessions: sessionmaker[Session], settings: Settings, provider: OpenIdProvider,
         seeded: Seeded) -> Iterator[Site]:
    served = Site(sessions, settings, provider)
    yield served
    served.stop()


@pytest.fixture
def browser(site: Site) -> Iterator[Browser]:
    opened = Browser(site)
    yield opened
    opened.close()
