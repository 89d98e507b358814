"""``/kb admin``'s "Edit settings" on Slack: a modal opened with views.open, checked by the core, through real Bolt.

Alice owns the workspace (users.info says so). She opens the panel, clicks
"Edit settings" (a signed ``block_actions``), and Slack is asked to open a
modal whose inputs hold what is in force. A submission with bad values comes
back as ``response_action: errors`` beside the fields, nothing saved; a good
one saves what she changed, one audit entry per setting, and her panel is
replaced by one showing the new values. Bob, a member, who forges the same
``view_submission``, is refused and changes nothing.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from admin_state import chosen, tag_rules, trail
from kbbot.config import Settings
from slack_support.fake_web_api import RESPONSE_URL_METHOD, FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture
from test_slack_admin import kb
from test_slack_conversations import all_text, ask, buttons


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The product's working hours (the shared fixture works around the clock, 00:00-24:00)."""
    return settings.model_copy(update={"routing_work_start": "09:00", "routing_work_end": "17:30",
                                       "routing_repost_channel": "C_GENERAL"})


def open_panel_form(slack: SlackServer, fake: FakeSlack, user: str = "U_ALICE") -> dict[str, Any]:
    """``user`` types ``/kb admin`` and clicks "Edit settings" (or "Instellingen bewerken"); the modal opened."""
    kb(slack, fake, user, "admin")
    [panel] = fake.calls_to(RESPONSE_URL_METHOD)
    shown = buttons(panel.params["blocks"])
    edit = shown.get("Edit settings") or shown["Instellingen bewerken"]
    click = fixture("block_actions_ephemeral.json", fake.response_url("panel"))
    click["user"].update(id=user, username=user[2:].lower(), name=user[2:].lower())
    click["actions"][0].update(action_id=edit["action_id"], value=edit["value"], block_id="kb1",
                               text=edit["text"])
    before = len(fake.calls_to("views.open"))
    assert slack.action(click).status == 200
    opened = fake.calls_to("views.open")
    assert len(opened) == before + 1, "the modal must be opened while the admin waits"
    assert opened[-1].params["trigger_id"].startswith(click["trigger_id"])
    return opened[-1].json_param("view")


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


def _state(element: dict[str, Any], value: str | None) -> dict[str, Any]:
    """What Slack puts in ``view.state.values`` for an element holding ``value`` (the shapes Slack documents)."""
    kind = element["type"]
    if kind == "static_select":
        option = next((o for o in element["options"] if o["value"] == value), None)
        if option is None and value is not None:  # not offered: only a forged payload says it
            option = {"text": {"type": "plain_text", "text": value, "emoji": True}, "value": value}
        return {"type": kind, "selected_option": option}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": value}
    if kind == "multi_conversations_select":  # an emptiable picker: a list of at most one
        return {"type": kind, "selected_conversations": [value] if value else []}
    if kind == "timepicker":
        return {"type": kind, "selected_time": value}
    return {"type": kind, "value": value}


def _initial(element: dict[str, Any]) -> str | None:
    return ((element.get("initial_option") or {}).get("value") or element.get("initial_conversation")
            or next(iter(element.get("initial_conversations") or []), None)
            or element.get("initial_time") or element.get("initial_value"))


def submit(slack: SlackServer, view: dict[str, Any], user: str = "U_ALICE",
           **changes: str | None) -> tuple[int, dict[str, Any] | None]:
    """Submit the modal as Slack does: every input as the admin left it, ``changes`` typed over it."""
    payload = fixture("view_submission_settings.json")
    payload["user"].update(id=user, username=user[2:].lower(), name=user[2:].lower())
    payload["view"].update(private_metadata=view["private_metadata"], blocks=copy.deepcopy(view["blocks"]))
    payload["view"]["state"] = {"values": {
        block_id: {block["element"]["action_id"]: _state(block["element"], changes.get(block_id, _initial(
            block["element"])))}
        for block_id, block in inputs(view).items()}}
    response = slack.action(payload)
    slack.settle()
    return response.status, (json.loads(response.body) if response.body else None)





def headings(view: dict[str, Any]) -> list[str]:
    return [block["text"]["text"] for block in view["blocks"] if block["type"] == "section"]


