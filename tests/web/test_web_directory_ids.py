"""A Microsoft sign-in finds the person Teams knows: chat events carry the directory id, the core keeps it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.sign_in import IdentityProvider
from kbbot.pipeline.dispatch import handle
from kbbot.store.db import unit_of_work
from kbbot.store.models import Person, PersonDirectoryId
from kbbot.web.identity import person_for
from kbbot_adapters.teams.translate import translate
from teams_support.harness import load


def test_the_teams_sender_s_directory_object_is_kept_and_signs_them_in(sessions: sessionmaker[Session],
                                                                       settings: Settings) -> None:
    activity = load("group_chat_mention")
    [event] = translate(activity).events  # type: ignore[union-attr]
    assert event.actor.directory_id == "a11ce000-0000-4000-8000-000000000001"
    with unit_of_work(sessions) as session:
        handle(session, event, event.occurred_at, settings)  # type: ignore[arg-type]
    with unit_of_work(sessions) as session:
        alice = session.scalars(select(Person).where(Person.external_id == "29:1alice-fake-teams-user-id")).one()
        assert session.get(PersonDirectoryId, alice.id).directory_id == event.actor.directory_id  # type: ignore[union-attr]
        provider = IdentityProvider(name="teams", title="Microsoft", issuer="https://login.example/{tenant}/v2.0",
                                    client_id="c", client_secret="s", workspace_claim="tid", person_claim="oid",
                                    person_key="directory_id")
        tenant = activity["conversation"]["tenantId"]
        found = person_for(session, provider, {"tid": tenant, "oid": event.actor.directory_id})
        assert found is not None and found.id == alice.id
        assert person_for(session, provider, {"tid": "another-tenant", "oid": event.actor.directory_id}) is None
        assert person_for(session, provider, {"tid": tenant, "oid": "29:1alice-fake-teams-user-id"}) is None


def test_the_adapters_describe_their_providers_only_when_configured() -> None:
    from kbbot_adapters.slack.platform import sign_in as slack_sign_in
    from kbbot_adapters.slack.settings import SlackSettings
    from kbbot_adapters.teams.platform import PLATFORM as TEAMS
    from kbbot_adapters.teams.settings import TeamsSettings

    assert slack_sign_in(SlackSettings(_env_file=None, bot_token="xoxb-1", signing_secret="s")) is None
    slack = slack_sign_in(SlackSettings(_env_file=None, client_id="1.2", client_secret="x"))
    assert slack is not None and slack.issuer == "https://slack.com"
    assert (slack.workspace_claim, slack.person_claim) == ("https://slack.com/team_id", "https://slack.com/user_id")
    assert TEAMS.sign_in(TeamsSettings(_env_file=None)) is None
    single = TEAMS.sign_in(TeamsSettings(_env_file=None, app_id="app", app_password="pw", tenant_id="t-1"))
    assert single is not None and single.issuer == "https://login.microsoftonline.com/t-1/v2.0"
    anyone = TEAMS.sign_in(TeamsSettings(_env_file=None, app_id="app", app_password="pw"))
    assert anyone is not None and anyone.issuer == "https://login.microsoftonline.com/{tenant}/v2.0"
    assert anyone.discovery_url == "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration"
    assert (anyone.workspace_claim, anyone.person_claim, anyone.person_key) == ("tid", "oid", "directory_id")
