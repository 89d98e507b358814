""""Save to kbbot" as a Teams message action, and newcomers added to a team, through the real botbuilder adapter.

Daan chooses "Save to kbbot" on Bob's reply in #knowledge: Teams invokes
``composeExtension/fetchTask`` and shows the task module kbbot answers
with; Daan submits it (``composeExtension/submitAction``) and the reply
becomes the accepted answer, credited to Bob (whom Teams names only by
his AAD object id in the payload). Every request carries a signed channel
token; what people see is what the bot sent to the fake Bot Connector.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import func, select

from kbbot.store.db import unit_of_work
from kbbot.store.models import Question, QuestionStatus, SavedThread, Welcome
from teams_support import ids
from teams_support.activities import ALICE, BOB, channel_post, personal
from teams_support.harness import TeamsHarness, card_texts, load

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures

LINK = ("https://teams.microsoft.com/l/message/19:chan0000knowledge0fake@thread.tacv2/1700000000200"
        "?groupId=6e6e6e6e-0000-4000-8000-000000000001&tenantId=7e7e7e7e-0000-4000-8000-000000000001"
        "&parentMessageId=1700000000001")


def invoke(teams: TeamsHarness, name: str, activity_id: str | None = None, **data: Any) -> tuple[int, dict[str, Any]]:
    activity = load(f"message_action_{name}", teams.fake)
    if activity_id:
        activity["id"] = activity_id
    if data:
        activity["value"]["data"] = {**activity["value"]["data"], **data}
    response = teams.post(activity)
    return response.status_code, response.json() if response.content else {}


def card_of(body: dict[str, Any]) -> dict[str, Any]:
    return body["task"]["value"]["card"]["content"]


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {element["id"]: element for element in card["body"] if "id" in element}


def questions(teams: TeamsHarness) -> list[Question]:
    with unit_of_work(teams.sessions) as session:
        found = list(session.scalars(select(Question)))
        for question in found:
            _ = question.asker, question.conversation, question.tags, [(a.author, a.is_accepted) for a in question.answers]
        return found


def test_daan_saves_bobs_reply_from_the_message_action(teams: TeamsHarness) -> None:
    status, body = invoke(teams, "fetch_task")
    assert status == 200 and body["task"]["type"] == "continue"
    assert body["task"]["value"]["title"] == "Save to kbbot"
    card = card_of(body)
    fields = inputs(card)
    assert fields["question"]["value"] == "" and fields["question"]["isRequired"] is True
    assert "Bob Example: Run vpnctl rotate --all, then restart the gateway." in "\n".join(
        block.get("text", "") for item in card["body"] for block in item.get("items", []))
    [submit] = card["actions"]
    assert submit["title"] == "Save" and submit["data"] == {"kb_save_root": "1700000000001",
                                                            "answer": "1700000000200"}

    mark = len(teams.fake.sent)
    status, body = invoke(teams, "submit")
    assert status == 200 and body == {}  # the task module closes

    [question] = questions(teams)
    assert question.text == "How do I rotate the VPN keys?" and question.status is QuestionStatus.ACCEPTED
    assert question.message_id == "1700000000001" and [t.name for t in question.tags] == ["vpn"]
    # Teams hands over the chosen reply only: the question is Daan's wording, the answer Bob's, by his Teams id.
    assert question.asker.external_id == ids.DAAN_ID
    [answer] = question.answers
    assert answer.author.external_id == ids.BOB_ID and answer.is_accepted
    assert answer.text == "Run vpnctl rotate --all, then restart the gateway."
    with unit_of_work(teams.sessions) as session:
        assert session.get(SavedThread, question.id).link == LINK  # type: ignore[union-attr]

    sent = teams.seen_since(mark)
    notes = [s for s in sent if s.conversation_id == ids.CHANNEL_THREAD_CONVERSATION_ID]
    assert len(notes) == 1 and notes[0].kind in ("reply", "send")
    assert any(f"Saved to the knowledge base by Daan de Vries as Q{question.id}" in text for text in card_texts(notes[0]))
    [private] = [s for s in sent if s is not notes[0] and s.kind != "create_conversation"]
    assert private.conversation_id == ids.DAAN_PERSONAL_CONVERSATION_ID
    assert any(f"Saved as Q{question.id}" in text for text in card_texts(private))

    invoke(teams, "submit", question="Rotating the VPN keys")  # Teams delivering the same invoke again: no change
    assert questions(teams)[0].text == "How do I rotate the VPN keys?"
    invoke(teams, "submit", "f:1fake-submit-again", question="Rotating the VPN keys")  # saved again: updated
    assert len([s for s in teams.seen_since(mark) if s.conversation_id == ids.CHANNEL_THREAD_CONVERSATION_ID]) == 1
    [again] = questions(teams)
    assert again.id == question.id and again.text == "Rotating the VPN keys"
    status, body = invoke(teams, "fetch_task")
    assert inputs(card_of(body))["question"]["value"] == "Rotating the VPN keys"
    assert "saved before as Q" in card_texts_of(card_of(body))


def card_texts_of(card: dict[str, Any]) -> str:
    return "\n".join(str(element.get("text", "")) for element in card["body"])


def test_an_empty_question_is_refused_in_the_task_module_and_nothing_is_saved(teams: TeamsHarness) -> None:
    status, body = invoke(teams, "submit", question="  ", tags="<at>Bob</at>")
    assert status == 200 and body["task"]["type"] == "continue"
    texts = card_texts_of(card_of(body))
    assert "Write the question." in texts and "is not a tag" in texts
    assert inputs(card_of(body))["tags"]["value"] != "<at>Bob</at>"  # shown inert, never a mention
    assert questions(teams) == []


def test_the_action_on_a_question_itself_explains_where_to_use_it(teams: TeamsHarness) -> None:
    activity = load("message_action_fetch_task", teams.fake)
    payload = activity["value"]["messagePayload"]
    payload.update(id="1700000000001", replyToId=None)
    body = teams.post(activity).json()
    # The team gave kbbot no Graph access (the fake's Graph answers 403): it says so, after where to use it.
    assert body["task"] == {"type": "message",
                            "value": "Use Save to kbbot on the reply that answers the question, not on the question "
                                     "itself. kbbot can't list the other replies in this thread: it isn't allowed to "
                                     "read them here. Whoever runs kbbot can give it access to this team's channel "
                                     "messages."}


def test_a_dutch_colleague_gets_the_task_module_in_dutch(teams: TeamsHarness) -> None:
    activity = load("message_action_fetch_task", teams.fake)
    activity["locale"] = "nl-NL"
    activity["entities"][0]["locale"] = "nl-NL"
    body = teams.post(activity).json()
    assert body["task"]["value"]["title"] == "Opslaan in kbbot"
    assert inputs(card_of(body))["question"]["label"] == "Vraag"


def test_a_forged_invoke_is_refused(teams: TeamsHarness) -> None:
    activity = load("message_action_submit", teams.fake)
    assert teams.post(activity, authorization=None).status_code == 401
    assert teams.post(activity, authorization="Bearer not-a-token").status_code == 401
    assert questions(teams) == []


def test_a_person_added_to_the_team_is_welcomed_once(teams: TeamsHarness) -> None:
    teams.post(channel_post(teams.fake, ALICE, "help"))  # a message says #knowledge is a standard (public) channel
    invoke(teams, "submit")  # something the team already knows
    mark = len(teams.fake.sent)
    added = load("team_member_added", teams.fake)
    teams.post(added)
    again = copy.deepcopy(added)
    again["id"] = "f:1fake-member-added-again"
    teams.post(again)  # added to a second channel, or the team again
    created = [s for s in teams.seen_since(mark) if s.kind == "create_conversation"]
    assert len(created) == 1
    texts = "\n".join(card_texts(created[0]) or [])
    sent_to_nina = [s for s in teams.seen_since(mark) if s.kind == "send"]
    texts += "\n".join(text for s in sent_to_nina for text in card_texts(s))
    assert "Welcome! I'm kbbot." in texts  # Teams names nobody in membersAdded: no platform id instead of a name
    assert "ask <question>" in texts and "/ask" not in texts  # words, not slash commands
    assert "rotate the VPN keys" in texts  # the team's knowledge so far
    with unit_of_work(teams.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Welcome)) == 1


def test_the_teams_manifest_declares_the_message_action() -> None:
    import json
    from pathlib import Path

    from kbbot_adapters.teams import translate

    manifest = json.loads((Path(__file__).resolve().parents[2] / "adapters/teams/manifest.json").read_text())
    [extension] = manifest["composeExtensions"]
    assert extension["botId"] == manifest["bots"][0]["botId"]
    [command] = extension["commands"]
    assert command["id"] == translate.SAVE_COMMAND and command["type"] == "action"
    assert command["context"] == ["message"] and command["fetchTask"] is True


def test_a_private_channels_reply_saved_stays_with_its_members(teams: TeamsHarness) -> None:
    """Daan saves Bob's reply in #incident-response (private): Alice, outside it, never finds it."""
    secret = "19:chan0000secret0fake@thread.tacv2"
    teams.fake.set_roster(secret, [member for member in ids.DEFAULT_MEMBERS if member["id"] != ids.ALICE_ID])
    activity = load("message_action_submit", teams.fake)
    activity["conversation"]["id"] = f"{secret};messageid=1700000000001"
    activity["channelData"]["channel"] = {"id": secret, "name": "incident-response", "type": "private"}
    activity["value"]["messagePayload"]["linkToMessage"] = None
    mark = len(teams.fake.sent)
    assert teams.post(activity).status_code == 200
    [question] = questions(teams)
    assert question.conversation.kind.value == "private"
    notes = [s for s in teams.seen_since(mark) if s.kind != "create_conversation"
             and s.conversation_id not in (ids.DAAN_PERSONAL_CONVERSATION_ID,)]
    assert {s.conversation_id for s in notes} == {f"{secret};messageid=1700000000001"}  # the thread, nowhere else

    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, ALICE, "search vpn keys"))
    shown = "\n".join(text for s in teams.seen_since(mark) for text in card_texts(s))
    assert "vpnctl" not in shown and "rotate the VPN keys" not in shown
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, BOB, "search vpn keys"))
    shown = "\n".join(text for s in teams.seen_since(mark) for text in card_texts(s))
    assert "rotate the VPN keys" in shown
