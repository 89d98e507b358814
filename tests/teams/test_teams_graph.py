"""What kbbot learns from Microsoft Graph on Teams: who owns a team, and a reply chain for "Save to kbbot".

Through the real adapter on both SDKs, with signed channel tokens; the fake
Microsoft plays Azure AD's token endpoint and Graph (``fake_graph.py``), its
answers the JSON Microsoft documents (``tests/fixtures/teams/graph_*.json``).
Engineering consented to kbbot's resource-specific permissions only where a
test sets the team up in the fake's Graph; elsewhere Graph answers 403.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.db import unit_of_work
from kbbot.store.models import AuditEntry, Question, QuestionStatus, Workspace
from teams_support import ids
from teams_support.activities import ALICE, BOB, DAAN, Person, channel_post, personal
from teams_support.fake_graph import GRAPH_SCOPE
from teams_support.harness import FIXTURES, TeamsHarness, card_actions, card_texts, load

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures

GROUP = ids.TEAM_AAD_GROUP_ID
ROOT = ids.ROOT_MESSAGE_ID
BOBS_ANSWER = "1700000000200"


def graph_fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"graph_{name}.json").read_text(encoding="utf-8"))


def consented(teams: TeamsHarness, replies: list[dict[str, Any]] | None = None) -> None:
    """Engineering added kbbot with its permissions: Graph knows its members and #knowledge's thread."""
    found = graph_fixture("channel_replies")["value"] if replies is None else replies
    teams.fake.set_graph_team(GROUP, graph_fixture("team_members")["value"],
                              [(ids.CHANNEL_ID, graph_fixture("channel_message"), found)])


def said_in_channel(teams: TeamsHarness, who: Person, text: str) -> str:
    """``who`` @mentions kbbot in #knowledge; what kbbot showed them (its private answers go to their chat)."""
    mark = len(teams.fake.sent)
    teams.post(channel_post(teams.fake, who, text))
    return "\n".join(text for item in teams.seen_since(mark) for text in card_texts(item))


def said_in_chat(teams: TeamsHarness, who: Person, text: str) -> str:
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, who, text))
    return "\n".join(text for item in teams.seen_since(mark) for text in card_texts(item))


def digest_day(teams: TeamsHarness) -> str | None:
    with unit_of_work(teams.sessions) as session:
        return (session.scalars(select(Workspace)).one().settings or {}).get("digest_day")


def graph_tokens(teams: TeamsHarness) -> list[Any]:
    return [request for request in teams.fake.token_requests if request.scope == GRAPH_SCOPE]


# -- team owners administer kbbot in their team's channels (issue 18) ---------------------------------

def test_the_teams_owner_changes_a_setting_in_its_channel_and_nobody_else_does(teams: TeamsHarness) -> None:
    consented(teams)
    assert "Only workspace admins" in said_in_channel(teams, BOB, "admin set digest-day tue")  # a member
    assert digest_day(teams) is None

    shown = said_in_channel(teams, ALICE, "admin set digest-day tue")
    assert "digest-day is now tue for this workspace (was mon)." in shown
    assert digest_day(teams) == "tue"
    with unit_of_work(teams.sessions) as session:
        (entry,) = session.scalars(select(AuditEntry)).all()
        assert entry.key == "digest_day" and entry.new_value == "tue"

    # Everyone's data is the organisation's: retention stays with the workspace's admins.
    refused = said_in_channel(teams, ALICE, "admin set retention-events 30")
    assert "only the workspace's admins can change it, not a team's owners" in refused

    # Her panel says how she changes things, with no buttons: they would be pressed in her personal chat.
    mark = len(teams.fake.sent)
    teams.post(channel_post(teams.fake, ALICE, "admin"))
    panel = "\n".join(text for item in teams.seen_since(mark) for text in card_texts(item))
    assert "digest-day: tue (set here)" in panel
    assert "As an owner of this team you change a setting by typing `admin set <setting> <value>` in its" in panel
    assert not [action for item in teams.seen_since(mark) for action in card_actions(item)]

    # Owning a team counts in that team only: in her personal chat she is nobody's admin.
    assert "Only workspace admins" in said_in_chat(teams, ALICE, "admin set digest-day wed")
    assert digest_day(teams) == "tue"

    # Graph was asked about each person by their AAD object id, as documented, with a Graph token.
    asked = [call for call in teams.fake.graph_calls if call.path.endswith(f"/teams/{GROUP}/members")]
    assert {call.query["$filter"] for call in asked} == {
        f"(microsoft.graph.aadUserConversationMember/userId eq '{ALICE.aad}')",
        f"(microsoft.graph.aadUserConversationMember/userId eq '{BOB.aad}')"}
    # One question per person for a while, and one Graph token for all of them.
    assert len(asked) == 2 and len(graph_tokens(teams)) == 1
    assert graph_tokens(teams)[0].path == f"/{ids.TENANT_ID}/oauth2/v2.0/token"


