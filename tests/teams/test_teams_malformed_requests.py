"""Requests Teams would never send, or sends garbled: a clear 4xx or a clear message, never a 500."""

from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import func, select

from kbbot.store.db import unit_of_work
from kbbot.store.models import InboundEvent
from teams_support.activities import ALICE, personal
from teams_support.harness import TeamsHarness

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures


def _events(teams: TeamsHarness) -> int:
    with unit_of_work(teams.sessions) as session:
        return session.scalar(select(func.count()).select_from(InboundEvent)) or 0


MALFORMED = ["Bearer", "Bearer ", "Bearer    ", "Bearer not-a-jwt", "Bearer a.b.c", "Bearer ....",
             "Bearer " + "A" * 20000, "Basic YWxpY2U6c2VjcmV0", "bearer x.y.z", "Bearer \u00e9.\u00e9.\u00e9",
             "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."]


@pytest.mark.parametrize("header", MALFORMED, ids=lambda header: header[:20])
def test_a_malformed_authorization_header_is_401_never_500(teams: TeamsHarness, header: str) -> None:
    response = requests.post(teams.url, data=json.dumps(personal(teams.fake, ALICE, "help")),
                             headers={"Content-Type": "application/json", "Authorization": header.encode("latin-1")},
                             timeout=30)
    assert response.status_code in (400, 401)  # 400: aiohttp refuses a header longer than 8 KiB itself
    assert teams.fake.sent == [] and _events(teams) == 0


@pytest.mark.parametrize("field,value", [("timestamp", "yesterday"), ("timestamp", 12), ("from", "alice"),
                                         ("conversation", []), ("entities", "none")])
def test_a_malformed_activity_is_refused_with_a_4xx(teams: TeamsHarness, field: str, value: object) -> None:
    activity = personal(teams.fake, ALICE, "help")
    activity[field] = value
    response = teams.post(activity)
    assert response.status_code < 500
    assert _events(teams) == 0 or teams.fake.sent != []


def test_a_lone_surrogate_in_a_message_is_answered_with_a_notice(teams: TeamsHarness) -> None:
    body = json.dumps(personal(teams.fake, ALICE, "how do I deploy \ud800?"))
    assert "\\ud800" in body
    response = requests.post(teams.url, data=body, timeout=30, headers={
        "Content-Type": "application/json", "Authorization": teams.fake.channel_auth_header()})
    teams.idle()
    assert response.status_code in (200, 201, 202)
    assert "could not be read" in json.dumps([sent.activity for sent in teams.fake.sent])
