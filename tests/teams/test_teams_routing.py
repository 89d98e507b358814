"""An expert's invitation in Teams: its Adaptive Card buttons pressed through the real botbuilder adapter.

Bob and Daan declared #vpn; with one invitation at posting Bob is mentioned
in the question's reply chain with "I'll take it", "Not me" and "Snooze".
Bob presses "Not me" (an ``Action.Submit`` invoke, signed): Daan is
brought in at once. Daan presses "I'll take it": the card in the chain is
updated in place to say he is on it.
"""

from __future__ import annotations

from sqlalchemy import select

from kbbot.store.db import unit_of_work
from kbbot.store.models import Invitation, InvitationState, Person
from teams_support import ids
from teams_support.activities import ALICE, BOB, DAAN, channel_post, personal, submit
from teams_support.harness import TeamsHarness, card_actions, card_texts

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures


def _press(teams: TeamsHarness, who, card, title: str) -> list:
    """``who`` presses ``title`` on a card kbbot posted in a channel's reply chain (a channel's submit activity)."""
    action = next(a for a in card_actions(card) if a["title"] == title)
    activity = submit(teams.fake, who, action["data"], card.assigned_id, card.conversation_id)
    in_channel = channel_post(teams.fake, who, "")
    activity["conversation"] = {**in_channel["conversation"], "id": card.conversation_id}
    activity["channelData"] = in_channel["channelData"]
    mark = len(teams.fake.sent)
    teams.post(activity)
    return teams.seen_since(mark)


def _texts(sent: list) -> str:
    return "\n".join(text for item in sent for text in card_texts(item))


def test_not_me_brings_in_the_next_expert_who_takes_it(teams: TeamsHarness) -> None:
    teams.settings.routing_first_invites = 1
    teams.post(personal(teams.fake, BOB, "expertise add vpn"))
    teams.post(personal(teams.fake, DAAN, "expertise add vpn"))
    mark = len(teams.fake.sent)
    post = channel_post(teams.fake, ALICE, "ask How do I rotate the VPN certificate? #vpn")
    teams.post(post)
    card, invite = teams.seen_since(mark)[:2]
    chain = f"{ids.CHANNEL_ID};messageid={post['id']}"
    assert invite.conversation_id == chain and "<at>Bob Example</at>" in card_texts(invite)[0]
    assert [a["title"] for a in card_actions(invite)] == ["🙋 I'll take it", "Not me", "⏰ Later today", "⏰ Tomorrow"]

    after = _press(teams, BOB, invite, "Not me")
    assert "goes to someone else" in _texts(after)
    [daan_invite] = [s for s in after if s.conversation_id == chain]
    assert f"<at>{ids.DAAN_NAME}</at>" in card_texts(daan_invite)[0]
    assert "already passed on Q1" in _texts(_press(teams, BOB, invite, "Not me"))

    after = _press(teams, DAAN, daan_invite, "🙋 I'll take it")
    [update] = [s for s in after if s.kind == "update"]
    assert update.conversation_id == chain and update.target_activity_id == card.assigned_id
    assert any("is on it" in text for text in card_texts(update))
    with unit_of_work(teams.sessions) as session:
        states = dict(session.execute(select(Person.external_id, Invitation.state)
                                      .join(Invitation, Invitation.person_id == Person.id)).all())
    assert states == {ids.BOB_ID: InvitationState.DECLINED, ids.DAAN_ID: InvitationState.CLAIMED}
