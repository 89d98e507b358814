"""``admin``'s "Edit settings" on Teams: a task module (``task/fetch``, ``task/submit``) through the real SDKs.

Alice, an admin the operator named in KBBOT_ADMINS, presses "Edit settings"
on her panel card. Teams invokes ``task/fetch`` (every request carries a
signed channel token) and shows the Adaptive Card kbbot answers with: its
inputs hold what is in force. Bad values come back in the card, beside their
fields, nothing saved; good ones are saved (one audit entry per changed
setting), the task module closes and her panel card is updated. Bob, a
member, forging the submission is refused and changes nothing. Both Teams
SDKs run the same story (teams_support.fixtures).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from teams_support.activities import ALICE, BOB, DAAN, channel_post, personal, search_invoke, task_invoke
from teams_support.harness import TeamsHarness, card_actions, card_texts

from kbbot.config import Settings
from kbbot.store.db import unit_of_work
from kbbot.services import verification
from kbbot.store.models import AuditEntry, RoutingSettings, Workspace

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"admins": f"teams:{ALICE.id},teams:{DAAN.id}",
                                       "routing_work_start": "09:00", "routing_work_end": "17:30"})


def open_form(teams: TeamsHarness, who=ALICE) -> tuple[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """``who`` asks for the panel and presses its edit button: the panel card's id and the invoke's answer."""
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, who, "beheer" if who is DAAN else "admin"))
    (panel,) = teams.seen_since(mark)
    [edit] = [a for a in card_actions(panel) if a["title"] in ("Edit settings", "Instellingen bewerken")]
    assert edit["data"]["msteams"] == {"type": "task/fetch"}
    response = teams.post(task_invoke(teams.fake, who, "task_fetch", edit["data"], panel.assigned_id))
    assert response.status_code == 200
    return str(panel.assigned_id), response.json()


def card_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body["task"]["type"] == "continue"
    return body["task"]["value"]["card"]["content"]


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {element["id"]: element for element in card["body"] if "id" in element}


def filled(card: dict[str, Any], **changes: str) -> dict[str, Any]:
    """What Teams submits: every input's value as left (strings), the changes typed over, and the action's data."""
    [action] = card["actions"]
    return {**{name: str(element.get("value", "")) for name, element in inputs(card).items()}, **changes,
            **action["data"]}


def submit(teams: TeamsHarness, who, data: dict[str, Any], panel: str):  # type: ignore[no-untyped-def]
    response = teams.post(task_invoke(teams.fake, who, "task_submit", data, panel))
    return response.status_code, (response.json() if response.content else None)


def trail(sessions: sessionmaker[Session]) -> list[tuple[str | None, object, object]]:
    with unit_of_work(sessions) as session:
        return [(e.key, e.old_value, e.new_value) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def chosen(sessions: sessionmaker[Session]) -> dict[str, Any]:
    with unit_of_work(sessions) as session:
        return dict(session.scalars(select(Workspace)).one().settings or {})


def tag_rules(sessions: sessionmaker[Session]) -> tuple[dict[str, str], dict[str, int]]:
    """The workspace's per-tag rules as the ladder and the verification rule read them: channels, days."""
    with unit_of_work(sessions) as session:
        space = session.scalars(select(Workspace)).one()
        routing = session.get(RoutingSettings, space.id)
        return dict((routing.tag_channels if routing else None) or {}), verification.tag_intervals(session, space.id)


def search(teams: TeamsHarness, who, text: str, dataset: str = "kbbot.channels:settings"  # type: ignore[no-untyped-def]
           ) -> list[dict[str, str]]:
    """``who`` types ``text`` in a channel field: the results of Teams' ``application/search`` invoke."""
    response = teams.post(search_invoke(teams.fake, who, text, dataset))
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "application/vnd.microsoft.search.searchResponse"
    return list(body["value"]["results"])


def texts(card: dict[str, Any]) -> list[str]:
    return [element["text"] for element in card["body"] if element.get("type") == "TextBlock"]


