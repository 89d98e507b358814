"""A channel made private stays private, whatever old news arrives after the change.

Slack retries an event it could not deliver (after a minute, after five);
such a retry still describes the channel as it was when the event was
sent. Alice asks in #general, the channel is made private, then a message
sent *before* the change is delivered late: Carol, who is not in the
channel, must still not find Alice's question.
"""

from __future__ import annotations

from slack_support.fake_web_api import FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture
from test_slack_conversations import ask, question_card, thread_reply
from test_slack_delivery_guarantees import search

FROM_CAROLS_DM = {"channel": "D_CAROL", "channel_name": "directmessage"}
CONVERTED_AT = 1700000800  # event_channel_convert_to_private.json


def made_private(slack: SlackServer, fake_slack: FakeSlack) -> None:
    fake_slack.methods.workspace.channels["C_GENERAL"]["_members"] = ["U_ALICE", "U_BOB", "U_KBBOT"]
    fake_slack.methods.workspace.channels["C_GENERAL"]["is_private"] = True
    assert slack.event(fixture("event_channel_convert_to_private.json")).status == 200
    slack.settle()


def public_message(event_id: str, ts: float, user: str = "U_BOB", text: str = "Is the wifi down again?",
                   subtype: str | None = None) -> dict:
    envelope = fixture("event_message.json")
    envelope["event_id"] = event_id
    envelope["event_time"] = int(ts)
    stamp = f"{ts:.6f}"
    envelope["event"].update(user=user, ts=stamp, event_ts=stamp, text=text, channel_type="channel")
    envelope["event"].pop("thread_ts")
    envelope["event"].pop("parent_user_id")
    if subtype:
        envelope["event"]["subtype"] = subtype
    return envelope


def test_a_late_retry_from_before_the_channel_was_made_private_does_not_make_it_public_again(
        slack: SlackServer, fake_slack: FakeSlack) -> None:
    fake_slack.methods.workspace.add_user("U_CAROL", "carol")
    ask(slack, fake_slack, text="Where is the office wifi password kept? #office")
    ts = question_card(fake_slack).body["ts"]
    thread_reply(slack, "Ev0BOBANSWER", "U_BOB", ts, "1700000100.000200", "In the vault, entry office-wifi")
    made_private(slack, fake_slack)
    assert "[Q1]" not in search(slack, fake_slack, "U_CAROL", "office wifi", **FROM_CAROLS_DM)

    # Sent a minute before the change, delivered only now: it still says "channel".
    late = public_message("Ev0LATERETRY", CONVERTED_AT - 60)
    assert slack.event(late, retry_num=2).status == 200
    slack.settle()
    assert "[Q1]" not in search(slack, fake_slack, "U_CAROL", "office wifi", **FROM_CAROLS_DM)
    # Nor does a reaction afterwards, whose kind comes from what the adapter remembered.
    reaction = fixture("event_reaction_added.json")
    reaction.update(event_id="Ev0LATEREACT", event_time=CONVERTED_AT + 30)
    reaction["event"]["item"]["ts"] = "1700000100.000200"
    assert slack.event(reaction).status == 200
    slack.settle()
    assert "[Q1]" not in search(slack, fake_slack, "U_CAROL", "office wifi", **FROM_CAROLS_DM)
    assert "[Q1] Where is the office wifi" in search(slack, fake_slack, "U_BOB", "office wifi",
                                                     channel="D_BOB", channel_name="directmessage")


def test_the_conversion_wins_even_when_it_is_handled_after_a_later_retry_of_old_news(
        slack: SlackServer, fake_slack: FakeSlack) -> None:
    fake_slack.methods.workspace.add_user("U_CAROL", "carol")
    ask(slack, fake_slack, text="Where is the office wifi password kept? #office")
    late = public_message("Ev0LATERETRY", CONVERTED_AT - 60)
    made_private(slack, fake_slack)
    assert slack.event(late, retry_num=1).status == 200
    slack.settle()
    assert "[Q1]" not in search(slack, fake_slack, "U_CAROL", "office wifi", **FROM_CAROLS_DM)


def test_a_channel_made_public_again_shows_its_questions_to_everyone(
        slack: SlackServer, fake_slack: FakeSlack) -> None:
    fake_slack.methods.workspace.add_user("U_CAROL", "carol")
    ask(slack, fake_slack, text="Where is the office wifi password kept? #office")
    made_private(slack, fake_slack)
    fake_slack.methods.workspace.channels["C_GENERAL"]["is_private"] = False
    public = public_message("Ev0MADEPUBLIC", CONVERTED_AT + 600, user="U_ALICE",
                            text="made this channel *public*.", subtype="channel_convert_to_public")
    assert slack.event(public).status == 200
    slack.settle()
    assert "[Q1] Where is the office wifi" in search(slack, fake_slack, "U_CAROL", "office wifi", **FROM_CAROLS_DM)
