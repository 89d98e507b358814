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
from teams_support.activities import ALICE, BOB, DAAN, personal, task_invoke
from teams_support.harness import TeamsHarness, card_actions, card_texts

from kbbot.config import Settings
from kbbot.store.db import unit_of_work
from kbbot.store.models import AuditEntry, Workspace

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


def test_a_member_who_forges_the_submission_is_refused_and_nothing_changes(
        teams: TeamsHarness, sessions: sessionmaker[Session]) -> None:
    panel, body = open_form(teams)
    status, answer = submit(teams, BOB, filled(card_of(body), expert_notify="dm", welcome="off"), panel)
    assert status == 200
    assert answer == {"task": {"type": "message", "value": "Only workspace admins can change kbbot's settings."}}
    assert chosen(sessions) == {} and trail(sessions) == []
    # Pressing the button himself opens only the refusal.
    response = teams.post(task_invoke(teams.fake, BOB, "task_fetch",
                                      {"msteams": {"type": "task/fetch"}, "kb_action": "kb_open_form",
                                       "kb_value": "settings"}, panel, BOB.personal_chat))
    assert response.json()["task"] == {"type": "message", "value": "Only workspace admins can change kbbot's settings."}