def test_a_dutch_owner_is_told_in_dutch(teams: TeamsHarness) -> None:
    members = graph_fixture("team_members")["value"]
    for member in members:
        member["roles"] = ["owner"] if member["userId"] == DAAN.aad else []
    teams.fake.set_graph_team(GROUP, members)
    assert "samenvattingsdag is nu tue voor deze werkruimte" in said_in_channel(
        teams, DAAN, "beheer zet samenvattingsdag di")
    assert "alleen de beheerders van de werkruimte kunnen dit wijzigen" in said_in_channel(
        teams, DAAN, "beheer zet bewaren-gebeurtenissen 30")


def test_without_graph_an_owner_is_not_known_and_nothing_is_granted(teams: TeamsHarness) -> None:
    # The team gave no consent: Graph answers 403, and is believed for a minute rather than asked each time.
    assert "Only workspace admins" in said_in_channel(teams, BOB, "admin set digest-day tue")
    assert "Only workspace admins" in said_in_channel(teams, BOB, "admin")
    assert [call.status for call in teams.fake.graph_calls] == [403]

    # Consent given, but Graph is down for longer than kbbot waits: still not known, still refused.
    consented(teams)
    teams.fake.fail_next(3, status=503, retry_after=0, route="graph")
    assert "Only workspace admins" in said_in_channel(teams, ALICE, "admin set digest-day tue")
    assert digest_day(teams) is None

    # A failure is not remembered: the next command asks again and Graph answers.
    assert "digest-day is now tue" in said_in_channel(teams, ALICE, "admin set digest-day tue")


def test_graph_switched_off_is_never_asked(fake, settings, sessions) -> None:  # type: ignore[no-untyped-def]
    from teams_support.harness import teams_settings

    teams = TeamsHarness(fake, settings, sessions, teams_settings(fake, graph="false")).start()
    try:
        consented(teams)
        assert "Only workspace admins" in said_in_channel(teams, ALICE, "admin set digest-day tue")
        status, body = fetch(teams)
        assert "it isn't allowed to read them here" in notice_of(body)
        assert teams.fake.graph_calls == [] and graph_tokens(teams) == []
    finally:
        teams.stop()


def test_a_throttled_graph_is_asked_again_after_retry_after(teams: TeamsHarness) -> None:
    consented(teams)
    teams.fake.fail_next(1, status=429, retry_after=0, route="graph",
                         body={"error": {"code": "TooManyRequests", "message": "Too many requests"}})
    assert "digest-day is now tue" in said_in_channel(teams, ALICE, "admin set digest-day tue")
    assert [call.status for call in teams.fake.graph_calls] == [429, 200]


# -- "Save to kbbot" reads the whole reply chain (issue 14) --------------------------------------------

def fetch(teams: TeamsHarness, **payload: Any) -> tuple[int, dict[str, Any]]:
    activity = load("message_action_fetch_task", teams.fake)
    activity["value"]["messagePayload"].update(payload)
    response = teams.post(activity)
    return response.status_code, response.json()


def submit(teams: TeamsHarness, **data: Any) -> int:
    activity = load("message_action_submit", teams.fake)
    activity["value"]["data"] = {**activity["value"]["data"], **data}
    return teams.post(activity).status_code


def card_of(body: dict[str, Any]) -> dict[str, Any]:
    return body["task"]["value"]["card"]["content"]


