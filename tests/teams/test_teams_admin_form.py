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
from sqlalchemy.orm import Session, sessionmaker
from teams_support.activities import ALICE, BOB, DAAN, channel_post, personal, search_invoke, task_invoke
from teams_support.harness import TeamsHarness, card_actions, card_texts

from admin_state import chosen, tag_rules, trail
from kbbot.config import Settings
from kbbot.store.db import unit_of_work

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





def search(teams: TeamsHarness, who, text: str, dataset: str = "kbbot.channels:settings",  # type: ignore[no-untyped-def]
           skip: int = 0) -> list[dict[str, str]]:
    """``who`` types ``text`` in a channel field: the results of Teams' ``application/search`` invoke."""
    response = teams.post(search_invoke(teams.fake, who, text, dataset, skip=skip))
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


# -- A workspace with many channels: the channel fields search as the admin types (Teams' typeahead) ----------

TEAMS_LIMIT = 28 * 1024
"""Teams refuses a card over 28 KB ("The message size limit is 28 KB", learn.microsoft.com/microsoftteams/
platform/webhooks-and-connectors/how-to/add-incoming-webhook)."""
WORDS = ("sales", "support", "ops", "design", "finance")


def channel_id(number: int, secret: bool = False) -> str:
    """A channel id as long as Teams writes them (``19:`` + 32 hex digits + ``@thread.tacv2``)."""
    return f"19:{'5ec7' if secret else 'c4a1'}{number:028x}@thread.tacv2"


def known_channels(sessions: sessionmaker[Session], count: int) -> None:
    """kbbot has met ``count`` public channels of the tenant (named ``<word>-<number>``) and two private ones
    whose names would match the same searches."""
    from datetime import datetime, timezone

    from teams_support import ids

    from kbbot.contract.events import Place
    from kbbot.services import directory

    now = datetime(2026, 11, 20, tzinfo=timezone.utc)
    with unit_of_work(sessions) as session:
        space = directory.workspace(session, "teams", ids.TENANT_ID, None, now)
        for number in range(count):
            directory.conversation(session, space, Place(id=channel_id(number), kind="channel",
                                                         name=f"{WORDS[number % 5]}-{number:03}"), now)
        for number, name in enumerate(("ops-incident-secret", "sales-board")):
            directory.conversation(session, space, Place(id=channel_id(number, secret=True), kind="private",
                                                         name=name), now)


def test_with_fifteen_tag_rules_and_300_channels_the_task_module_stays_under_teams_limit(
        teams: TeamsHarness, sessions: sessionmaker[Session]) -> None:
    known_channels(sessions, 300)
    for number in range(15):
        teams.post(personal(teams.fake, ALICE, f"admin set escalation topic-{number:02} {channel_id(number * 7)}"))
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, ALICE, "admin"))
    (panel,) = teams.seen_since(mark)
    [edit] = [a for a in card_actions(panel) if a["title"] == "Edit settings"]
    response = teams.post(task_invoke(teams.fake, ALICE, "task_fetch", edit["data"], panel.assigned_id))
    assert response.status_code == 200
    assert len(response.content) < TEAMS_LIMIT  # the JSON Teams gets, as sent
    card = card_of(response.json())
    assert card["version"] == "1.5"
    fields = inputs(card)
    channels = [element for element in fields.values() if "choices.data" in element]
    assert [element["id"] for element in channels] == (["questions_channel"] + [
        f"tag_channel.topic-{number:02}" for number in range(15)] + ["new_tag_channel"])
    for element in channels:
        assert element["type"] == "Input.ChoiceSet" and element["style"] == "filtered"
        assert element["choices.data"] == {"type": "Data.Query", "dataset": "kbbot.channels:settings"}
    # Each shows the channel in force (by name) as its one channel, beside the way back to the default.
    assert fields["tag_channel.topic-03"]["value"] == channel_id(21)
    assert fields["tag_channel.topic-03"]["choices"] == [{"title": "Default (not set)", "value": ""},
                                                         {"title": "#support-021", "value": channel_id(21)}]
    assert fields["questions_channel"]["choices"] == [{"title": "not set", "value": ""}]
    assert fields["questions_channel"]["placeholder"] == "Type part of a public channel's name"


def test_the_typeahead_offers_matching_public_channels_never_a_private_one(
        teams: TeamsHarness, sessions: sessionmaker[Session]) -> None:
    known_channels(sessions, 300)
    open_form(teams)
    found = search(teams, ALICE, "OPS")
    assert len(found) == 15  # Teams shows 15 at most
    assert found[0] == {"title": "#ops-002", "value": channel_id(2)}  # names starting with it first, by name
    assert all(result["title"].startswith("#ops-") for result in found)
    assert channel_id(0, secret=True) not in {result["value"] for result in found}
    # Typed further, the private #ops-incident-secret still never shows; a word inside a name matches too.
    assert search(teams, ALICE, "incident") == []
    assert search(teams, ALICE, "021") == [{"title": "#support-021", "value": channel_id(21)}]
    assert [result["title"] for result in search(teams, ALICE, "#sales-00")] == ["#sales-000", "#sales-005"]
    assert search(teams, ALICE, "board") == []  # the private #sales-board
    # Teams pages with skip: the next page goes on where the first ended.
    second = search(teams, ALICE, "ops", skip=15)
    assert second[0]["title"] == "#ops-077" and not {r["value"] for r in second} & {r["value"] for r in found}
    assert search(teams, ALICE, "nothing-like-it") == []


def test_a_member_searching_channels_gets_nothing(teams: TeamsHarness, sessions: sessionmaker[Session]) -> None:
    known_channels(sessions, 30)
    assert search(teams, BOB, "ops") == [] and search(teams, BOB, "") == []
    assert len(search(teams, ALICE, "")) == 15  # the same search, for an admin
    assert search(teams, ALICE, "ops", dataset="someone-elses:settings") == []  # not kbbot's dataset
    odd = search_invoke(teams.fake, ALICE, "ops")
    odd["value"]["queryOptions"] = {"skip": -3, "top": 500}  # out of range: read as the first page of 15
    assert len(teams.post(odd).json()["value"]["results"]) == 6  # the 6 public #ops-… of 30 channels
    odd["value"] = "not an object"
    assert teams.post(odd).json()["value"]["results"] == []


def test_a_channel_chosen_through_the_typeahead_is_saved(
        teams: TeamsHarness, sessions: sessionmaker[Session]) -> None:
    known_channels(sessions, 300)
    panel, body = open_form(teams, DAAN)
    card = card_of(body)
    [chosen_channel] = search(teams, DAAN, "design-293")
    assert chosen_channel == {"title": "#design-293", "value": channel_id(293)}
    status, answer = submit(teams, DAAN, filled(card, questions_channel=chosen_channel["value"],
                                                new_tag="k8s", new_tag_channel=channel_id(1)), panel)
    assert status == 200 and not answer
    assert chosen(sessions) == {"questions_channel": channel_id(293)}
    assert tag_rules(sessions) == ({"kubernetes": channel_id(1)}, {})
    # The form opened again shows them by name.
    fields = inputs(card_of(open_form(teams, DAAN)[1]))
    assert fields["questions_channel"]["choices"][1:] == [{"title": "#design-293", "value": channel_id(293)}]
    assert fields["tag_channel.kubernetes"]["choices"][1:] == [{"title": "#support-001", "value": channel_id(1)}]
