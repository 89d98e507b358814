"""Questions in a Teams group chat, answered the way people answer there: by quoting the card.

Group chats have no reply chains. A colleague answers a message with Teams'
"Reply" (a quoted reply), which reaches the bot as a ``<quoted messageId/>``
mark in the text plus a ``quotedReply`` entity, and in older payloads as an
``http://schema.skype.com/Reply`` blockquote in the ``text/html`` attachment.
Unmentioned messages reach the bot thanks to the manifest's
``ChatMessage.Read.Chat`` permission. Runs on SQLite and PostgreSQL.

Where the fixtures come from: the ``quotedReply`` entity and the ``<quoted/>``
mark are Microsoft's (the Teams SDKs' ``QuotedReplyEntity`` and their "Quoted
Replies and Threaded Replies" post; a card has no ``preview``). The Reply
blockquote's markup is the one Microsoft Graph documents for chat messages;
that the bot gets it in the ``text/html`` attachment, and that older payloads
copy the quote into ``text`` (``group_chat_quote_html``), comes from
third-party reports, not from Microsoft's documentation.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from kbbot.contract.events import MessagePosted
from kbbot.store.db import unit_of_work
from kbbot.store.models import Answer, Question
from kbbot_adapters.teams import package
from kbbot_adapters.teams.translate import translate
from teams_support import ids
from teams_support.activities import (
    ALICE,
    BOB,
    DAAN,
    FIXTURE_QUOTED_ID,
    GROUP_CHAT_ID,
    Person,
    group_deleted,
    group_edited,
    group_post,
    group_quote,
    personal,
    submit,
)
from teams_support.harness import TeamsHarness, card_actions, card_texts, fresh_id, load

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures

QUESTION = "How do I rotate the VPN certificate?"
ANSWER = "Run vpnctl rotate --all, then restart the gateway."


def _texts(sent: list) -> str:
    return "\n".join(text for item in sent for text in card_texts(item))


def _ask_in_group(teams: TeamsHarness) -> str:
    """Alice asks the group chat; the id of the question card the bot posted there."""
    mark = len(teams.fake.sent)
    teams.post(group_post(teams.fake, ALICE, f"ask {QUESTION} #vpn"))
    (card,) = [s for s in teams.seen_since(mark) if s.conversation_id == GROUP_CHAT_ID]
    assert card.kind == "send" and f"❓ Question from {ALICE.name}" in card_texts(card)
    # No reply chains here: the card says how to answer in a chat (and Teams bots hear no ✅ on replies).
    assert any("Answer with Reply on this message; the asker accepts the best answer privately." in text
               for text in card_texts(card))
    assert card.assigned_id is not None
    return card.assigned_id


def _answers(teams: TeamsHarness) -> list[tuple[str, str | None]]:
    with unit_of_work(teams.sessions) as session:
        return [(a.text, a.message_id) for a in session.scalars(select(Answer).order_by(Answer.id))]


def _mentioning(activity: dict, before: str) -> dict:
    """``activity`` with ``<at>kbbot</at>`` written in front of ``before``, as Teams sends a mention."""
    activity["text"] = activity["text"].replace(before, f"<at>{ids.BOT_NAME}</at> {before}", 1)
    activity["entities"].append({"type": "mention", "text": f"<at>{ids.BOT_NAME}</at>",
                                 "mentioned": {"id": ids.BOT_ID, "name": ids.BOT_NAME}})
    return activity


def _search(teams: TeamsHarness, who: Person, terms: str = "vpn certificate") -> str:
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, who, f"search {terms}"))
    return _texts(teams.seen_since(mark))


def _quote_of(quoted_id: str, fixture: str = "group_chat_quote") -> dict:
    return json.loads(json.dumps(load(fixture)).replace(FIXTURE_QUOTED_ID, quoted_id))


def test_a_quote_in_a_group_chat_is_a_reply_to_the_quoted_message() -> None:
    for fixture in ("group_chat_quote", "group_chat_quote_html"):
        translation = translate(_quote_of("1700000100042", fixture))
        assert translation is not None
        (posted,) = translation.events
        assert isinstance(posted, MessagePosted)
        assert posted.conversation.kind == "group" and posted.conversation.id == GROUP_CHAT_ID
        assert posted.thread_id == "1700000100042" and posted.text == ANSWER and not posted.mentions_bot


def test_elsewhere_a_quote_changes_no_thread_and_only_its_mark_goes() -> None:
    # A personal chat has no threads (a quoted weekly prompt is still this week's answer) and a
    # channel reply belongs to its chain whatever it quotes.
    for fixture, thread in (("personal_message", None), ("channel_reply", ids.ROOT_MESSAGE_ID)):
        activity = load(fixture, text=f'<quoted messageId="1700000100042"/> {ANSWER}')
        activity["entities"].insert(0, {"type": "quotedReply", "quotedReply": {"messageId": "1700000100042"}})
        translation = translate(activity)
        assert translation is not None
        (posted,) = translation.events
        assert posted.thread_id == thread and posted.text == ANSWER


def test_a_colleague_quoting_the_card_answers_and_the_asker_accepts(teams: TeamsHarness) -> None:
    card = _ask_in_group(teams)
    with unit_of_work(teams.sessions) as session:
        assert session.scalars(select(Question.message_id)).one() == card

    mark = len(teams.fake.sent)
    quote = group_quote(teams.fake, BOB, ANSWER, card)
    teams.post(quote)
    told = teams.seen_since(mark)
    assert _answers(teams) == [(ANSWER, quote["id"])]  # the quote itself is not part of the answer

    # Alice hears about it in her personal chat and accepts with the card's button.
    note = told[-1]
    assert note.conversation_id == ALICE.personal_chat
    assert f"Bob Example answered your question “{QUESTION}”" in card_texts(note)
    assert ANSWER in card_texts(note) and not any("<quoted" in t or "kbbot" in t for t in card_texts(note))
    accept = next(a for a in card_actions(note) if a["title"] == "✅ Accept")
    mark = len(teams.fake.sent)
    teams.post(submit(teams.fake, ALICE, accept["data"], note.assigned_id, note.conversation_id))
    after = teams.seen_since(mark)
    assert "You accepted Bob Example's answer. Thanks for closing the loop!" in _texts(after)
    in_chat = [s for s in after if s.conversation_id == GROUP_CHAT_ID]
    assert len(in_chat) == 1 and "✅ Alice Example accepted the answer by Bob Example." in card_texts(in_chat[0])

    # The chat's knowledge stays with the chat: its members find it, others do not.
    assert f"✅ Bob Example: {ANSWER}" in _search(teams, BOB)
    elsewhere = _search(teams, DAAN)
    assert QUESTION not in elsewhere and "vpnctl" not in elsewhere


def test_a_quote_in_the_older_html_form_answers_too_without_the_quoted_card(teams: TeamsHarness) -> None:
    card = _ask_in_group(teams)
    teams.post(group_quote(teams.fake, BOB, ANSWER, card, fixture="group_chat_quote_html"))
    ((text, _),) = _answers(teams)
    assert text == ANSWER  # neither the card's author nor its text, which that form copies into ``text``


def test_a_quote_of_anything_else_is_an_ordinary_message(teams: TeamsHarness) -> None:
    card = _ask_in_group(teams)
    chatter = group_post(teams.fake, ALICE, "search vpn")  # any earlier message in the chat
    teams.post(chatter)
    mark = len(teams.fake.sent)
    teams.post(group_quote(teams.fake, BOB, "Same problem here since Monday.", chatter["id"], author=ALICE))
    assert teams.seen_since(mark) == [] and _answers(teams) == []

    # Quoting something while talking to the bot is still talking to the bot.
    mention = _mentioning(group_quote(teams.fake, BOB, "search vpn", chatter["id"], author=ALICE), "search vpn")
    mark = len(teams.fake.sent)
    teams.post(mention)
    assert QUESTION in _texts(teams.seen_since(mark)) and _answers(teams) == []

    # And the card still takes answers.
    teams.post(group_quote(teams.fake, BOB, ANSWER, card))
    assert [text for text, _ in _answers(teams)] == [ANSWER]


def test_a_quote_of_the_card_that_also_mentions_the_bot_is_an_answer(teams: TeamsHarness) -> None:
    # Where the chat did not grant ChatMessage.Read.Chat, this is the only answer Teams delivers.
    card = _ask_in_group(teams)
    teams.post(_mentioning(group_quote(teams.fake, BOB, ANSWER, card), before=ANSWER))
    assert [text for text, _ in _answers(teams)] == [ANSWER]


def test_an_edit_corrects_and_a_delete_retracts_a_quoted_answer(teams: TeamsHarness) -> None:
    card = _ask_in_group(teams)
    answer_id = fresh_id()
    teams.post(group_quote(teams.fake, BOB, ANSWER, card, activity_id=answer_id))
    teams.post(group_edited(teams.fake, BOB, answer_id, card, "Use vpnctl rotate --all --force."))
    assert _answers(teams) == [("Use vpnctl rotate --all --force.", answer_id)]

    teams.post(group_deleted(teams.fake, BOB, answer_id))
    results = _search(teams, ALICE)
    assert "0 answer(s)" in results and "vpnctl" not in results


def test_the_asker_quoting_their_own_card_is_not_an_answer(teams: TeamsHarness) -> None:
    card = _ask_in_group(teams)
    teams.post(group_quote(teams.fake, ALICE, "Only on the Windows laptops, by the way.", card))
    assert _answers(teams) == []


def test_the_manifest_asks_for_every_chat_message() -> None:
    # Without it Teams sends a group chat's messages only when they @mention the bot,
    # and a quoted reply rarely does. RSC needs the app's webApplicationInfo too.
    manifest = json.loads(package.MANIFEST.read_text(encoding="utf-8"))
    permissions = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert {"name": "ChatMessage.Read.Chat", "type": "Application"} in permissions
    assert "groupChat" in manifest["bots"][0]["scopes"] and manifest["webApplicationInfo"]["id"]


def test_quoting_an_answer_adds_to_the_same_question(teams: TeamsHarness) -> None:
    card = _ask_in_group(teams)
    first = group_quote(teams.fake, BOB, ANSWER, card)
    teams.post(first)
    follow_up = "If that fails, restart the gateway first."
    teams.post(group_quote(teams.fake, BOB, follow_up, first["id"], author=BOB))
    assert [text for text, _ in _answers(teams)] == [ANSWER, follow_up]


def test_the_expert_answers_by_quoting_the_invitation_that_mentioned_them(teams: TeamsHarness) -> None:
    teams.post(personal(teams.fake, BOB, "expertise add vpn"))
    # Bob says something in the chat (quoting Alice, not to kbbot): kbbot now knows he is in it.
    teams.post(group_quote(teams.fake, BOB, "Morning all!", fresh_id(), author=ALICE))
    mark = len(teams.fake.sent)
    teams.post(group_post(teams.fake, ALICE, f"ask {QUESTION} #vpn"))
    card, invite = [s for s in teams.seen_since(mark) if s.conversation_id == GROUP_CHAT_ID]
    assert "<at>Bob Example</at>" in card_texts(invite)[0]

    teams.post(group_quote(teams.fake, BOB, ANSWER, invite.assigned_id))
    assert [text for text, _ in _answers(teams)] == [ANSWER]
    with unit_of_work(teams.sessions) as session:
        assert session.scalars(select(Question.message_id)).one() == card.assigned_id  # the card stays the thread
