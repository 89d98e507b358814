"""Whole Slack conversations through the real Bolt app over HTTP, with Slack's servers faked on loopback.

Alice asks with ``/ask``, Bob answers in the question's thread, Alice
accepts with ✅; edits and deletions change the answer; a later asker is
shown the existing answer first and may ask anyway.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.models import Answer, Person, Question, QuestionStatus, Vote, Workspace
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

    fake_slack.methods.workspace.add_user("U_CAROL", "carol")
    upvote = fixture("event_reaction_added.json")
    upvote["event_id"] = "Ev0CAROLVOTE"
    upvote["event"].update(user="U_CAROL", reaction="+1")
    upvote["event"]["item"]["ts"] = "1700000100.000200"
    assert slack.event(upvote).status == 200
    slack.settle()
    with unit_of_work(sessions) as session:
        voters = session.scalars(select(Person.external_id).join(Vote, Vote.person_id == Person.id)).all()
        assert voters == ["U_CAROL"]


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


def suggest(slack: SlackServer, fake: FakeSlack, user: str, text: str) -> Call:
    fake.clear()
    ask(slack, fake, user=user, text=text)
    [suggestion] = fake.calls_to(RESPONSE_URL_METHOD)
    return suggestion


def choose(slack: SlackServer, fake: FakeSlack, suggestion: Call, label: str, user: str) -> Call:
    """Click ``label`` on the ephemeral suggestion; return what replaced it."""
    choice = buttons(suggestion.params["blocks"])[label]
    click = fixture("block_actions_ephemeral.json", fake.response_url("r2"))
    click["user"].update(id=user, username=user.removeprefix("U_").lower(), name=user.removeprefix("U_").lower())
    click["actions"][0].update(action_id=choice["action_id"], value=choice["value"])
    assert slack.action(click).status == 200
    slack.settle()
    [replaced] = [c for c in fake.calls_to(RESPONSE_URL_METHOD) if c.params.get("replace_original")]
    return replaced


def test_a_similar_question_is_offered_first_then_resolved_or_asked_anyway(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    ask(slack, fake_slack)
    ts = question_card(fake_slack).body["ts"]
    thread_reply(slack, "Ev0BOBANSWER", "U_BOB", ts, "1700000100.000200", ANSWER)

    suggestion = suggest(slack, fake_slack, "U_BOB", "rotate staging database password?")
    assert suggestion.params["response_type"] == "ephemeral"
    shown = all_text(suggestion.params["blocks"])
    assert "may already help" in shown
    permalink = f"https://kbtest.slack.com/archives/C_GENERAL/p{ts.replace('.', '')}"
    assert f"<{permalink}|" in shown
    assert {"This answers it", "Ask anyway"} <= set(buttons(suggestion.params["blocks"]))
    assert fake_slack.calls_to("chat.postMessage") == []  # nothing posted while Bob decides

    resolved = choose(slack, fake_slack, suggestion, "This answers it", "U_BOB")
    assert "Nothing was posted" in all_text(resolved.params["blocks"])
    assert fake_slack.calls_to("chat.postMessage") == []

    suggestion = suggest(slack, fake_slack, "U_BOB", "rotate staging database password?")
    replaced = choose(slack, fake_slack, suggestion, "Ask anyway", "U_BOB")
    assert "Asking your colleagues" in all_text(replaced.params["blocks"])
    posts = [c for c in fake_slack.calls_to("chat.postMessage") if "Question from" in all_text(c.json_param("blocks"))]
    assert len(posts) == 1 and "rotate staging database password?" in all_text(posts[0].json_param("blocks"))
    with unit_of_work(sessions) as session:
        assert len(session.scalars(select(Question)).all()) == 2


def click_in_dm(slack: SlackServer, fake: FakeSlack, note: Call, label: str, user: str = "U_ALICE") -> None:
    """Click a button of a message kbbot posted in someone's DM (a public message there, not an ephemeral)."""
    button = buttons(note.json_param("blocks"))[label]
    click = fixture("block_actions_ephemeral.json", fake.response_url("dm"))
    click["user"].update(id=user)
    click["channel"] = {"id": note.body["channel"], "name": "directmessage"}
    click["container"] = {"type": "message", "message_ts": note.body["ts"], "channel_id": note.body["channel"],
                          "is_ephemeral": False}
    click["actions"][0].update(action_id=button["action_id"], value=button["value"])
    assert slack.action(click).status == 200
    slack.settle()


