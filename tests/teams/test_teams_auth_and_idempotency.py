"""Who may talk to the bot, and what a repeated delivery does.

Every forged token is refused by the SDK's own JWT validation (botbuilder's
JwtTokenExtractor, the Agents SDK's JwtTokenValidator; against the loopback
OpenID metadata) with 401 before any kbbot code runs: nothing is
stored, nothing is sent. A repeated activity id changes nothing; a database
that is down makes the endpoint fail so that Teams delivers again.
"""

from __future__ import annotations

from pathlib import Path

import requests
from sqlalchemy import func, select

from kbbot.store.db import make_engine, session_factory, unit_of_work
from kbbot.store.models import Answer, InboundEvent, Person, PlatformAddress
from teams_support.activities import ALICE, BOB, chain_reply, channel_post, personal
from teams_support.fake_microsoft import FakeMicrosoft

from teams_support.harness import TeamsHarness, teams_settings
from teams_support.keys import bearer, generate_signing_key

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures


def _count(teams: TeamsHarness, model: type) -> int:
    with unit_of_work(teams.sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


FORGERIES = {
    "wrong issuer": lambda fake: fake.channel_auth_header(issuer="https://evil.example"),
    "wrong audience": lambda fake: fake.channel_auth_header(audience="someone-elses-bot"),
    "expired": lambda fake: fake.channel_auth_header(expires_in=-3600),
    "bad signature": lambda fake: fake.channel_auth_header(sign_with=generate_signing_key()),
    "unknown key": lambda fake: bearer(fake.channel_token(kid="not-published")),
    "other service url": lambda fake: fake.channel_auth_header(service_url="https://attacker.example/"),
    "no token": lambda fake: None,
}


def test_a_forged_token_is_refused_before_any_core_code_runs(teams: TeamsHarness) -> None:
    for forgery, header in FORGERIES.items():
        response = teams.post(personal(teams.fake, ALICE, "help"), authorization=header(teams.fake))
        assert response.status_code == 401, forgery
    assert teams.fake.sent == []
    assert _count(teams, InboundEvent) == 0
    assert _count(teams, PlatformAddress) == 0
    assert _count(teams, Person) == 0


def test_the_genuine_token_is_accepted(teams: TeamsHarness) -> None:
    """The control for the forgeries: same activity, valid token, and Alice gets her answer."""
    assert teams.post(personal(teams.fake, ALICE, "help")).status_code in (200, 201, 202)
    assert len(teams.fake.sent) == 1


def test_a_repeated_activity_changes_nothing(teams: TeamsHarness) -> None:
    question = channel_post(teams.fake, ALICE, "ask Where are the release notes? #release")
    teams.post(question)
    answer = chain_reply(teams.fake, BOB, "In the wiki under Releases.", question["id"])
    teams.post(answer)
    before = len(teams.fake.sent)
    events = _count(teams, InboundEvent)

    again = [teams.post(question), teams.post(answer)]
    assert all(r.status_code in (200, 201, 202) for r in again)
    assert len(teams.fake.sent) == before  # nobody sees anything twice
    assert _count(teams, InboundEvent) == events
    assert _count(teams, Answer) == 1


def test_a_database_that_is_down_makes_teams_deliver_again(fake: FakeMicrosoft, settings, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no-such-dir' / 'kbbot.db'}"
    engine = make_engine(url)
    harness = TeamsHarness(fake, settings.model_copy(update={"database_url": url}), session_factory(engine),
                           teams_settings(fake)).start()
    try:
        response = harness.post(personal(fake, ALICE, "help"))
        assert response.status_code >= 500
        assert fake.sent == []
    finally:
        harness.stop()
        engine.dispose()


def test_only_json_activities_are_accepted(teams: TeamsHarness) -> None:
    response = requests.post(teams.url, data="help", headers={"Content-Type": "text/plain",
                                                               "Authorization": teams.fake.channel_auth_header()})
    assert response.status_code == 415


def test_a_single_tenant_bot_ignores_other_tenants(fake: FakeMicrosoft, settings, sessions) -> None:
    single = teams_settings(fake, app_type="SingleTenant", tenant_id="another-tenant")
    harness = TeamsHarness(fake, settings, sessions, single).start()
    try:
        assert harness.post(personal(fake, ALICE, "help")).status_code in (200, 201, 202)
        assert fake.sent == []
        assert _count(harness, InboundEvent) == 0
    finally:
        harness.stop()
