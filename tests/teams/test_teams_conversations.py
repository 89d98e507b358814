"""Whole Teams conversations through the real adapter on both SDKs (Agents SDK, botbuilder), on SQLite and PostgreSQL.

Activities are POSTed to ``/api/messages`` with signed channel tokens; the
assertions read what the bot sent to the (fake) Bot Connector, i.e. what the
people in Teams see.
"""

from __future__ import annotations

from sqlalchemy import select

from kbbot.store.db import unit_of_work
from kbbot.store.models import Workspace
from teams_support import ids
from teams_support.activities import ALICE, BOB, DAAN, chain_reply, channel_post, deleted, edited, personal, submit
from teams_support.harness import TeamsHarness, card_actions, card_texts

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures

QUESTION = "How do I rotate the VPN certificate?"
ANSWER = "Run vpnctl rotate --all, then restart the gateway."


def _texts(sent: list) -> str:
    return "\n".join(text for item in sent for text in card_texts(item))


def _ask_in_channel(teams: TeamsHarness, text: str = f"ask {QUESTION} #vpn") -> tuple[str, list]:
    mark = len(teams.fake.sent)
    post = channel_post(teams.fake, ALICE, text)
    assert teams.post(post).status_code in (200, 201, 202)
    return post["id"], teams.seen_since(mark)


def _answer(teams: TeamsHarness, root: str, who=BOB, text: str = ANSWER) -> tuple[str, list]:
    mark = len(teams.fake.sent)
    reply = chain_reply(teams.fake, who, text, root)
    teams.post(reply)
    return reply["id"], teams.seen_since(mark)


def _press(teams: TeamsHarness, who, card, title: str) -> list:
    """``who`` presses the button titled ``title`` on the sent ``card``."""
    action = next(a for a in card_actions(card) if a["title"] == title)
    mark = len(teams.fake.sent)
    teams.post(submit(teams.fake, who, action["data"], card.assigned_id, card.conversation_id))
    return teams.seen_since(mark)


def test_channel_ask_via_mention_posts_the_question_card_in_its_reply_chain(teams: TeamsHarness) -> None:
    teams.post(personal(teams.fake, BOB, "expertise add vpn"))
    root, sent = _ask_in_channel(teams)

    card = sent[0]
    assert card.kind == "reply"
    assert card.conversation_id == f"{ids.CHANNEL_ID};messageid={root}" and card.target_activity_id == root
    texts = card_texts(card)
    assert texts[0] == "❓ Question from Alice Example"
    assert QUESTION in texts  # the bot's own mention and the verb are gone
    # Teams bots hear no reactions to people's replies: accepting is done with the button kbbot sends.
    assert any("Reply in this thread to answer; the asker accepts the best answer privately." in text
               for text in texts)
    assert not any("kbbot" in text or "<at>" in text for text in texts)
    # The expert is brought into the chain with a real Teams mention.
    invite = sent[1]
    assert invite.kind == "reply" and invite.conversation_id == card.conversation_id
    entities = invite.activity["attachments"][0]["content"]["msteams"]["entities"]
    assert entities == [{"type": "mention", "text": "<at>Bob Example</at>",
                         "mentioned": {"id": ids.BOB_ID, "name": "Bob Example"}}]
    assert "<at>Bob Example</at>" in card_texts(invite)[0]


def test_user_content_never_becomes_a_mention(teams: TeamsHarness) -> None:
    _, sent = _ask_in_channel(teams, "ask Who owns <at>Bob Example</at> and @channel duty?")
    card = sent[0].activity["attachments"][0]["content"]
    assert "entities" not in card["msteams"]
    assert not any("<at>" in text for text in card_texts(sent[0]))
    assert any("@\u2060Bob Example" in text and "@\u2060channel" in text for text in card_texts(sent[0]))


def test_reply_in_the_chain_is_an_answer_the_asker_accepts_with_the_card_button(teams: TeamsHarness) -> None:
    root, _ = _ask_in_channel(teams)
    _, sent = _answer(teams, root)

    # Alice hears about it in her personal chat, opened by the bot for the occasion.
    assert [s.kind for s in sent] == ["create_conversation", "send"]
    assert sent[0].activity["members"] == [{"id": ids.ALICE_ID}]
    note = sent[1]
    assert note.conversation_id == ids.ALICE_PERSONAL_CONVERSATION_ID
    assert f"Bob Example answered your question “{QUESTION}”" in card_texts(note)
    assert ANSWER in card_texts(note)
    assert [a["title"] for a in card_actions(note)] == ["✅ Accept", "👍 Upvote", "⚠️ Outdated"]
    assert all(a["data"]["kb_action"].startswith("kb_") for a in card_actions(note))

    after = _press(teams, ALICE, note, "✅ Accept")
    texts = _texts(after)
    assert "You accepted Bob Example's answer. Thanks for closing the loop!" in texts
    chain = [s for s in after if s.conversation_id == f"{ids.CHANNEL_ID};messageid={root}"]
    assert len(chain) == 1 and chain[0].target_activity_id == root
    assert "✅ Alice Example accepted the answer by Bob Example." in card_texts(chain[0])
    assert any("Your answer to “How do I rotate the VPN certificate?” was accepted" in t for t in texts.splitlines())

    # Search now shows the accepted answer to anyone.
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, DAAN, "search vpn certificate"))
    assert f"✅ Bob Example: {ANSWER}" in _texts(teams.seen_since(mark))


