"""What is the Agents SDK backend's own: its configuration, where its validator finds keys, and switching SDKs.

The rest of tests/teams runs on both SDKs; this module holds what only the
Agents SDK backend has (and the counterpart of test_teams_signing_keys.py,
which is botbuilder's): the SDK's JWT validator fetches keys in a thread, so a
slow Microsoft never stalls the server; keys it cannot fetch make Teams retry;
the issuer allow-list is switched on; and a reference stored while one SDK ran
reaches its person after switching to the other.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import requests
from microsoft_agents.hosting.core import AuthenticationConstants, AuthTypes
from microsoft_agents.hosting.core.authorization import JwtTokenValidator
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.replies import DirectMessage, Reply, Text
from kbbot.store.db import unit_of_work
from kbbot.store.models import InboundEvent
from kbbot_adapters.hosting import server
from kbbot_adapters.teams import platform
from kbbot_adapters.teams.agents import auth
from kbbot_adapters.teams.settings import TeamsSettings
from loopback import LoopbackServer
from teams_support import ids
from teams_support.activities import ALICE, personal
from teams_support.fake_microsoft import FakeMicrosoft
from teams_support.harness import TeamsHarness, card_texts, teams_environment, teams_settings

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures

APP_ID = "b0b0b0b0-0000-4000-8000-000000000001"
SLOW = 1.5  # seconds the OpenID document takes
PROMPT = 0.5  # what "at once" means for /healthz, with room for a loaded machine


@pytest.fixture
def teams_sdk(monkeypatch: pytest.MonkeyPatch) -> str:
    """This module is about the Agents SDK backend (switching tests name both SDKs themselves)."""
    monkeypatch.setenv("KBBOT_TEAMS_SDK", "agents")
    return "agents"


def _settings(**values: str) -> TeamsSettings:
    return TeamsSettings(_env_file=None, **values)  # type: ignore[call-arg]


# -- configuration ------------------------------------------------------------------------------------------
def test_the_agents_sdk_is_the_default_and_botbuilder_one_variable_away(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KBBOT_TEAMS_SDK", raising=False)
    assert _settings().sdk == "agents"
    monkeypatch.setenv("KBBOT_TEAMS_SDK", "BotBuilder")
    assert _settings().sdk == "botbuilder"


def test_the_public_cloud_configuration_checks_issuers_and_service_hosts() -> None:
    settings = _settings(app_id=APP_ID, app_password="secret")
    config = auth.configuration(settings)
    assert (config.CLIENT_ID, config.CLIENT_SECRET, config.AUTH_TYPE) == (APP_ID, "secret", AuthTypes.client_secret)
    assert config.TENANT_ID == "botframework.com" and config.AUTHORITY is None  # MSAL's public authority
    assert config.VALIDATE_ISSUER and "https://api.botframework.com" in config.ISSUERS
    validator = auth.host_validator(settings)
    assert validator.enabled
    assert validator.is_allowed("https://smba.trafficmanager.net/emea/")
    assert not validator.is_allowed("https://attacker.example/")
    assert not validator.is_allowed("http://smba.trafficmanager.net/emea/")  # never in plain text


def test_single_tenant_managed_identity_and_a_sovereign_login() -> None:
    single = auth.configuration(_settings(app_id=APP_ID, app_password="s", app_type="SingleTenant",
                                          tenant_id="contoso"))
    assert (single.TENANT_ID, single.AUTH_TYPE) == ("contoso", AuthTypes.client_secret)
    managed = auth.configuration(_settings(managed_identity_client_id=APP_ID, tenant_id="contoso"))
    assert (managed.CLIENT_ID, managed.TENANT_ID, managed.AUTH_TYPE) == (APP_ID, "contoso",
                                                                         AuthTypes.user_managed_identity)
    assert managed.CLIENT_SECRET is None
    sovereign = _settings(app_id=APP_ID, app_password="s", oauth_endpoint="https://login.microsoftonline.us/x")
    assert auth.configuration(sovereign).AUTHORITY == "https://login.microsoftonline.us/x"
    assert not auth.host_validator(sovereign).enabled  # its service hosts are the operator's to know


def test_the_public_cloud_leaves_the_sdks_key_cache_alone(fake: FakeMicrosoft) -> None:
    cache = JwtTokenValidator._jwk_client_manager._cache
    auth.install_signing_keys(teams_settings(fake))
    assert isinstance(cache[AuthenticationConstants.PUBLIC_ABS_JWKS_URL].jwk_client, auth.OpenIdKeys)
    auth.install_signing_keys(_settings(app_id=APP_ID, app_password="secret"))
    assert not isinstance(getattr(cache.get(AuthenticationConstants.PUBLIC_ABS_JWKS_URL), "jwk_client", None),
                          auth.OpenIdKeys)


# -- inbound tokens -----------------------------------------------------------------------------------------
def _events(sessions: sessionmaker[Session]) -> int:
    with unit_of_work(sessions) as session:
        return session.scalar(select(func.count()).select_from(InboundEvent)) or 0


def test_the_sdk_looks_keys_up_where_kbbot_put_them(teams: TeamsHarness) -> None:
    """If this fails, the SDK changed its key cache: install_signing_keys no longer points it at the fake."""
    entry = JwtTokenValidator._jwk_client_manager._get_jwk_client(AuthenticationConstants.PUBLIC_ABS_JWKS_URL)
    assert isinstance(entry.jwk_client, auth.OpenIdKeys)
    assert entry.jwk_client.metadata_url == teams.fake.openid_metadata_url
    assert teams.post(personal(teams.fake, ALICE, "help")).status_code in (200, 201, 202)
    assert teams.fake.metadata_fetches == (1, 1)  # the SDK's validator fetched from the fake, nowhere else


def test_a_validly_signed_token_from_an_issuer_off_the_allow_list_is_refused(teams: TeamsHarness) -> None:
    """Signature, audience and expiry are right; only the issuer (another Entra tenant) is not Teams'."""
    other_tenant = f"https://sts.windows.net/{uuid.uuid4()}/"
    response = teams.post(personal(teams.fake, ALICE, "help"),
                          authorization=teams.fake.channel_auth_header(issuer=other_tenant))
    assert response.status_code == 401
    assert teams.fake.sent == [] and _events(teams.sessions) == 0


