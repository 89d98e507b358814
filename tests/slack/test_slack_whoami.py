"""``/kb whoami`` on Slack: what kbbot holds about the person, shown only to them (the command registry's example)."""

from __future__ import annotations

from slack_support.fake_web_api import RESPONSE_URL_METHOD, FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer
from test_slack_conversations import all_text
from test_slack_home import command


def test_whoami_answers_only_the_person_who_asked(slack: SlackServer, fake_slack: FakeSlack) -> None:
    command(slack, fake_slack, "U_BOB", "/expertise", "add postgres")
    command(slack, fake_slack, "U_BOB", "/kb", "whoami")
    shown = all_text(fake_slack.calls_to(RESPONSE_URL_METHOD)[-1].json_param("blocks"))
    assert "What kbbot knows about you" in shown and "your id on this platform: U_BOB" in shown
    assert "declared #postgresql" in shown and "Timezone: America/New_York" in shown  # from his Slack profile
    assert "Only you see this" in shown and "/kb settings" in shown  # Slack keeps its slash commands
    assert not [c for c in fake_slack.calls_to("chat.postMessage") if "What kbbot knows" in str(c.params)]
