"""pytest fixtures for the Teams tests (import them into a test module to use them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings

from .fake_microsoft import FakeMicrosoft
from .harness import TeamsHarness, teams_settings


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMicrosoft]:
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
