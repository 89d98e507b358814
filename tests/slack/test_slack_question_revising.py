"""Editing and withdrawing a question in Slack: the real Bolt app over HTTP, Slack's Web API faked on loopback.

Alice's question card is changed in place with ``chat.update`` on the channel
and ``ts`` it was posted at, never posted a second time; Bob is refused
privately and nothing is sent to the channel.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.db import unit_of_work
from kbbot.store.models import Question, QuestionStatus
from slack_support.fake_web_api import RESPONSE_URL_METHOD, Call, FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture
from test_slack_conversations import all_text, ask, question_card

REWORDED = "How do I rotate the <!channel> production database password? #vault"


def kb(slack: SlackServer, fake: FakeSlack, user: str, text: str) -> Call:
    """``user`` types ``/kb text`` in #general; the private answer they get through ``response_url``."""
    fake.clear()
    form = fixture("command_ask.json", fake.response_url())
    form.update(command="/kb", user_id=user, user_name=user.removeprefix("U_").lower(), text=text)
    assert slack.command(form).status == 200
    slack.settle()
    [answer] = fake.calls_to(RESPONSE_URL_METHOD)
    assert answer.params["response_type"] == "ephemeral"
    return answer


def test_the_asker_edits_then_withdraws_and_the_card_changes_in_place(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    ask(slack, fake_slack)
    card = question_card(fake_slack)
    channel, ts = card.params["channel"], card.body["ts"]

    told = kb(slack, fake_slack, "U_ALICE", f"edit 1 {REWORDED}")
    assert "Question 1 now reads:" in all_text(told.params["blocks"])
    [update] = fake_slack.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (channel, ts) == ("C_GENERAL", ts)
    shown = all_text(update.json_param("blocks"))
    assert "Question from alice" in shown and "rotate the @\u2060channel production database password" in shown
    assert "staging" not in shown and "#vault" in shown and "Edited by the asker" in shown
    assert "<!channel>" not in shown and "<!channel>" not in update.params["text"]
    assert fake_slack.calls_to("chat.postMessage") == []  # the card is replaced, not posted again
    assert fake_slack.methods.messages[(channel, ts)]["blocks"] == update.json_param("blocks")

    refused = kb(slack, fake_slack, "U_BOB", "withdraw 1")
    assert "Only the person who asked can withdraw a question." in all_text(refused.params["blocks"])
    refused = kb(slack, fake_slack, "U_BOB", "edit 1 Who broke production?")
    assert "Only the person who asked can edit a question." in all_text(refused.params["blocks"])
    assert fake_slack.calls_to("chat.update") == [] and fake_slack.calls_to("chat.postMessage") == []

    told = kb(slack, fake_slack, "U_ALICE", "withdraw 1")
    assert "Question 1 is withdrawn." in all_text(told.params["blocks"])
    [update] = fake_slack.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (channel, ts)
    shown = all_text(update.json_param("blocks"))
    assert shown == "↩️ This question was withdrawn by the asker." and "password" not in update.params["text"]
    with unit_of_work(sessions) as session:
        question = session.scalars(select(Question)).one()
        assert question.status is QuestionStatus.WITHDRAWN and question.message_id == ts

    found = kb(slack, fake_slack, "U_BOB", "search production database password")
    assert "Nothing found" in all_text(found.params["blocks"])
