"""Multi-workspace: a workspace installs kbbot through OAuth, and kbbot then works there with that install's token."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.outbound import DeliveryFailed
from kbbot.contract.replies import DirectMessage, Reply, Text
from kbbot.store.db import unit_of_work
from kbbot_adapters.slack import platform
from kbbot_adapters.slack.settings import SlackSettings
from slack_support.fake_web_api import FakeSlack
from slack_support.fixtures import fake_slack  # noqa: F401 - pytest fixture
from slack_support.harness import SIGNING_SECRET, SlackServer, fixture, running_slack_server
from test_slack_conversations import all_text

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "oauth-client-secret"


@pytest.fixture
def oauth_settings(fake_slack: FakeSlack) -> SlackSettings:
    fake_slack.methods.oauth_client_id = CLIENT_ID
    fake_slack.methods.oauth_client_secret = CLIENT_SECRET
    return SlackSettings(_env_file=None, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                         signing_secret=SIGNING_SECRET, api_url=fake_slack.url, socket_mode=False)


def install(server: SlackServer, code: str) -> str:
    """Walk the admin's browser through /slack/install and Slack's redirect back; return the final page."""
    page = server.get("/slack/install")
    assert page.status == 200
    authorize = re.search(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"', page.body)
    assert authorize, page.body
    query = parse_qs(urlsplit(unescape(authorize.group(1))).query)
    assert query["client_id"] == [CLIENT_ID]
    assert "chat:write" in query["scope"][0].split(",")
    cookie = page.headers["set-cookie"].split(";", 1)[0]
    done = server.get(f"/slack/oauth_redirect?code={code}&state={query['state'][0]}", {"Cookie": cookie})
    assert done.status == 200, done.body
    return done.body


def test_an_admin_installs_kbbot_and_it_answers_there_with_the_installed_token(
        settings: Settings, oauth_settings: SlackSettings, fake_slack: FakeSlack,
        sessions: sessionmaker[Session]) -> None:
    with running_slack_server(settings, sessions, oauth_settings) as server:
        install(server, "code-from-slack-1")
        with unit_of_work(sessions) as session:
            rows = session.execute(text("SELECT team_id, bot_token, bot_user_id FROM slack_installations")).all()
            states = session.execute(text("SELECT count(*) FROM slack_oauth_states")).scalar()
        assert [(r.team_id, r.bot_user_id) for r in rows] == [("T0001", "U_KBBOT")]
        installed_token = rows[0].bot_token
        assert installed_token.startswith("xoxb-T0001-")
        assert states == 0  # the state was consumed

        fake_slack.fail("auth.test", "internal_error", times=3)  # the stored install is enough; no auth.test
        assert server.event(fixture("event_app_mention.json")).status == 200
        server.settle()
    [card] = fake_slack.calls_to("chat.postMessage")
    assert card.token == installed_token
    assert "how do I get access to the staging cluster?" in all_text(card.json_param("blocks"))

    port = platform.outbound(settings, sessions, oauth_settings)
    posted = port.send("T0001", Reply(text="Weekly digest", blocks=[Text(text="Weekly digest")],
                                      to=DirectMessage(person_id="U_BOB")), {})
    assert posted and posted.message_id and fake_slack.calls_to("chat.postMessage")[-1].token == installed_token
    with pytest.raises(DeliveryFailed):
        port.send("T_NOT_INSTALLED", Reply(text="hello", to=DirectMessage(person_id="U_BOB")), {})


def test_a_callback_without_the_issued_state_installs_nothing(
        settings: Settings, oauth_settings: SlackSettings, fake_slack: FakeSlack,
        sessions: sessionmaker[Session]) -> None:
    with running_slack_server(settings, sessions, oauth_settings) as server:
        page = server.get("/slack/oauth_redirect?code=code-from-slack-2&state=forged-state")
        assert page.status >= 400
    with unit_of_work(sessions) as session:
        assert session.execute(text("SELECT count(*) FROM slack_installations")).scalar() == 0
    assert fake_slack.calls_to("oauth.v2.access") == []
