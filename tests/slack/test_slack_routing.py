"""An expert's invitation in Slack: the buttons in the thread, clicked through the real Bolt app over HTTP.

Bob declared #postgresql; Alice's question brings him into its thread with
"I'll take it", "Not me" and "Snooze". His click is a signed
``block_actions`` request; the card is then updated in place with
``chat.update`` to say he is on it. Alice clicking Bob's button is told it
was meant for someone else, and nothing changes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.db import unit_of_work
from kbbot.store.models import Invitation, InvitationState
from slack_support.fake_web_api import RESPONSE_URL_METHOD, Call, FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture
from test_slack_conversations import all_text, ask, buttons, question_card


def click_in_channel(slack: SlackServer, fake: FakeSlack, message: Call, label: str, user: str) -> Call:
    """``user`` clicks ``label`` on a message kbbot posted in a channel; the private answer they get."""
    button = buttons(message.json_param("blocks"))[label]
    fake.clear()
    click = fixture("block_actions_ephemeral.json", fake.response_url("invite"))
    click["user"].update(id=user, username=user.removeprefix("U_").lower(), name=user.removeprefix("U_").lower())
    click["channel"] = {"id": message.params["channel"], "name": "general"}
    click["container"] = {"type": "message", "message_ts": message.body["ts"], "channel_id": message.params["channel"],
                          "is_ephemeral": False}
    click["actions"][0].update(action_id=button["action_id"], value=button["value"])
    assert slack.action(click).status == 200
    slack.settle()
    [answer] = fake.calls_to(RESPONSE_URL_METHOD)
    assert answer.params["response_type"] == "ephemeral"
    return answer


def test_bob_takes_the_question_from_his_invitation_and_the_card_says_so(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    form = fixture("command_ask.json", fake_slack.response_url())
    form.update(user_id="U_BOB", user_name="bob", command="/expertise", text="add postgres")
    assert slack.command(form).status == 200
    slack.settle()
    ask(slack, fake_slack)
    card = question_card(fake_slack)
    [invitation] = [c for c in fake_slack.calls_to("chat.postMessage") if c.params.get("thread_ts") == card.body["ts"]]
    assert "<@U_BOB>" in invitation.json_param("blocks")[0]["text"]["text"]
    assert {"🙋 I'll take it", "Not me", "⏰ Later today", "⏰ Tomorrow"} <= set(buttons(invitation.json_param("blocks")))

    wrong = click_in_channel(slack, fake_slack, invitation, "🙋 I'll take it", "U_ALICE")
    assert "meant for someone else" in all_text(wrong.params["blocks"])
    assert fake_slack.calls_to("chat.update") == []

    taken = click_in_channel(slack, fake_slack, invitation, "🙋 I'll take it", "U_BOB")
    assert "Q1 is yours" in all_text(taken.params["blocks"])
    [update] = fake_slack.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("C_GENERAL", card.body["ts"])
    shown = all_text(update.json_param("blocks"))
    assert "is on it" in shown and "How do I rotate the staging database password?" in shown

    again = click_in_channel(slack, fake_slack, invitation, "🙋 I'll take it", "U_BOB")
    assert "You already took Q1" in all_text(again.params["blocks"])
    assert fake_slack.calls_to("chat.update") == []
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Invitation.state)).one() is InvitationState.CLAIMED