def test_alice_edits_the_settings_in_a_task_module_and_her_panel_card_shows_them(
        teams: TeamsHarness, sessions: sessionmaker[Session]) -> None:
    panel, body = open_form(teams)
    assert body["task"]["value"]["title"] == "kbbot settings"
    card = card_of(body)
    fields = inputs(card)
    assert fields["expert_notify"]["type"] == "Input.ChoiceSet" and fields["expert_notify"]["value"] == "thread"
    assert [c["title"] for c in fields["expert_notify"]["choices"]] == ["In the question's thread", "By direct message"]
    assert fields["digest_time"] == {"type": "Input.Time", "id": "digest_time", "label": "digest-time",
                                     "isRequired": True, "value": "09:00"}
    assert (fields["working_hours_from"]["value"], fields["working_hours_to"]["value"]) == ("09:00", "17:30")
    events = fields["retention_events_days"]
    assert events["type"] == "Input.Number" and (events["min"], events["max"], events["value"]) == (1, 7, "7")
    assert fields["retention_posts_days"]["isRequired"] is False and fields["retention_posts_days"]["value"] == ""
    assert fields["questions_channel"]["type"] == "Input.ChoiceSet"
    assert card["actions"][0]["title"] == "Save" and card["actions"][0]["data"] == {"kb_form": "settings"}

    mark = len(teams.fake.sent)
    status, answer = submit(teams, ALICE, filled(card, expert_notify="dm", digest_day="tue", digest_time="10:30",
                                                 retention_audit_days="365"), panel)
    assert status == 200 and not answer  # the task module closes
    assert chosen(sessions) == {"expert_notify": "dm", "digest_day": "tue", "digest_time": "10:30",
                                "retention_audit_days": 365}
    assert trail(sessions) == [("expert_notify", None, "dm"), ("digest_day", None, "tue"),
                               ("digest_time", None, "10:30"), ("retention_audit_days", None, 365)]
    [updated] = teams.seen_since(mark)
    assert updated.kind == "update" and updated.target_activity_id == panel  # the panel she pressed, anew
    shown = "\n".join(card_texts(updated))
    assert "Saved: expert-notify dm (was thread); digest-day tue (was mon)" in shown
    assert "digest-time: 10:30 (set here)" in shown


def test_bad_values_come_back_in_the_card_beside_their_fields_and_nothing_is_saved(
        teams: TeamsHarness, sessions: sessionmaker[Session]) -> None:
    panel, body = open_form(teams)
    card = card_of(body)
    status, answer = submit(teams, ALICE, filled(card, expert_notify="dm", working_hours_to="08:00",
                                                 retention_events_days="30", digest_time=""), panel)
    assert status == 200 and answer is not None
    again = card_of(answer)
    texts = [element.get("text") for element in again["body"] if element.get("type") == "TextBlock"]
    assert "09:00-08:00 are not working hours: use 09:00-17:00." in texts
    assert "30: use a number of days from 1 to 7." in texts and "Fill this in." in texts
    fields = inputs(again)
    assert fields["expert_notify"]["value"] == "dm" and fields["retention_events_days"]["value"] == "30"  # as typed
    assert chosen(sessions) == {} and trail(sessions) == []


def test_daan_reads_the_form_in_dutch(teams: TeamsHarness) -> None:
    _, body = open_form(teams, DAAN)
    assert body["task"]["value"]["title"] == "Instellingen van kbbot"
    fields = inputs(card_of(body))
    assert fields["digest_day"]["label"] == "samenvattingsdag"
    assert [c["title"] for c in fields["digest_day"]["choices"]][:2] == ["maandag", "dinsdag"]
    assert fields["questions_channel"]["placeholder"] == "Typ een deel van de naam van een openbaar kanaal"


def test_a_member_who_forges_the_submission_is_refused_and_nothing_changes(
        teams: TeamsHarness, sessions: sessionmaker[Session]) -> None:
    panel, body = open_form(teams)
    status, answer = submit(teams, BOB, filled(card_of(body), expert_notify="dm", welcome="off",
                                               new_tag="terraform", new_tag_days="30"), panel)
    assert status == 200
    assert answer == {"task": {"type": "message", "value": "Only workspace admins can change kbbot's settings."}}
    assert chosen(sessions) == {} and trail(sessions) == [] and tag_rules(sessions) == ({}, {})
    # Pressing the button himself opens only the refusal.
    response = teams.post(task_invoke(teams.fake, BOB, "task_fetch",
                                      {"msteams": {"type": "task/fetch"}, "kb_action": "kb_open_form",
                                       "kb_value": "settings"}, panel, BOB.personal_chat))
    assert response.json()["task"] == {"type": "message", "value": "Only workspace admins can change kbbot's settings."}


