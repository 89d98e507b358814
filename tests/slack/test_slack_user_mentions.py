"""On Slack, ``<@U…>`` in a question or an answer reads as the person's name, never as their id."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from slack_support.fake_web_api import FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer
from test_slack_conversations import all_text, ask, dms_to, question_card, thread_reply


def test_mentioned_people_are_named_in_cards_and_answers(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    ask(slack, fake_slack, text="Who renews the VPN certificate? #security")
    ts = question_card(fake_slack).body["ts"]
    thread_reply(slack, "Ev0BOBANSWER", "U_BOB", ts, "1700000100.000200",
                 "<@U_ALICE> ask <@U_NOBODY>, the certificate is theirs")
    [note] = dms_to(fake_slack, "U_ALICE")
    shown = all_text(note.json_param("blocks")) + note.params.get("text", "")
    assert "@alice ask @someone, the certificate is theirs" in shown
    assert "U_ALICE" not in shown and "U_NOBODY" not in shown

    fake_slack.clear()
    ask(slack, fake_slack, text="Can <@U_BOB|bob> or <@U_NOBODY> look at the build server? #ci")
    card = question_card(fake_slack)
    shown = all_text(card.json_param("blocks")) + card.params.get("text", "")
    assert "Can @bob or @someone look at the build server?" in shown
    assert "U_BOB" not in shown and "U_NOBODY" not in shown and "&lt;@" not in shown
