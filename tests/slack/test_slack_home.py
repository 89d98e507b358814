"""App Home: Bob opens kbbot's Home tab and sees what waits for him, in his language, and only what he may see."""

from __future__ import annotations

from typing import Any

from slack_support.fake_web_api import Call, FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture
from test_slack_conversations import all_text, ask, buttons


def command(slack: SlackServer, fake: FakeSlack, user: str, name: str, text: str) -> None:
    form = fixture("command_ask.json", fake.response_url())
    form.update(user_id=user, user_name=user.removeprefix("U_").lower(), command=name, text=text)
    assert slack.command(form).status == 200
    slack.settle()


def open_home(slack: SlackServer, event_id: str, user: str = "U_BOB") -> None:
    envelope = fixture("event_app_home_opened.json")
    envelope["event_id"] = event_id
    envelope["event"]["user"] = user
    assert slack.event(envelope).status == 200
    slack.settle()


def last_home(fake: FakeSlack, user: str) -> tuple[Call, list[dict[str, Any]]]:
    published = [c for c in fake.calls_to("views.publish") if c.params["user_id"] == user]
    assert published, "no Home view was published"
    view = published[-1].json_param("view")
    assert view["type"] == "home"
    return published[-1], view["blocks"]


def test_bob_sees_questions_in_his_expertise_but_not_a_private_channels(
        slack: SlackServer, fake_slack: FakeSlack) -> None:
    command(slack, fake_slack, "U_BOB", "/expertise", "add postgres falcon")
    ask(slack, fake_slack, text="How do I rotate the staging database password? #postgres")
    ask(slack, fake_slack, text="When does Project Falcon launch? #falcon", channel="G_PRIVATE",
        channel_name="privategroup")

    open_home(slack, "Ev0HOME00001")
    _, home = last_home(fake_slack, "U_BOB")
    text = all_text(home)
    assert "Hi bob, here is your knowledge corner" in text
    assert "Unanswered questions in your expertise" in text
    assert "rotate the staging database password" in text
    assert "Falcon" not in text.replace("#falcon", "")
    assert "#falcon" in text and "#postgresql" in text  # his declared expertise
    assert "Language: English" in text and "Timezone: America/New_York" in text  # from his Slack profile
    assert {"Nederlands", "Prompts on/off", "Digest on/off"} <= set(buttons(home))


def test_switching_language_in_the_home_tab_republishes_it_in_dutch(
        slack: SlackServer, fake_slack: FakeSlack) -> None:
    open_home(slack, "Ev0HOME00001")
    _, home = last_home(fake_slack, "U_BOB")
    dutch = buttons(home)["Nederlands"]

    click = fixture("block_actions_home.json")
    click["actions"][0].update(action_id=dutch["action_id"], value=dutch["value"])
    assert slack.action(click).status == 200
    slack.settle()
    _, home = last_home(fake_slack, "U_BOB")
    text = all_text(home)
    assert "Hoi bob, dit is je kennishoek" in text
    assert "Taal: Nederlands" in text
    assert "English" in buttons(home)


def test_a_dutch_speaking_colleague_gets_the_home_tab_in_dutch_from_her_slack_locale(
        slack: SlackServer, fake_slack: FakeSlack) -> None:
    fake_slack.methods.workspace.add_user("U_DAAN", "daan", locale="nl-NL", tz="Europe/Amsterdam")
    open_home(slack, "Ev0HOMEDAAN1", user="U_DAAN")
    _, home = last_home(fake_slack, "U_DAAN")
    text = all_text(home)
    assert "Hoi daan, dit is je kennishoek" in text and "Tijdzone: Europe/Amsterdam" in text