def inputs(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {element["id"]: element for element in card_of(body)["body"] if "id" in element}


def notice_of(body: dict[str, Any]) -> str:
    if body["task"]["type"] == "message":
        return str(body["task"]["value"])
    return str(card_of(body)["body"][0]["text"])


def saved(teams: TeamsHarness) -> list[Question]:
    with unit_of_work(teams.sessions) as session:
        found = list(session.scalars(select(Question)))
        for question in found:
            _ = question.asker, question.tags, [(a.author, a.is_accepted) for a in question.answers]
        return found


def test_the_form_offers_every_reply_of_the_chain_and_credits_their_authors(teams: TeamsHarness) -> None:
    consented(teams)
    status, body = fetch(teams)
    assert status == 200
    fields = inputs(body)
    # The question is the chain's first post, as Alice wrote it; its #tag is suggested.
    assert fields["question"]["value"] == "How do I rotate the VPN keys? The old ones expire on Friday. #vpn"
    assert fields["tags"]["value"] == "#vpn"
    # Every person's reply is a choice (not kbbot's card, not the deleted one), Bob's liked one chosen.
    assert [(c["value"], c["title"]) for c in fields["answer"]["choices"]] == [
        ("1700000000150", "Daan de Vries: Ik denk dat Bob Example dit weet, hij deed het vorige keer."),
        (BOBS_ANSWER, "Bob Example: Run vpnctl rotate --all, then restart the gateway."),
        ("1700000000250", "Alice Example: Thanks and Bob, that worked & the gateway is back.")]
    assert fields["answer"]["value"] == BOBS_ANSWER
    assert "can't list" not in notice_of(body)

    # Daan picks Alice's own summary instead: the question is credited to Alice, the answer too.
    assert submit(teams, answer="1700000000250", question="How do I rotate the VPN keys?") == 200
    [question] = saved(teams)
    assert question.asker.external_id == ids.ALICE_ID  # the chain's author, not Daan who saved it
    assert question.status is QuestionStatus.ACCEPTED and [t.name for t in question.tags] == ["vpn"]
    [answer] = question.answers
    assert answer.author.external_id == ids.ALICE_ID and answer.message_id == "1700000000250"
    assert answer.text == "Thanks and Bob, that worked & the gateway is back."

    # Saved again choosing Bob's reply: Bob's answer is the accepted one now.
    activity = load("message_action_submit", teams.fake)
    activity["id"] = "f:1fake-submit-again"
    activity["value"]["data"]["answer"] = BOBS_ANSWER
    teams.post(activity)
    [again] = saved(teams)
    accepted = [a for a in again.answers if a.is_accepted]
    assert [a.author.external_id for a in accepted] == [ids.BOB_ID]


def test_a_reply_deleted_while_the_form_was_open_is_not_saved(teams: TeamsHarness) -> None:
    replies = graph_fixture("channel_replies")["value"]
    consented(teams, replies)
    fetch(teams)
    replies[-1]["deletedDateTime"] = "2026-11-25T09:45:00.000Z"  # Alice deletes her thanks
    consented(teams, replies)
    mark = len(teams.fake.sent)
    assert submit(teams, answer="1700000000250") == 200
    assert saved(teams) == []
    told = "\n".join(text for item in teams.seen_since(mark) for text in card_texts(item))
    assert "The reply you chose is no longer in the thread, so nothing was saved." in told


def test_the_action_on_the_question_itself_offers_its_replies(teams: TeamsHarness) -> None:
    consented(teams)
    status, body = fetch(teams, id=ROOT, replyToId=None,
                         **{"from": {"user": {"userIdentityType": "aadUser", "id": ALICE.aad,
                                              "displayName": ALICE.name}, "application": None, "device": None}})
    assert body["task"]["type"] == "continue"
    assert [c["value"] for c in inputs(body)["answer"]["choices"]] == ["1700000000150", BOBS_ANSWER, "1700000000250"]


def test_a_long_chain_is_read_page_by_page(teams: TeamsHarness) -> None:
    template = graph_fixture("channel_replies")["value"][3]  # Bob's answer
    replies = []
    for number in range(60):
        reply = copy.deepcopy(template)
        reply["id"] = str(1_700_000_001_000 + number)
        reply["createdDateTime"] = f"2026-11-25T10:{number:02d}:00.000Z"
        reply["body"]["content"] = f"<p>Attempt {number}</p>"
        reply["reactions"] = []
        replies.append(reply)
    consented(teams, replies)
    status, body = fetch(teams, id=replies[-1]["id"])
    titles = [c["title"] for c in inputs(body)["answer"]["choices"]]
    assert len(titles) == 60 and titles[0] == "Bob Example: Attempt 0" and titles[-1] == "Bob Example: Attempt 59"
    pages = [call for call in teams.fake.graph_calls if call.path.endswith("/replies")]
    assert [call.query.get("$skiptoken") for call in pages] == [None, "50"]


def test_graph_down_keeps_the_chosen_reply_and_says_why_the_others_are_missing(teams: TeamsHarness) -> None:
    consented(teams)
    teams.fake.fail_next(3, status=503, retry_after=0, route="graph")
    status, body = fetch(teams)
    assert "they couldn't be read just now. Try again in a minute" in notice_of(body)
    assert "answer" not in inputs(body)  # the one reply Teams handed over is the answer, shown, not chosen
    assert "Bob Example: Run vpnctl rotate --all" in json.dumps(card_of(body))

    teams.fake.fail_next(3, status=503, retry_after=0, route="graph")
    assert submit(teams) == 200  # saved from what Teams handed over, as before
    [question] = saved(teams)
    assert question.asker.external_id == ids.DAAN_ID and question.answers[0].author.external_id == ids.BOB_ID


def test_the_reason_is_given_in_dutch(teams: TeamsHarness) -> None:
    activity = load("message_action_fetch_task", teams.fake)
    activity["locale"] = "nl-NL"
    activity["entities"][0]["locale"] = "nl-NL"
    body = teams.post(activity).json()
    assert "kbbot kan de andere antwoorden in deze thread niet tonen: het mag ze hier niet lezen." in notice_of(body)


def test_the_manifest_asks_for_the_permissions_graph_needs() -> None:
    manifest = json.loads((Path(__file__).resolve().parents[2] / "adapters/teams/manifest.json").read_text())
    assert int(manifest["manifestVersion"].split(".")[1]) >= 12  # resource-specific consent in the manifest
    granted = {(p["name"], p["type"]) for p in manifest["authorization"]["permissions"]["resourceSpecific"]}
    assert {("TeamMember.Read.Group", "Application"), ("ChannelMessage.Read.Group", "Application")} <= granted
    assert manifest["webApplicationInfo"]["id"] == manifest["bots"][0]["botId"]