def test_alice_changes_and_adds_tag_rules_in_the_task_module_one_audit_entry_each(
        teams: TeamsHarness, sessions: sessionmaker[Session]) -> None:
    teams.post(channel_post(teams.fake, ALICE, "hello"))  # kbbot now knows #knowledge, a public channel
    teams.post(personal(teams.fake, ALICE, "admin set verify-every terraform 30"))
    panel, body = open_form(teams)
    card = card_of(body)
    fields = inputs(card)
    assert list(fields)[-5:] == ["tag_channel.terraform", "tag_days.terraform", "new_tag", "new_tag_channel",
                                 "new_tag_days"]
    assert "Rules per tag" in texts(card) and "Add a rule for a tag" in texts(card)
    channel = fields["tag_channel.terraform"]
    assert channel["type"] == "Input.ChoiceSet" and channel["isRequired"] is False and channel["value"] == ""
    assert channel["label"] == "#terraform: escalation channel"
    # Nothing chosen yet: only "default" to choose; the channels come as she types (Teams' typeahead).
    assert channel["choices"] == [{"title": "Default (not set)", "value": ""}]  # emptied: the workspace's default
    assert channel["style"] == "filtered" and channel["choices.data"]["type"] == "Data.Query"
    [knowledge] = [found["value"] for found in search(teams, ALICE, "KNOW", channel["choices.data"]["dataset"])]
    assert fields["tag_days.terraform"]["type"] == "Input.Number" and fields["tag_days.terraform"]["value"] == "30"

    mark = len(teams.fake.sent)
    status, answer = submit(teams, ALICE, filled(card, **{"tag_channel.terraform": knowledge,
                                                          "tag_days.terraform": "", "new_tag": "Postgres",
                                                          "new_tag_days": "90"}), panel)
    assert status == 200 and not answer  # the task module closes
    assert tag_rules(sessions) == ({"terraform": knowledge}, {"postgresql": 90})
    assert trail(sessions) == [("tag_verification_days", None, {"terraform": 30}),
                               ("tag_channel", None, {"terraform": knowledge}),
                               ("tag_verification_days", {"terraform": 30}, None),
                               ("tag_verification_days", None, {"postgresql": 90})]
    [updated] = teams.seen_since(mark)
    assert updated.kind == "update" and updated.target_activity_id == panel
    shown = "\n".join(card_texts(updated))
    assert "verify-every for #terraform 180 days (was 30 days); verify-every for #postgresql 90 days" in shown
    assert "#postgresql: 90 days" in shown
    # Opened again, the field shows the channel chosen, by name, as its one channel.
    shown = inputs(card_of(open_form(teams)[1]))["tag_channel.terraform"]
    assert shown["value"] == knowledge and shown["choices"] == [{"title": "Default (not set)", "value": ""},
                                                                 {"title": "#knowledge", "value": knowledge}]


def test_bad_tag_rules_come_back_in_the_card_beside_their_fields_and_nothing_is_saved(
        teams: TeamsHarness, sessions: sessionmaker[Session]) -> None:
    from teams_support import ids
    from teams_support.activities import PRIVATE_CHANNEL_ID

    members = {m["id"]: m for m in ids.DEFAULT_MEMBERS}
    teams.fake.set_roster(PRIVATE_CHANNEL_ID, [members[ids.ALICE_ID], members[ids.DAAN_ID]])
    teams.post(channel_post(teams.fake, ALICE, "hello", fixture="private_channel_mention"))
    teams.post(personal(teams.fake, ALICE, "admin set verify-every terraform 30"))
    before = trail(sessions)
    panel, body = open_form(teams)
    card = card_of(body)
    assert PRIVATE_CHANNEL_ID not in {c["value"] for c in inputs(card)["tag_channel.terraform"]["choices"]}
    status, answer = submit(teams, ALICE, filled(card, **{"tag_channel.terraform": PRIVATE_CHANNEL_ID,
                                                          "tag_days.terraform": "3651", "new_tag": "@here",
                                                          "new_tag_days": "14"}), panel)
    assert status == 200 and answer is not None
    again = card_of(answer)
    shown = texts(again)
    assert f"{PRIVATE_CHANNEL_ID} is not a public channel: unanswered questions are only reposted where everyone " \
           "may read them." in shown
    assert "3651: use a number of days from 1 to 3650." in shown
    assert "@\u2060here is not a tag." in shown  # what she typed, shown inert: no one is notified
    # Each error right under its field (and its hint), the card redrawn with what she typed.
    ids_in_order = [element.get("id") or element.get("text") for element in again["body"]]
    at = ids_in_order.index("tag_days.terraform")
    assert ids_in_order[at + 1:at + 3] == ["Days, from 1 to 3650; empty: the default, 180 days.",
                                           "3651: use a number of days from 1 to 3650."]
    assert inputs(again)["tag_days.terraform"]["value"] == "3651" and inputs(again)["new_tag"]["value"] == "@\u2060here"
    assert trail(sessions) == before and tag_rules(sessions) == ({}, {"terraform": 30})


def test_daan_adds_a_tag_rule_in_dutch(teams: TeamsHarness, sessions: sessionmaker[Session]) -> None:
    panel, body = open_form(teams, DAAN)
    card = card_of(body)
    assert "Een regel voor een tag toevoegen" in texts(card)
    status, answer = submit(teams, DAAN, filled(card, new_tag="k8s"), panel)
    assert "Kies een kanaal of een aantal dagen voor #kubernetes." in texts(card_of(answer))
    status, answer = submit(teams, DAAN, filled(card, new_tag="k8s", new_tag_days="60"), panel)
    assert status == 200 and not answer
    assert tag_rules(sessions) == ({}, {"kubernetes": 60})
    assert trail(sessions) == [("tag_verification_days", None, {"kubernetes": 60})]
