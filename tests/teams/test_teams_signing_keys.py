"""A slow login.botframework.com never stalls the server: signing keys are fetched in a thread.

botbuilder would fetch the keys that verify Teams' tokens with blocking
``requests`` calls on the event loop (at start, daily, and for an unknown
key); ``kbbot_adapters.teams.signing_keys`` takes that over. Here the loopback
OpenID server answers slowly, and ``/healthz`` on the same server (the whole
``kbbot serve`` application) must answer at once all the same.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import requests
from botframework.connector.auth import AuthenticationConstants, VerifyOptions
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot_adapters.hosting import server
from kbbot_adapters.teams import platform
from kbbot_adapters.teams.signing_keys import MAX_AGE, REFRESH_AFTER, SigningKeys
from loopback import LoopbackServer
from teams_support.activities import ALICE, personal
from teams_support.fake_microsoft import FakeMicrosoft
from teams_support.harness import teams_environment

pytest_plugins = ["teams_support.fixtures"]  # the fake


@pytest.fixture
def teams_sdk(monkeypatch: pytest.MonkeyPatch) -> str:
    """botbuilder only: signing_keys.py is botbuilder's patch point. The Agents SDK fetches its keys in a
    thread by itself; tests/teams/test_teams_agents_sdk.py shows the same guarantees on it."""
    monkeypatch.setenv("KBBOT_TEAMS_SDK", "botbuilder")
    return "botbuilder"

SLOW = 1.5  # seconds the OpenID document takes
PROMPT = 0.5  # what "at once" means for /healthz, with room for a loaded machine


class Clock:
    """Monotonic seconds the test moves forward (a day passes in a line)."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Server:
    """``kbbot serve``'s application (Teams attached, no scheduler) on loopback."""

    fake: FakeMicrosoft
    port: int
    keys: SigningKeys

    def healthz(self) -> float:
        """Seconds /healthz took to answer 200."""
        started = time.monotonic()
        response = requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=10)
        assert response.status_code == 200
        return time.monotonic() - started

    def post_in_background(self) -> tuple[threading.Thread, list[requests.Response]]:
        """Teams posts a message; the request runs in a thread so the test can look around meanwhile."""
        answers: list[requests.Response] = []

        def post() -> None:
            answers.append(requests.post(
                f"http://127.0.0.1:{self.port}{platform.MESSAGES_PATH}", json=personal(self.fake, ALICE, "help"),
                headers={"Authorization": self.fake.channel_auth_header()}, timeout=30))

        thread = threading.Thread(target=post)
        thread.start()
        return thread, answers


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def serve(fake: FakeMicrosoft, settings: Settings, sessions: sessionmaker[Session], clock: Clock,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], Server]]:
    """Starts the server when called, so that a test can make Microsoft slow before it starts."""
    # The keys for this fake's URL, on a clock the test moves; attach keeps what is installed.
    keys = SigningKeys(fake.openid_metadata_url, clock=clock)
    JwtTokenExtractor.metadataCache[fake.openid_metadata_url] = keys
    loopback = LoopbackServer("kbbot-serve")
    for name, value in teams_environment(fake).items():  # kbbot serve reads the adapter's settings itself
        monkeypatch.setenv(name, value)
    whole = settings.model_copy(update={"scheduler_enabled": False, "workers": 0})
    started: list[Server] = []

    def start() -> Server:
        started.append(Server(fake, loopback.start(lambda: server.build(whole, sessions)), keys))
        return started[0]

    try:
        yield start
    finally:
        if started:
            loopback.stop()
        JwtTokenExtractor.metadataCache.pop(fake.openid_metadata_url, None)


@pytest.fixture
def serving(serve: Callable[[], Server]) -> Server:
    return serve()


def test_start_up_fetches_the_keys_in_a_thread_and_healthz_answers_meanwhile(
        fake: FakeMicrosoft, serve: Callable[[], Server]) -> None:
    fake.openid_delay = SLOW
    started = time.monotonic()
    serving = serve()
    assert time.monotonic() - started < SLOW  # start-up does not wait for Microsoft
    fake.wait_for_openid_request()
    assert serving.healthz() < PROMPT
    teams, answers = serving.post_in_background()
    assert serving.healthz() < PROMPT  # while Teams' request waits for the keys
    teams.join(10)
    assert answers[0].status_code in (200, 201, 202)
    assert fake.metadata_fetches == (1, 1)  # the request waited for the start-up fetch instead of its own


