"""Slack payloads (as documented, from tests/fixtures/slack) become the core events kbbot acts on."""

from __future__ import annotations

import pytest

from kbbot.contract.events import (
    ButtonClicked,
    CommandInvoked,
    HomeOpened,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    PersonChanged,
    ReactionAdded,
)
from kbbot_adapters.slack import translate
from slack_support.harness import fixture

BOT = "U_KBBOT"


@pytest.mark.parametrize(("channel", "channel_type", "channel_name", "kind"), [
    ("C_GENERAL", "channel", None, "channel"),
    ("C_SECRET", "group", None, "private"),
    ("D_ALICE", "im", None, "dm"),
    ("G_MPIM", "mpim", None, "group"),
    ("C_SECRET", None, "privategroup", "private"),
    ("D_ALICE", None, "directmessage", "dm"),
    ("G_MPIM", None, "mpdm-alice--bob-1", "group"),
    ("D_ALICE", None, None, "dm"),
    ("C_GENERAL", None, "general", None),  # a name alone can't tell public from private
    ("C_GENERAL", None, None, None),
])
def test_the_conversation_kind_is_taken_only_from_what_slack_states(
        channel: str, channel_type: str | None, channel_name: str | None, kind: str | None) -> None:
    assert translate.kind_hint(channel, channel_type, channel_name) == kind


def test_a_slash_command_keeps_its_text_and_uses_the_trigger_as_its_id() -> None:
    form = fixture("command_ask.json")
    event = translate.command(form, "channel")
    assert isinstance(event, CommandInvoked)
    assert (event.command, event.text) == ("ask", form["text"])
    assert event.event_id == f"cmd:{form['trigger_id']}"
    assert (event.workspace_id, event.actor.id, event.conversation.id) == ("T0001", "U_ALICE", "C_GENERAL")


def test_a_thread_reply_edit_delete_and_reaction_name_the_message_they_are_about() -> None:
    reply = translate.event(fixture("event_message.json"), "channel", BOT)
    assert isinstance(reply, MessagePosted)
    assert (reply.message_id, reply.thread_id, reply.event_id) == ("1700000100.000200", "1700000000.000100",
                                                                   "Ev0MESSAGE01")
    edit = translate.event(fixture("event_message_changed.json"), "channel", BOT)
    assert isinstance(edit, MessageEdited) and edit.message_id == "1700000100.000200"
    assert edit.actor.id == "U_BOB" and "v1.15+" in edit.text
    gone = translate.event(fixture("event_message_deleted.json"), "channel", BOT)
    assert isinstance(gone, MessageDeleted) and gone.message_id == "1700000100.000200" and gone.actor.id == "U_BOB"
    tick = translate.event(fixture("event_reaction_added.json"), "channel", BOT)
    assert isinstance(tick, ReactionAdded)
    assert (tick.message_id, tick.reaction, tick.actor.id) == ("1700000100.000200", "✅", "U_ALICE")


def test_a_mention_is_a_message_to_the_bot_and_its_plain_message_twin_is_dropped() -> None:
    mention = translate.event(fixture("event_app_mention.json"), "channel", BOT)
    assert isinstance(mention, MessagePosted) and mention.mentions_bot
    assert mention.text == "how do I get access to the staging cluster? #kubernetes"
    twin = fixture("event_message.json")
    twin["event"].update(text="<@U_KBBOT> how do I get access?", thread_ts=None)
    assert translate.event(twin, "channel", BOT) is None


def test_bot_posts_and_housekeeping_subtypes_are_ignored() -> None:
    for change in ({"bot_id": "B_OTHER"}, {"subtype": "channel_join"}, {"subtype": "bot_message"}):
        envelope = fixture("event_message.json")
        envelope["event"].update(change)
        assert translate.event(envelope, "channel", BOT) is None


def test_app_home_and_button_clicks() -> None:
    home = translate.event(fixture("event_app_home_opened.json"), None, BOT)
    assert isinstance(home, HomeOpened) and home.conversation.kind == "dm"
    payload = fixture("block_actions_home.json")
    place = translate.button_place(payload, None, "D_BOB")
    click = translate.button(payload, payload["actions"][0], place)
    assert isinstance(click, ButtonClicked)
    assert (click.action_id, click.value, click.conversation.id) == ("kb_set_language", "nl", "D_BOB")
    in_channel = fixture("block_actions_ephemeral.json")
    assert translate.button_place(in_channel, None, None) is None  # unknown kind: never guessed


@pytest.mark.parametrize(("name", "core"), [
    ("white_check_mark", "✅"), ("heavy_check_mark", "✔"), ("ballot_box_with_check", "☑"), ("+1", "👍"),
    ("thumbsup", "👍"), ("+1::skin-tone-4", "👍"), ("tada", "tada"),
])
def test_slack_reaction_names_become_the_emoji_the_core_acts_on(name: str, core: str) -> None:
    assert translate.reaction(name) == core


def _user_change(kind: str = "user_change", **user: object) -> dict:
    return {"team_id": "T0001", "event_id": "Ev0USER", "event_time": 1700000500, "type": "event_callback",
            "event": {"type": kind, "user": {"id": "U_BOB", "team_id": "T0001", "name": "bob", "deleted": False,
                                              "is_restricted": False, "is_ultra_restricted": False,
                                              "is_bot": False, "tz": "Europe/Amsterdam",
                                              "profile": {"display_name": "bob", "real_name": "Bob B"}, **user}}}


@pytest.mark.parametrize(("user", "left", "guest"), [
    ({}, False, False),
    ({"deleted": True}, True, False),                  # deactivated: left the organisation
    ({"is_restricted": True}, False, True),           # multi-channel guest
    ({"is_ultra_restricted": True}, False, True),     # single-channel guest
])
def test_a_user_change_says_whether_someone_left_or_is_a_guest(user: dict, left: bool, guest: bool) -> None:
    event = translate.event(_user_change(**user), None, BOT)
    assert isinstance(event, PersonChanged)
    assert (event.actor.id, event.left, event.actor.is_guest, event.actor.name) == ("U_BOB", left, guest, "bob")
    assert event.workspace_id == "T0001" and event.occurred_at is not None


def test_a_new_member_is_described_and_bots_are_not_people() -> None:
    joined = translate.event(_user_change("team_join", is_restricted=True), None, BOT)
    assert isinstance(joined, PersonChanged) and joined.actor.is_guest and not joined.left
    assert translate.event(_user_change(is_bot=True), None, BOT) is None
