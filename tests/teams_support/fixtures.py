"""pytest fixtures for the Teams tests (import them into a test module to use them).

Every test that uses the fake Microsoft runs once per Microsoft SDK the adapter
can run on (``KBBOT_TEAMS_SDK``: the Agents SDK and botbuilder), on each
database: the same story must hold on both. A module that tests one SDK's own
parts overrides :func:`teams_sdk` with that SDK alone, and says why.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings

from .fake_microsoft import FakeMicrosoft
from .harness import TeamsHarness, teams_settings


SDKS = ("agents", "botbuilder")


@pytest.fixture(params=SDKS)
def teams_sdk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The SDK the adapter runs on in this test: ``KBBOT_TEAMS_SDK``, read by TeamsSettings wherever it is built."""
    monkeypatch.setenv("KBBOT_TEAMS_SDK", request.param)
    return str(request.param)


@pytest.fixture
def fake(teams_sdk: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMicrosoft]:
    """Microsoft's servers on loopback; MSAL's ``requests`` trusts their test CA."""
    with FakeMicrosoft() as server:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_bundle_path)
        yield server


@pytest.fixture
def teams(fake: FakeMicrosoft, settings: Settings, sessions: sessionmaker[Session]) -> Iterator[TeamsHarness]:
    """The Teams adapter attached to a real aiohttp server on 127.0.0.1, on each database backend."""
    harness = TeamsHarness(fake, settings, sessions, teams_settings(fake)).start()
    try:
        yield harness
    finally:
        harness.stop()