class _Serve:
    """``kbbot serve``'s application (Teams on the Agents SDK, no scheduler) on loopback."""

    def __init__(self, fake: FakeMicrosoft, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.fake = fake
        self._loopback = LoopbackServer("kbbot-serve-agents")
        self.port = self._loopback.start(lambda: server.build(
            settings.model_copy(update={"scheduler_enabled": False, "workers": 0}), sessions))

    def healthz(self) -> float:
        started = time.monotonic()
        assert requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=10).status_code == 200
        return time.monotonic() - started

    def post_in_background(self) -> tuple[threading.Thread, list[requests.Response]]:
        answers: list[requests.Response] = []

        def post() -> None:
            answers.append(requests.post(
                f"http://127.0.0.1:{self.port}{platform.MESSAGES_PATH}", json=personal(self.fake, ALICE, "help"),
                headers={"Authorization": self.fake.channel_auth_header()}, timeout=30))

        thread = threading.Thread(target=post)
        thread.start()
        return thread, answers

    def stop(self) -> None:
        self._loopback.stop()


@pytest.fixture
def serving(fake: FakeMicrosoft, settings: Settings, sessions: sessionmaker[Session],
            monkeypatch: pytest.MonkeyPatch) -> Iterator[_Serve]:
    for name, value in teams_environment(fake).items():  # kbbot serve reads the adapter's settings itself
        monkeypatch.setenv(name, value)
    assert TeamsSettings(_env_file=None).sdk == "agents"  # type: ignore[call-arg]
    running = _Serve(fake, settings, sessions)
    try:
        yield running
    finally:
        running.stop()


def test_a_slow_login_botframework_com_never_stalls_the_server(fake: FakeMicrosoft, serving: _Serve) -> None:
    fake.openid_delay = SLOW
    teams, answers = serving.post_in_background()
    fake.wait_for_openid_request()
    assert serving.healthz() < PROMPT  # while Teams' request waits for the keys, in the SDK's thread
    teams.join(10)
    assert answers[0].status_code in (200, 201, 202)
    fake.openid_delay = 0.0
    teams, answers = serving.post_in_background()
    teams.join(10)
    assert answers[0].status_code in (200, 201, 202) and fake.metadata_fetches == (1, 1)  # keys held


def test_keys_that_cannot_be_fetched_make_teams_retry(fake: FakeMicrosoft, serving: _Serve,
                                                      sessions: sessionmaker[Session]) -> None:
    fake.fail_next(times=20, status=500, route="openid")
    teams, answers = serving.post_in_background()
    teams.join(10)
    assert answers[0].status_code == 503 and _events(sessions) == 0
    fake.reset()
    teams, answers = serving.post_in_background()
    teams.join(10)
    assert answers[0].status_code in (200, 201, 202)


# -- switching SDKs -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("first,then", [("botbuilder", "agents"), ("agents", "botbuilder")])
def test_a_reference_stored_under_one_sdk_reaches_its_person_under_the_other(
        fake: FakeMicrosoft, settings: Settings, sessions: sessionmaker[Session], first: str, then: str) -> None:
    before = TeamsHarness(fake, settings, sessions, teams_settings(fake, sdk=first)).start()
    try:
        before.post(personal(fake, ALICE, "help"))  # Alice's personal chat is stored as she writes
    finally:
        before.stop()
    fake.reset()
    after = TeamsHarness(fake, settings, sessions, teams_settings(fake, sdk=then)).start()
    try:
        assert after.outbound is not None
        prompt = Reply(text="What did you learn this week?", to=DirectMessage(person_id=ids.ALICE_ID),
                       blocks=[Text(text="What did you learn this week?")])
        posted = after.outbound.send(ids.TENANT_ID, prompt)
        (sent,) = fake.sent
        assert (sent.kind, sent.conversation_id) == ("send", ALICE.personal_chat)  # no new chat was needed
        assert posted is not None and posted.message_id == sent.assigned_id
        assert card_texts(sent) == ["What did you learn this week?"]
        assert sent.authorization is not None and sent.authorization.removeprefix("Bearer ") in fake.issued_tokens
    finally:
        after.stop()
