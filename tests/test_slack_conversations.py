"""Whole Slack conversations through the real Bolt app over HTTP, with Slack's servers faked on loopback.

Alice asks with ``/ask``, Bob answers in the question's thread, Alice
accepts with ✅; edits and deletions change the answer; a later asker is
shown the existing answer first and may ask anyway.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.models import Answer, Question, QuestionStatus
from kbbot.store.db import unit_of_work
from slack_support.fake_web_api import RESPONSE_URL_METHOD, Call, FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture

QUESTION = "How do I rotate the staging database password? #postgres"
ANSWER = "Use the vault CLI: vault write -f database/rotate-root/staging"


def all_text(blocks: list[dict[str, Any]]) -> str:
    """Everything a person reads in a Block Kit message, in order."""
    parts: list[str] = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            text = element.get("text")
            parts.append(text["text"] if isinstance(text, dict) else str(text or ""))
        if "accessory" in block:
            parts.append(block["accessory"]["text"]["text"])
    return "\n".join(parts)


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The buttons of a message by label."""
    found = {}
    for block in blocks:
        candidates = block.get("elements", []) + ([block["accessory"]] if "accessory" in block else [])
        for element in candidates:
            if element.get("type") == "button":
                found[element["text"]["text"]] = element
    return found


def ask(slack: SlackServer, fake: FakeSlack, user: str = "U_ALICE", text: str = QUESTION,
        channel: str = "C_GENERAL", channel_name: str = "general") -> None:
    form = fixture("command_ask.json", fake.response_url())
    form.update(user_id=user, user_name=user.removeprefix("U_").lower(), text=text, channel_id=channel,
                channel_name=channel_name)
    answer = slack.command(form)
    assert answer.status == 200, answer.body
    slack.settle()


def thread_reply(slack: SlackServer, event_id: str, user: str, thread_ts: str, ts: str, text: str) -> None:
    envelope = fixture("event_message.json")
    envelope["event_id"] = event_id
    envelope["event"].update(user=user, thread_ts=thread_ts, ts=ts, event_ts=ts, text=text)
    assert slack.event(envelope).status == 200
    slack.settle()


def question_card(fake: FakeSlack) -> Call:
    posts = [c for c in fake.calls_to("chat.postMessage") if "Question from" in all_text(c.json_param("blocks"))]
    assert len(posts) == 1, [all_text(c.json_param("blocks")) for c in fake.calls_to("chat.postMessage")]
    return posts[0]


def dms_to(fake: FakeSlack, user: str) -> list[Call]:
    return [c for c in fake.calls_to("chat.postMessage") if c.params["channel"] == user]


def test_alice_asks_bob_answers_in_the_thread_and_alice_accepts_with_a_reaction(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    ask(slack, fake_slack)
    card = question_card(fake_slack)
    assert card.params["channel"] == "C_GENERAL"
    text = all_text(card.json_param("blocks"))
    assert "Question from alice" in text and "rotate the staging database password" in text and "#postgresql" in text
    ts = card.body["ts"]

    thread_reply(slack, "Ev0BOBANSWER", "U_BOB", ts, "1700000100.000200", ANSWER)
    [note] = dms_to(fake_slack, "U_ALICE")
    assert "bob answered your question" in all_text(note.json_param("blocks"))
    assert set(buttons(note.json_param("blocks"))) == {"✅ Accept", "👍 Upvote", "⚠️ Outdated"}

    reaction = fixture("event_reaction_added.json")
    reaction["event"]["item"]["ts"] = "1700000100.000200"
    assert slack.event(reaction).status == 200
    slack.settle()
    in_thread = [c for c in fake_slack.calls_to("chat.postMessage") if c.params.get("thread_ts") == ts]
    assert any("accepted" in all_text(c.json_param("blocks")).lower() for c in in_thread)
    with unit_of_work(sessions) as session:
        question = session.scalars(select(Question)).one()
        assert question.status is QuestionStatus.ACCEPTED
        assert question.message_id == ts


def test_an_edited_answer_is_updated_and_a_deleted_one_retracted(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    ask(slack, fake_slack)
    ts = question_card(fake_slack).body["ts"]
    thread_reply(slack, "Ev0BOBANSWER", "U_BOB", ts, "1700000100.000200", ANSWER)

    edited = fixture("event_message_changed.json")
    edited["event"]["message"]["thread_ts"] = ts
    assert slack.event(edited).status == 200
    slack.settle()
    with unit_of_work(sessions) as session:
        answer = session.scalars(select(Answer)).one()
        assert answer.text == "Use the vault CLI (v1.15+): vault write -f database/rotate-root/staging"
        assert answer.deleted_at is None

    deleted = fixture("event_message_deleted.json")
    assert slack.event(deleted).status == 200
    slack.settle()
    with unit_of_work(sessions) as session:
        answer = session.scalars(select(Answer)).one()
        assert answer.deleted_at is not None
        assert session.scalars(select(Question)).one().status is QuestionStatus.OPEN


def test_a_similar_question_is_offered_first_and_ask_anyway_posts_it(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    ask(slack, fake_slack)
    ts = question_card(fake_slack).body["ts"]
    thread_reply(slack, "Ev0BOBANSWER", "U_BOB", ts, "1700000100.000200", ANSWER)
    fake_slack.clear()

    ask(slack, fake_slack, user="U_BOB", text="rotate staging database password?")
    [suggestion] = fake_slack.calls_to(RESPONSE_URL_METHOD)
    assert suggestion.params["response_type"] == "ephemeral"
    shown = all_text(suggestion.params["blocks"])
    assert "may already help" in shown
    permalink = f"https://kbtest.slack.com/archives/C_GENERAL/p{ts.replace('.', '')}"
    assert f"<{permalink}|" in shown
    assert fake_slack.calls_to("chat.postMessage") == []  # nothing posted while Bob decides

    choice = buttons(suggestion.params["blocks"])
    assert {"This answers it", "Ask anyway"} <= set(choice)
    click = fixture("block_actions_ephemeral.json", fake_slack.response_url("r2"))
    click["user"].update(id="U_BOB", username="bob", name="bob")
    click["actions"][0].update(action_id=choice["Ask anyway"]["action_id"], value=choice["Ask anyway"]["value"])
    assert slack.action(click).status == 200
    slack.settle()

    [replaced] = [c for c in fake_slack.calls_to(RESPONSE_URL_METHOD) if c.params.get("replace_original")]
    assert "Asking your colleagues" in all_text(replaced.params["blocks"])
    posts = [c for c in fake_slack.calls_to("chat.postMessage") if "Question from" in all_text(c.json_param("blocks"))]
    assert len(posts) == 1 and "rotate staging database password?" in all_text(posts[0].json_param("blocks"))
    with unit_of_work(sessions) as session:
        assert len(session.scalars(select(Question)).all()) == 2