def test_alice_edits_the_settings_in_a_modal_and_her_panel_shows_them(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    fake_slack.methods.workspace.users["U_ALICE"]["is_owner"] = True
    view = open_panel_form(slack, fake_slack)
    assert view["type"] == "modal" and view["callback_id"] == "kb_form"
    assert view["title"]["text"] == "kbbot settings" and view["submit"]["text"] == "Save"
    fields = inputs(view)
    channel = fields["questions_channel"]["element"]
    assert channel["type"] == "multi_conversations_select" and channel["max_selected_items"] == 1  # emptiable
    assert channel["placeholder"]["text"] == "not set"
    assert fields["questions_channel"].get("optional") is True
    notify = fields["expert_notify"]["element"]
    assert notify["type"] == "static_select" and notify["initial_option"]["value"] == "thread"
    assert [o["text"]["text"] for o in notify["options"]] == ["In the question's thread", "By direct message"]
    assert [o["value"] for o in fields["prompt_day"]["element"]["options"]] == ["mon", "tue", "wed", "thu", "fri"]
    assert fields["digest_day"]["element"]["initial_option"]["text"]["text"] == "Monday"
    assert fields["digest_time"]["element"] == {"type": "timepicker", "action_id": "digest_time",
                                                "initial_time": "09:00"}
    assert fields["working_hours_from"]["element"]["type"] == "timepicker"
    assert fields["welcome"]["element"]["initial_option"]["value"] == "on"
    events = fields["retention_events_days"]["element"]
    assert events["type"] == "number_input" and (events["min_value"], events["max_value"]) == ("1", "7")
    assert "optional" not in fields["retention_events_days"]  # events cannot be kept for ever
    assert fields["retention_posts_days"].get("optional") is True  # empty: kept
    assert "initial_value" not in fields["retention_posts_days"]["element"]

    fake_slack.clear()
    status, body = submit(slack, view, expert_notify="dm", digest_day="tue", digest_time="10:30",
                          questions_channel="C_GENERAL", retention_posts_days="90")
    assert status == 200 and body is None  # the modal closes
    assert chosen(sessions) == {"expert_notify": "dm", "digest_day": "tue", "digest_time": "10:30",
                                "questions_channel": "C_GENERAL", "retention_posts_days": 90}
    assert trail(sessions) == [("questions_channel", None, "C_GENERAL"), ("expert_notify", None, "dm"),
                               ("digest_day", None, "tue"), ("digest_time", None, "10:30"),
                               ("retention_posts_days", None, 90)]  # one each; nothing left as it was
    [panel] = fake_slack.calls_to(RESPONSE_URL_METHOD)
    assert panel.params["replace_original"] is True  # the panel she clicked in, replaced
    shown = all_text(panel.params["blocks"])
    assert "Saved: questions-channel #C_GENERAL (was not set); expert-notify dm (was thread)" in shown
    assert "digest-day: tue (set here)" in shown and "retention-posts: 90 days (set here)" in shown


def test_bad_values_come_back_beside_their_fields_and_nothing_is_saved(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    fake_slack.methods.workspace.users["U_ALICE"]["is_owner"] = True
    view = open_panel_form(slack, fake_slack)
    status, body = submit(slack, view, expert_notify="dm", working_hours_from="18:00", working_hours_to="09:00",
                          retention_events_days="30", digest_time=None)
    assert status == 200 and body is not None and body["response_action"] == "errors"
    assert body["errors"] == {"working_hours_to": "18:00-09:00 are not working hours: use 09:00-17:00.",
                              "retention_events_days": "30: use a number of days from 1 to 7.",
                              "digest_time": "Fill this in."}
    assert chosen(sessions) == {} and trail(sessions) == []


def test_a_dutch_admin_reads_the_form_and_its_errors_in_dutch(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    fake_slack.methods.workspace.add_user("U_DAAN", "daan", locale="nl-NL", tz="Europe/Amsterdam")
    fake_slack.methods.workspace.users["U_DAAN"]["is_admin"] = True
    view = open_panel_form(slack, fake_slack, "U_DAAN")
    assert view["title"]["text"] == "Instellingen van kbbot"
    assert inputs(view)["prompt_day"]["label"]["text"] == "vraagdag"
    status, body = submit(slack, view, user="U_DAAN", prompt_day="sat")  # not offered, but a payload may say it
    assert body == {"response_action": "errors",
                    "errors": {"prompt_day": "Vragen gaan alleen op werkdagen uit: kies ma … vr."}}
    assert trail(sessions) == []


def test_a_member_who_forges_the_submission_is_refused_and_nothing_changes(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    fake_slack.methods.workspace.users["U_ALICE"]["is_owner"] = True
    view = open_panel_form(slack, fake_slack)
    status, body = submit(slack, view, user="U_BOB", expert_notify="dm", welcome="off", new_tag="terraform",
                          new_tag_channel="C_GENERAL", new_tag_days="30")
    assert status == 200 and body is not None and body["response_action"] == "update"
    refusal = body["view"]
    assert "submit" not in refusal and not inputs(refusal)
    assert "Only workspace admins can change kbbot's settings." in all_text(refusal["blocks"])
    assert chosen(sessions) == {} and trail(sessions) == [] and tag_rules(sessions) == ({}, {})

    # Bob's own click on the button (had he the panel) opens only the refusal, too.
    fake_slack.methods.workspace.users["U_ALICE"]["is_owner"] = False
    click = fixture("block_actions_ephemeral.json", fake_slack.response_url("bob"))
    click["user"].update(id="U_BOB", username="bob", name="bob")
    click["actions"][0].update(action_id="kb_open_form", value="settings")
    assert slack.action(click).status == 200
    opened = fake_slack.calls_to("views.open")[-1].json_param("view")
    assert "submit" not in opened and "Only workspace admins" in all_text(opened["blocks"])


def test_alice_changes_resets_and_adds_tag_rules_in_the_modal_one_audit_entry_each(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    fake_slack.methods.workspace.users["U_ALICE"]["is_owner"] = True
    fake_slack.methods.workspace.add_channel("C_TF", "tf-help", members=["U_ALICE"])
    kb(slack, fake_slack, "U_ALICE", "admin set verify-every terraform 30")  # a rule typed earlier
    view = open_panel_form(slack, fake_slack)
    fields = list(inputs(view))
    assert fields[-5:] == ["tag_channel.terraform", "tag_days.terraform", "new_tag", "new_tag_channel",
                           "new_tag_days"]  # after the workspace settings: the tag's rules, then a new one
    assert "*Rules per tag*" in headings(view) and "*Add a rule for a tag*" in headings(view)
    channel, days = inputs(view)["tag_channel.terraform"], inputs(view)["tag_days.terraform"]
    assert channel["label"]["text"] == "#terraform: escalation channel" and channel["optional"] is True
    assert channel["element"]["type"] == "multi_conversations_select"
    assert "initial_conversations" not in channel["element"]  # none of its own: the default applies
    assert channel["element"]["placeholder"]["text"] == "Default (#C_GENERAL)"
    assert days["element"]["initial_value"] == "30" and days["optional"] is True
    assert (days["element"]["min_value"], days["element"]["max_value"]) == ("1", "3650")
    assert days["hint"]["text"] == "Days, from 1 to 3650; empty: the default, 180 days."

    fake_slack.clear()
    status, body = submit(slack, view, **{"tag_channel.terraform": "C_TF", "tag_days.terraform": None,
                                          "new_tag": "Postgres", "new_tag_days": "90"})
    assert status == 200 and body is None  # the modal closes
    assert tag_rules(sessions) == ({"terraform": "C_TF"}, {"postgresql": 90})  # Postgres: the tag it stands for
    assert chosen(sessions) == {}  # no workspace setting pinned by leaving it as it was
    assert trail(sessions) == [("tag_verification_days", None, {"terraform": 30}),
                               ("tag_channel", None, {"terraform": "C_TF"}),
                               ("tag_verification_days", {"terraform": 30}, None),
                               ("tag_verification_days", None, {"postgresql": 90})]
    [panel] = fake_slack.calls_to(RESPONSE_URL_METHOD)
    shown = all_text(panel.params["blocks"])
    assert ("Saved: escalation for #terraform #C_TF (was #C_GENERAL); verify-every for #terraform 180 days "
            "(was 30 days); verify-every for #postgresql 90 days (was 180 days).") in shown
    assert "#terraform: #C_TF" in shown and "#postgresql: 90 days" in shown

    # Opened again: each tag with a rule has its row, prefilled; the channel emptied takes it back to the default.
    view = open_panel_form(slack, fake_slack)
    assert inputs(view)["tag_channel.terraform"]["element"]["initial_conversations"] == ["C_TF"]
    assert inputs(view)["tag_days.postgresql"]["element"]["initial_value"] == "90"
    status, body = submit(slack, view, **{"tag_channel.terraform": None})
    assert body is None and tag_rules(sessions) == ({}, {"postgresql": 90})
    assert trail(sessions)[-1] == ("tag_channel", {"terraform": "C_TF"}, None)


def test_bad_tag_rules_come_back_beside_their_fields_and_nothing_is_saved(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    fake_slack.methods.workspace.users["U_ALICE"]["is_owner"] = True
    ask(slack, fake_slack, text="Who approves Falcon budgets? #falcon", channel="G_PRIVATE",
        channel_name="privategroup")  # kbbot has seen the private channel
    kb(slack, fake_slack, "U_ALICE", "admin set escalation terraform #C_GENERAL")
    before = trail(sessions)
    view = open_panel_form(slack, fake_slack)
    status, body = submit(slack, view, expert_notify="dm", **{
        "tag_channel.terraform": "G_PRIVATE",  # the picker offers public channels only: a forged payload
        "tag_days.terraform": "0", "new_tag": "!!!", "new_tag_days": "4000"})
    assert status == 200 and body is not None and body["response_action"] == "errors"
    assert body["errors"] == {
        "tag_channel.terraform": "G_PRIVATE is not a public channel: unanswered questions are only reposted where "
                                 "everyone may read them.",
        "tag_days.terraform": "0: use a number of days from 1 to 3650.",
        "new_tag": "!!! is not a tag.",
        "new_tag_days": "4000: use a number of days from 1 to 3650."}
    assert chosen(sessions) == {} and trail(sessions) == before
    assert tag_rules(sessions) == ({"terraform": "C_GENERAL"}, {})

    status, body = submit(slack, view, new_tag_channel="C_GENERAL")
    assert body == {"response_action": "errors", "errors": {"new_tag": "Name the tag this rule is for."}}
    status, body = submit(slack, view, new_tag="Terraform", new_tag_days="10")
    assert body == {"response_action": "errors",
                    "errors": {"new_tag": "#terraform already has its rules above: change them there."}}
    assert trail(sessions) == before


def test_a_dutch_admin_adds_a_tag_rule_and_reads_its_errors_in_dutch(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    fake_slack.methods.workspace.add_user("U_DAAN", "daan", locale="nl-NL", tz="Europe/Amsterdam")
    fake_slack.methods.workspace.users["U_DAAN"]["is_admin"] = True
    view = open_panel_form(slack, fake_slack, "U_DAAN")
    assert "*Een regel voor een tag toevoegen*" in headings(view)
    assert inputs(view)["new_tag_days"]["label"]["text"] == "Antwoorden opnieuw bevestigen na … dagen"
    status, body = submit(slack, view, user="U_DAAN", new_tag="k8s")
    assert body == {"response_action": "errors",
                    "errors": {"new_tag": "Kies een kanaal of een aantal dagen voor #kubernetes."}}
    status, body = submit(slack, view, user="U_DAAN", new_tag="k8s", new_tag_days="twee")
    assert body == {"response_action": "errors",
                    "errors": {"new_tag_days": "twee: gebruik een aantal dagen van 1 tot 3650."}}
    status, body = submit(slack, view, user="U_DAAN", new_tag="k8s", new_tag_channel="C_GENERAL")
    assert body is None and tag_rules(sessions) == ({"kubernetes": "C_GENERAL"}, {})
    assert trail(sessions) == [("tag_channel", None, {"kubernetes": "C_GENERAL"})]