def test_the_asker_accepts_and_flags_with_the_buttons_on_the_answer(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    ask(slack, fake_slack)
    ts = question_card(fake_slack).body["ts"]
    thread_reply(slack, "Ev0BOBANSWER", "U_BOB", ts, "1700000100.000200", ANSWER)
    [note] = dms_to(fake_slack, "U_ALICE")
    fake_slack.clear()

    click_in_dm(slack, fake_slack, note, "✅ Accept")
    [confirmation] = fake_slack.calls_to(RESPONSE_URL_METHOD)
    assert "You accepted bob's answer" in all_text(confirmation.params["blocks"])
    assert confirmation.params["replace_original"] is False  # the DM with the answer stays
    [thread_note] = [c for c in fake_slack.calls_to("chat.postMessage") if c.params.get("thread_ts") == ts]
    assert "alice accepted the answer by bob" in all_text(thread_note.json_param("blocks"))
    [thanks] = dms_to(fake_slack, "U_BOB")
    assert "Your answer to “How do I rotate" in all_text(thanks.json_param("blocks"))
    fake_slack.clear()

    click_in_dm(slack, fake_slack, note, "⚠️ Outdated")
    [flagged] = fake_slack.calls_to(RESPONSE_URL_METHOD)
    assert "marked outdated" in all_text(flagged.params["blocks"])
    [ask_author] = dms_to(fake_slack, "U_BOB")
    assert "as outdated" in all_text(ask_author.json_param("blocks"))
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Question)).one().status is not QuestionStatus.ACCEPTED  # flagged: not settled


def test_an_anonymous_question_never_shows_who_asked(slack: SlackServer, fake_slack: FakeSlack) -> None:
    ask(slack, fake_slack, text="--anon Is it normal that deploys take an hour? #ci")
    [card] = [c for c in fake_slack.calls_to("chat.postMessage") if "Anonymous question" in all_text(
        c.json_param("blocks"))]
    public = str(card.params)
    assert "alice" not in public.lower() and "U_ALICE" not in public
    [private] = fake_slack.calls_to(RESPONSE_URL_METHOD)
    assert "posted anonymously" in all_text(private.params["blocks"])

    fake_slack.clear()  # a response_url that expired (30 minutes) or was used up: the Web API still tells Alice
    fake_slack.expire_response_url()
    ask(slack, fake_slack, text="--anon Do we still use Jenkins? #ci")
    [fallback] = fake_slack.calls_to("chat.postEphemeral")
    assert (fallback.params["user"], fallback.params["channel"]) == ("U_ALICE", "C_GENERAL")
    assert "posted anonymously" in all_text(fallback.json_param("blocks"))


def test_experts_are_brought_into_the_thread_or_messaged_directly_per_workspace_setting(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    form = fixture("command_ask.json", fake_slack.response_url())
    form.update(user_id="U_BOB", user_name="bob", command="/expertise", text="add postgres")
    assert slack.command(form).status == 200
    slack.settle()
    ask(slack, fake_slack)
    ts = question_card(fake_slack).body["ts"]
    [invitation] = [c for c in fake_slack.calls_to("chat.postMessage") if c.params.get("thread_ts") == ts]
    assert "<@U_BOB>" in invitation.json_param("blocks")[0]["text"]["text"]

    with unit_of_work(sessions) as session:
        workspace = session.scalars(select(Workspace)).one()
        workspace.settings = {**workspace.settings, "expert_notify": "dm"}
    fake_slack.clear()
    ask(slack, fake_slack, text="Which postgres version runs in production? #postgres")
    [dm] = dms_to(fake_slack, "U_BOB")
    assert "A colleague asks about #postgresql in #general" in all_text(dm.json_param("blocks"))


def test_a_question_in_a_dm_with_kbbot_explains_where_to_ask(slack: SlackServer, fake_slack: FakeSlack) -> None:
    envelope = fixture("event_message.json")
    envelope["event"].update(channel="D_ALICE", channel_type="im", user="U_ALICE", text="how do I reset 2FA?")
    envelope["event"].pop("thread_ts")
    assert slack.event(envelope).status == 200
    slack.settle()
    [hint] = fake_slack.calls_to("chat.postEphemeral")
    assert (hint.params["channel"], hint.params["user"]) == ("D_ALICE", "U_ALICE")
    assert "Ask in a channel" in all_text(hint.json_param("blocks"))


def test_kbbot_joins_a_public_channel_to_post_and_asks_to_be_invited_to_a_private_one(
        slack: SlackServer, fake_slack: FakeSlack) -> None:
    fake_slack.methods.workspace.add_channel("C_RANDOM", "random", members=["U_ALICE"])  # kbbot not invited
    fake_slack.fail("chat.postMessage", "not_in_channel")
    ask(slack, fake_slack, channel="C_RANDOM", channel_name="random")
    assert [c.params["channel"] for c in fake_slack.calls_to("conversations.join")] == ["C_RANDOM"]
    assert question_card(fake_slack).params["channel"] == "C_RANDOM"

    fake_slack.clear()
    fake_slack.fail("chat.postMessage", "channel_not_found")
    ask(slack, fake_slack, text="Who approves Falcon budgets? #falcon", channel="G_PRIVATE",
        channel_name="privategroup")
    assert fake_slack.calls_to("chat.postMessage") == []
    [explanation] = fake_slack.calls_to(RESPONSE_URL_METHOD)
    assert "Invite it with /invite @kbbot" in all_text(explanation.params["blocks"])
