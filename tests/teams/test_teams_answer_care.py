"""Answer owners, verification, leavers and guests on Teams: the real botbuilder adapter, a fake Bot Connector.

Teams has no slash commands: people type ``verify 1`` to the bot. A member
removed from the team (``conversationUpdate``, ``teamMemberRemoved``) has left:
their answers stay theirs, and the remaining expert looks after them. A member
added whose ``userRole`` Teams reports as ``guest`` sees only what they are in.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from sqlalchemy import select

from kbbot.store.db import unit_of_work
from kbbot.store.models import Answer, Person
from teams_support import ids
from teams_support.activities import ALICE, BOB, DAAN, personal
from teams_support.harness import TeamsHarness, card_texts, fresh_id, load
from test_teams_conversations import _answer, _ask_in_channel, _press, _texts

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures

TODAY = datetime.now(UTC).date().isoformat()
ERIN_ID = "29:1erin-fake-teams-guest-id"


def _say(teams: TeamsHarness, activity: dict[str, Any]) -> str:
    mark = len(teams.fake.sent)
    assert teams.post(activity).status_code in (200, 201, 202)
    return _texts(teams.seen_since(mark))


def _accepted(teams: TeamsHarness) -> None:
    root, _ = _ask_in_channel(teams)
    _, sent = _answer(teams, root)
    _press(teams, ALICE, sent[-1], "✅ Accept")


def _team_member(teams: TeamsHarness, event_type: str, member_id: str) -> None:
    activity = load("team_install", teams.fake, id=fresh_id())
    activity["channelData"] = {**copy.deepcopy(activity["channelData"]), "eventType": event_type}
    activity.pop("membersAdded", None)
    activity["membersRemoved" if event_type == "teamMemberRemoved" else "membersAdded"] = [
        {"id": member_id, "aadObjectId": "00000000-0000-4000-8000-0000000000ee"}]
    assert teams.post(activity).status_code in (200, 201, 202)


def test_verification_shows_in_teams_search_and_needs_rights(teams: TeamsHarness) -> None:
    _accepted(teams)
    assert f"niet bevestigd sinds {TODAY}" in _say(teams, personal(teams.fake, DAAN, "zoek vpn certificate"))
    refused = _say(teams, personal(teams.fake, DAAN, "bevestig 1"))
    assert "Alleen de eigenaar van het antwoord of een expert" in refused
    done = _say(teams, personal(teams.fake, BOB, "verify 1"))
    assert "answer 1 is marked still right" in done and "/kb" not in done
    assert f"✔ bevestigd door Bob Example, {TODAY}" in _say(teams, personal(teams.fake, DAAN, "zoek vpn certificate"))


def test_a_member_removed_from_the_team_leaves_their_answers_to_the_remaining_expert(teams: TeamsHarness) -> None:
    _accepted(teams)
    _say(teams, personal(teams.fake, DAAN, "expertise add vpn"))
    _team_member(teams, "teamMemberRemoved", ids.BOB_ID)
    with unit_of_work(teams.sessions) as session:
        bob, daan = (session.scalars(select(Person).where(Person.external_id == who)).one()
                     for who in (ids.BOB_ID, ids.DAAN_ID))
        answer = session.get(Answer, 1)
        assert answer.author_id == bob.id and bob.left_at is not None
        assert answer.care.owner_id == daan.id and answer.care.handed_over_because == "left"
    assert "Bob Example" in _say(teams, personal(teams.fake, ALICE, "search vpn certificate"))  # still his words


def test_a_guest_added_to_the_team_is_recognised_and_sees_only_where_they_are(teams: TeamsHarness) -> None:
    _accepted(teams)
    guest = {**ids.teams_account(ERIN_ID, "e0e0e0e0-0000-4000-8000-000000000005", "Erin Guest",
                                 "erin@partner.test"), "userRole": "guest"}
    teams.fake.add_member(guest, ids.TEAM_ID)
    _team_member(teams, "teamMemberAdded", ERIN_ID)
    with unit_of_work(teams.sessions) as session:
        erin = session.scalars(select(Person).where(Person.external_id == ERIN_ID)).one()
        assert erin.is_guest
    # Erin has not been in the knowledge channel: its question is not hers to see.
    from teams_support.activities import Person as TeamsPerson
    erin = TeamsPerson(ERIN_ID, "e0e0e0e0-0000-4000-8000-000000000005", "Erin Guest", "a:1personal-chat-erin-fake-id")
    assert "vpnctl" not in _say(teams, personal(teams.fake, erin, "search vpn certificate"))
    assert any(unquote(call.path).endswith(f"/members/{ERIN_ID}") for call in teams.fake.connector_calls)
    # A colleague who is no guest, equally new to that channel, finds it: the difference is the guest rule.
    frank = TeamsPerson("29:1frank-fake-teams-user-id", "f0f0f0f0-0000-4000-8000-000000000006", "Frank Colleague",
                        "a:1personal-chat-frank-fake-id")
    assert "vpnctl" in _say(teams, personal(teams.fake, frank, "search vpn certificate"))