def test_an_edit_updates_and_a_delete_retracts_the_answer(teams: TeamsHarness) -> None:
    root, _ = _ask_in_channel(teams)
    answer_id, told = _answer(teams, root)
    teams.post(edited(teams.fake, BOB, answer_id, root, "Use vpnctl rotate --all --force."))
    _press(teams, ALICE, told[-1], "✅ Accept")

    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, ALICE, "search vpn certificate"))
    results = _texts(teams.seen_since(mark))
    assert "✅ Bob Example: Use vpnctl rotate --all --force." in results
    assert "restart the gateway" not in results

    teams.post(deleted(teams.fake, BOB, answer_id, root))
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, ALICE, "search vpn certificate"))
    results = _texts(teams.seen_since(mark))
    assert "0 answer(s)" in results and "vpnctl" not in results


def test_personal_ask_offers_the_existing_answer_first(teams: TeamsHarness) -> None:
    root, _ = _ask_in_channel(teams)
    _, sent = _answer(teams, root)
    _press(teams, ALICE, sent[-1], "✅ Accept")
    with unit_of_work(teams.sessions) as session:
        space = session.scalars(select(Workspace).where(Workspace.external_id == ids.TENANT_ID)).one()
        space.settings = {**space.settings, "questions_channel": ids.CHANNEL_ID}

    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, BOB, "ask how do I rotate the vpn certificate"))
    sent = teams.seen_since(mark)
    assert len(sent) == 1 and sent[0].conversation_id == BOB.personal_chat
    suggestion = sent[0]
    texts = card_texts(suggestion)
    assert "These colleagues' answers may already help. Does one answer your question?" in texts
    assert any(QUESTION in text for text in texts)
    assert [a["title"] for a in card_actions(suggestion)] == ["This answers it", "Ask anyway"]

    # "Ask anyway": the suggestion card is replaced and the question starts a new conversation in the channel.
    after = _press(teams, BOB, suggestion, "Ask anyway")
    update = next(s for s in after if s.kind == "update")
    assert update.target_activity_id == suggestion.assigned_id
    assert "Asking your colleagues…" in card_texts(update)
    new_post = next(s for s in after if s.kind == "create_conversation")
    assert new_post.activity["channelData"] == {"channel": {"id": ids.CHANNEL_ID}}
    assert "❓ Question from Bob Example" in card_texts(new_post)

    # A reply in that new chain is an answer to Bob's question.
    mark = len(teams.fake.sent)
    teams.post(chain_reply(teams.fake, DAAN, "Ook de proxy herstarten.", new_post.assigned_id))
    told = teams.seen_since(mark)
    assert any("Daan de Vries answered your question" in t for s in told for t in card_texts(s))


def test_a_dutch_user_is_answered_in_dutch_with_their_own_timezone(teams: TeamsHarness) -> None:
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, DAAN, "instellingen"))
    texts = _texts(teams.seen_since(mark))
    assert "Je instellingen" in texts
    assert "Tijdzone: Europe/Brussels" in texts
    assert "Taal:" in texts

    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, DAAN, "hulp"))
    help_text = _texts(teams.seen_since(mark))
    assert "Wat kbbot kan" in help_text
    # Worded for Teams: no slash commands, and buttons where Slack has ✅ and 👍 reactions.
    assert "de vraagsteller accepteert met de knop Accepteren, anderen met Duim omhoog" in help_text
    assert "(of druk op Duim omhoog)" in help_text and "✅" not in help_text and "/kb" not in help_text


def test_a_plain_question_to_the_bot_in_a_channel_is_asked(teams: TeamsHarness) -> None:
    root, sent = _ask_in_channel(teams, "Who can renew the TLS wildcard certificate? #tls")
    assert sent[0].kind == "reply" and sent[0].target_activity_id == root
    assert "Who can renew the TLS wildcard certificate?" in card_texts(sent[0])


def test_an_expert_mention_sent_on_its_own_goes_into_its_questions_chain(teams: TeamsHarness) -> None:
    import pytest

    from kbbot.contract.outbound import DeliveryFailed
    from kbbot.contract.replies import Mentions, PersonRef, Post, Reply
    from kbbot.pipeline import posting
    from kbbot.store.models import Question

    root, _ = _ask_in_channel(teams)
    with unit_of_work(teams.sessions) as session:
        question_id = session.scalars(select(Question.id)).one()
    mention = Reply(text="Can you help?", blocks=[Mentions(lead="Can you help?", people=[
        PersonRef(id=ids.BOB_ID, name="Bob Example")])],
        to=Post(conversation_id=ids.CHANNEL_ID, in_thread_of=question_id))
    mark = len(teams.fake.sent)
    # As the sweeper sends a recovered event's replies: the core fills in the thread, Teams posts there.
    posting.send(teams.sessions, teams.outbound, ids.TENANT_ID, mention)
    (sent,) = teams.seen_since(mark)
    assert sent.kind == "reply" and sent.conversation_id == f"{ids.CHANNEL_ID};messageid={root}"

    orphan = mention.model_copy(update={"to": Post(conversation_id=ids.CHANNEL_ID, in_thread_of=question_id + 1000)})
    with pytest.raises(DeliveryFailed):
        posting.send(teams.sessions, teams.outbound, ids.TENANT_ID, orphan)
    assert len(teams.fake.sent) == mark + 1  # no new channel post pinging the experts