def test_the_daily_refresh_does_not_stall_the_event_loop(fake: FakeMicrosoft, serving: Server, clock: Clock) -> None:
    teams, answers = serving.post_in_background()
    teams.join(10)
    assert answers[0].status_code in (200, 201, 202) and fake.metadata_fetches == (1, 1)

    clock.now += MAX_AGE  # a day later the keys are not trusted without a fresh fetch
    fake.openid_delay = SLOW
    started = time.monotonic()
    teams, answers = serving.post_in_background()
    fake.wait_for_openid_request(2)
    assert serving.healthz() < PROMPT  # botbuilder alone would hold the loop for the whole fetch here
    teams.join(10)
    assert answers[0].status_code in (200, 201, 202)
    assert time.monotonic() - started >= SLOW * 0.9  # it did wait for the fresh keys, just not on the loop
    assert fake.metadata_fetches == (2, 2)


def test_keys_half_a_day_old_are_refreshed_while_requests_go_on(fake: FakeMicrosoft, serving: Server,
                                                                clock: Clock) -> None:
    teams, answers = serving.post_in_background()
    teams.join(10)
    clock.now += REFRESH_AFTER
    fake.openid_delay = SLOW
    started = time.monotonic()
    teams, answers = serving.post_in_background()
    teams.join(10)
    assert answers[0].status_code in (200, 201, 202)
    assert time.monotonic() - started < SLOW  # answered with the keys held
    fake.wait_for_openid_request(2)  # and a fresh fetch is under way
    deadline = time.monotonic() + 10
    while fake.metadata_fetches != (2, 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert fake.metadata_fetches == (2, 2)


def test_keys_that_cannot_be_fetched_make_teams_retry(fake: FakeMicrosoft, serve: Callable[[], Server]) -> None:
    fake.fail_next(times=20, status=500, route="openid")  # from start-up on
    serving = serve()
    teams, answers = serving.post_in_background()
    teams.join(10)
    assert answers[0].status_code == 503
    fake.reset()
    teams, answers = serving.post_in_background()
    teams.join(10)
    assert answers[0].status_code in (200, 201, 202)


# -- the botbuilder internals signing_keys relies on ------------------------------------------------------
def test_botbuilder_still_takes_its_keys_from_the_cache_entry_kbbot_installs(fake: FakeMicrosoft,
                                                                            serving: Server) -> None:
    """If this fails, botbuilder changed how it caches keys: signing_keys.py no longer keeps fetches off the loop."""
    extractor = JwtTokenExtractor(VerifyOptions(issuer=["https://api.botframework.com"], audience=None,
                                                clock_tolerance=300, ignore_expiration=False),
                                  fake.openid_metadata_url, AuthenticationConstants.ALLOWED_SIGNING_ALGORITHMS)
    assert extractor.open_id_metadata is serving.keys
    teams, answers = serving.post_in_background()
    teams.join(10)
    assert answers[0].status_code in (200, 201, 202)
    # Only kbbot's fetches reached the OpenID server: botbuilder made none of its own.
    assert fake.metadata_fetches == (1, 1) and serving.keys._keys is not None


def test_every_url_botbuilder_validates_against_is_covered() -> None:
    """Public cloud: Teams' tokens and (never expected) emulator or skill tokens alike."""
    from kbbot_adapters.teams import auth
    from kbbot_adapters.teams.settings import TeamsSettings

    urls = (AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
            AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL)
    before = {url: JwtTokenExtractor.metadataCache.get(url) for url in urls}
    public = TeamsSettings(_env_file=None, app_id="app", app_password="secret")  # type: ignore[call-arg]
    assert auth.openid_metadata_urls(public) == urls
    try:
        auth.cloud_adapter(public)
        for url in urls:
            assert isinstance(JwtTokenExtractor.get_open_id_metadata(url), SigningKeys)
    finally:
        for url, entry in before.items():
            if entry is None:
                JwtTokenExtractor.metadataCache.pop(url, None)
            else:
                JwtTokenExtractor.metadataCache[url] = entry
