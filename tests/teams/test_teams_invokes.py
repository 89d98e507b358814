"""Invoke activities take the same shared turn on both SDKs, and its answer reaches Teams through either.

An ``invoke`` (a card action, a message extension's query or submit) is
answered in the HTTP response itself. Whatever kbbot answers is decided once,
in ``kbbot_adapters.teams.turns.Turns.invoke_reply``; each SDK only wraps it.
"""

from __future__ import annotations

import json

import pytest
import requests

from kbbot.pipeline import addresses
from kbbot_adapters.teams.turns import InvokeReply, Turns
from teams_support import ids
from teams_support.activities import ALICE, personal
from teams_support.harness import TeamsHarness

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures


def _invoke(teams: TeamsHarness, name: str) -> dict:
    activity = personal(teams.fake, ALICE, "")
    activity.pop("text", None)
    activity.update(type="invoke", name=name, value={"commandId": "searchKnowledge",
                                                     "parameters": [{"name": "query", "value": "release"}]})
    return activity


def _post(teams: TeamsHarness, activity: dict) -> requests.Response:
    response = requests.post(teams.url, data=json.dumps(activity), timeout=30, headers={
        "Content-Type": "application/json", "Authorization": teams.fake.channel_auth_header()})
    teams.idle()
    return response


def test_an_invoke_kbbot_does_not_answer_is_501_and_went_through_the_shared_turn(teams: TeamsHarness) -> None:
    response = _post(teams, _invoke(teams, "composeExtension/query"))
    assert response.status_code == 501
    assert teams.fake.sent == []
    # The shared turn ran: it stored Alice's personal chat, as for any activity from her.
    found = addresses.find(teams.sessions, "teams", ids.TENANT_ID, addresses.PERSON, ALICE.id)
    assert found is not None and found["conversation"]["id"] == ALICE.personal_chat


def test_the_shared_turns_invoke_answer_reaches_teams_unchanged(teams: TeamsHarness,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    answer = {"composeExtension": {"type": "result", "attachmentLayout": "list", "attachments": []}}
    seen: list[str] = []

    def reply(self: Turns, activity: dict, translation: object) -> InvokeReply | None:
        seen.append(activity["name"])
        return InvokeReply(200, answer) if activity.get("type") == "invoke" else None

    monkeypatch.setattr(Turns, "invoke_reply", reply)  # the one place invoke answers are made
    response = _post(teams, _invoke(teams, "composeExtension/query"))
    assert seen == ["composeExtension/query"]
    assert (response.status_code, response.json()) == (200, answer)
