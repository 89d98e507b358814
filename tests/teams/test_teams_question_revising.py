"""Editing and withdrawing a question in Teams: the real adapter (either SDK) against a fake Bot Connector.

The question's card is updated in place (``PUT …/activities/{id}``): the
card itself, also when it sits as a reply under Alice's own post (a bot
cannot and must not update Alice's message). Bob is refused in his personal
chat and nothing changes in the channel.
"""

from __future__ import annotations

from sqlalchemy import select

from kbbot.store.db import unit_of_work
from kbbot.store.models import Question, QuestionStatus, Workspace
from teams_support import ids
from teams_support.activities import ALICE, BOB, DAAN, channel_post, personal
from teams_support.harness import TeamsHarness, card_actions, card_texts

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures


def _say(teams: TeamsHarness, activity: dict) -> list:
    mark = len(teams.fake.sent)
    assert teams.post(activity).status_code in (200, 201, 202)
    return teams.seen_since(mark)


def _texts(sent: list) -> str:
    return "\n".join(text for item in sent for text in card_texts(item))


def test_an_edit_updates_the_card_under_the_askers_post_and_others_are_refused(teams: TeamsHarness) -> None:
    post = channel_post(teams.fake, ALICE, "ask How do I rotate the VPN certificate? #vpn")
    card = _say(teams, post)[0]
    chain = f"{ids.CHANNEL_ID};messageid={post['id']}"
    assert card.kind == "reply" and card.conversation_id == chain and card.assigned_id != post["id"]

    sent = _say(teams, personal(teams.fake, ALICE, "edit 1 How do I renew the <at>Bob Example</at> VPN certificate?"))
    [update] = [s for s in sent if s.kind == "update"]
    assert update.conversation_id == chain and update.target_activity_id == card.assigned_id
    texts = card_texts(update)
    assert texts[0] == "❓ Question from Alice Example"
    assert "How do I renew the @\u2060Bob Example VPN certificate?" in texts and "✏️ Edited by the asker" in texts
    assert "entities" not in update.activity["attachments"][0]["content"]["msteams"]  # nobody is pinged
    assert [a["title"] for a in card_actions(update)] == ["✋ Me too"]
    [told] = [s for s in sent if s.kind != "update"]
    assert told.conversation_id == ALICE.personal_chat and "Question 1 now reads:" in card_texts(told)

    sent = _say(teams, personal(teams.fake, BOB, "withdraw 1"))
    assert [s.kind for s in sent] != [] and all(s.kind != "update" for s in sent)
    assert "Only the person who asked can withdraw a question." in _texts(sent)
    sent = _say(teams, personal(teams.fake, DAAN, "bewerk 1 Wie kent de VPN?"))
    assert all(s.kind != "update" for s in sent)
    assert "Alleen wie de vraag stelde kan hem bewerken." in _texts(sent)
    with unit_of_work(teams.sessions) as session:
        question = session.scalars(select(Question)).one()
        assert question.text.startswith("How do I renew the") and question.status is QuestionStatus.OPEN


def test_withdrawing_replaces_a_card_that_started_its_own_post(teams: TeamsHarness) -> None:
    _say(teams, personal(teams.fake, BOB, "help"))  # kbbot has heard from the tenant
    with unit_of_work(teams.sessions) as session:
        space = session.scalars(select(Workspace).where(Workspace.external_id == ids.TENANT_ID)).one()
        space.settings = {**space.settings, "questions_channel": ids.CHANNEL_ID}
    asked = _say(teams, personal(teams.fake, ALICE, "ask --anon Who approves overtime in December?"))
    [card] = [s for s in asked if s.kind == "create_conversation"]
    assert "Who approves overtime in December?" in card_texts(card)

    sent = _say(teams, personal(teams.fake, ALICE, "withdraw 1"))
    [update] = [s for s in sent if s.kind == "update"]
    assert update.target_activity_id == card.assigned_id
    assert update.conversation_id == f"{ids.CHANNEL_ID};messageid={card.assigned_id}"
    assert card_texts(update) == ["↩️ This question was withdrawn by the asker."]
    assert "Question 1 is withdrawn." in _texts([s for s in sent if s.kind != "update"])

    found = _say(teams, personal(teams.fake, BOB, "search overtime December"))
    assert "overtime" not in _texts(found).replace("“overtime December”", "")
