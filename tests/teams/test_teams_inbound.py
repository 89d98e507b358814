"""Teams activity JSON → core events: the Teams-specific rules, without a server."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kbbot.contract.events import (
    ButtonClicked,
    CommandInvoked,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    PersonChanged,
    PersonJoined,
)
from kbbot_adapters.teams.translate import clean_text, split_conversation, translate
from teams_support import ids
from teams_support.harness import load


def _only(activity: dict[str, Any]) -> Any:
    translation = translate(activity)
    assert translation is not None
    (event,) = translation.events
    return event


def test_a_channel_post_is_its_own_thread_root_and_the_mention_is_gone() -> None:
    event = _only(load("channel_mention"))
    assert isinstance(event, MessagePosted)
    assert event.conversation.id == ids.CHANNEL_ID and event.conversation.kind == "channel"
    assert event.conversation.name == "knowledge"
    assert event.message_id == event.thread_id == ids.ROOT_MESSAGE_ID
    assert event.text == "ask How do I rotate the VPN certificate? #vpn"
    assert event.mentions_bot
    assert event.workspace_id == ids.TENANT_ID
    assert event.actor.locale == "en-US" and event.actor.timezone == "Europe/Amsterdam"


def test_a_reply_in_the_chain_points_at_its_root() -> None:
    event = _only(load("channel_reply"))
    assert isinstance(event, MessagePosted)
    assert event.thread_id == ids.ROOT_MESSAGE_ID and event.message_id == "1700000000200"
    assert not event.mentions_bot


def test_only_the_bots_own_mention_is_removed() -> None:
    activity = load("channel_mention", text="<at>kbbot</at> ask does <at>Bob Example</at> know &amp; care?")
    activity["entities"].append({"type": "mention", "text": "<at>Bob Example</at>",
                                 "mentioned": {"id": ids.BOB_ID, "name": "Bob Example"}})
    text, mentioned = clean_text(activity)
    assert mentioned
    assert text == "ask does <at>Bob Example</at> know & care?"


def test_a_personal_chat_is_a_dm_without_threads() -> None:
    event = _only(load("personal_message"))
    assert event.conversation.kind == "dm" and event.thread_id is None


def test_a_private_channel_is_private() -> None:
    assert _only(load("private_channel_mention")).conversation.kind == "private"


def test_every_edit_is_a_new_event_but_a_repeat_is_not() -> None:
    first = _only(load("message_update"))
    again = _only(load("message_update"))
    second = _only(load("message_update", text="A different correction."))
    assert isinstance(first, MessageEdited) and first.message_id == "1700000000200"
    assert first.event_id == again.event_id != second.event_id


def test_a_delete_retracts_by_message_id() -> None:
    event = _only(load("message_delete"))
    assert isinstance(event, MessageDeleted) and event.message_id == "1700000000200"


def test_a_card_submit_is_a_button_with_its_card() -> None:
    event = _only(load("card_submit"))
    assert isinstance(event, ButtonClicked)
    assert (event.action_id, event.value, event.message_id) == ("kb_accept", "1", "1700000100001")


def test_the_same_message_id_in_two_conversations_is_two_events() -> None:
    here = _only(load("channel_reply"))
    elsewhere = load("channel_reply")
    elsewhere["conversation"] = {**elsewhere["conversation"], "id": "19:other@thread.tacv2;messageid=1"}
    assert here.event_id != _only(elsewhere).event_id


def test_a_personal_install_is_greeted_with_help_and_a_team_install_is_not() -> None:
    event = _only(load("personal_install"))
    assert isinstance(event, CommandInvoked) and (event.command, event.text) == ("kb", "help")
    team = translate(load("team_install"))
    assert team is not None and team.events == []


def test_thread_ids_split_from_conversation_ids() -> None:
    assert split_conversation(ids.CHANNEL_THREAD_CONVERSATION_ID) == (ids.CHANNEL_ID, ids.ROOT_MESSAGE_ID)
    assert split_conversation(ids.ALICE_PERSONAL_CONVERSATION_ID) == (ids.ALICE_PERSONAL_CONVERSATION_ID, None)


def test_an_activity_without_a_tenant_is_ignored() -> None:
    activity = load("personal_message")
    activity.pop("channelData")
    activity["conversation"].pop("tenantId")
    assert translate(activity) is None


@settings(max_examples=200, deadline=None)
@given(before=st.text(max_size=80), after=st.text(max_size=80))
def test_any_text_around_the_bots_mention_translates_without_the_mention(before: str, after: str) -> None:
    """Whatever surrounds the mention: no crash, the mention is gone, the rest is kept (spacing aside)."""
    assume("<" not in before + after and ">" not in before + after and "&" not in before + after)
    event = _only(load("channel_mention", text=f"{before}<at>kbbot</at>{after}"))
    assert isinstance(event, MessagePosted) and event.mentions_bot
    assert "<at>" not in event.text
    # The core's events drop NUL characters (PostgreSQL cannot store them); everything else is kept.
    assert event.text.split() == f"{before} {after}".replace("\x00", "").split()


def _team_change(event_type: str, members: list[dict[str, Any]]) -> dict[str, Any]:
    activity = load("team_install")
    activity["channelData"] = {**activity["channelData"], "eventType": event_type}
    activity.pop("membersAdded", None)
    activity["membersRemoved" if event_type == "teamMemberRemoved" else "membersAdded"] = members
    return activity


def test_a_member_removed_from_the_team_has_left_and_the_bot_itself_is_nobody() -> None:
    translation = translate(_team_change("teamMemberRemoved", [{"id": ids.BOB_ID}, {"id": ids.BOT_ID}]))
    assert translation is not None
    [event] = translation.events
    assert isinstance(event, PersonChanged) and event.left and event.actor.id == ids.BOB_ID
    assert event.actor.is_guest is None  # Teams did not say; what is known stays


def test_a_member_added_to_the_team_is_news_whose_role_is_looked_up() -> None:
    translation = translate(_team_change("teamMemberAdded", [{"id": ids.DAAN_ID}]))
    assert translation is not None
    event, greeting = translation.events  # who they are first (a guest?), then kbbot may welcome them
    assert isinstance(event, PersonChanged) and not event.left and event.actor.is_guest is None
    assert isinstance(greeting, PersonJoined) and greeting.actor.id == ids.DAAN_ID
    assert translate(load("team_install")).events == []  # the bot added to a team: no person news
