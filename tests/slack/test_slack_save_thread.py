""""Save to kbbot": the message shortcut, its modal and the submission, through the real Bolt app.

Bob finds a good thread in #general (Alice asked, Bob and Carol replied)
and saves it with one click: a modal prefilled from the thread opens, he
submits it, and the thread becomes Alice's question with Bob's reply as
the accepted answer, a link back to the thread and a short note in it.
Slack's side is the fake Web API on loopback; every request is signed.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.db import unit_of_work
from kbbot.store.models import Answer, ConversationKind, Question, QuestionStatus, SavedThread
from slack_support.fake_web_api import FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture

ROOT = "1700000000.000100"
BOB_REPLY = "1700000030.000200"
CAROL_REPLY = "1700000060.000300"
QUESTION = "How do we rotate the staging database password? #postgres"
BOB_ANSWER = "Use the vault CLI: vault write -f database/rotate-root/staging"
CAROL_ANSWER = "Or ask in #ops, they have a runbook"


def seed_thread(fake: FakeSlack, channel: str = "C_GENERAL", replies: bool = True) -> None:
    """Alice's question in ``channel``; Bob's reply (✅ from Alice, 👍 from Carol), Carol's, and a bot's."""
    methods = fake.methods
    if "U_CAROL" not in methods.workspace.users:
        methods.workspace.add_user("U_CAROL", "carol", real_name="Carol Coder")
        methods.workspace.add_user("U_NINA", "nina", real_name="Nina Nederlands", locale="nl-NL")
        methods.workspace.channels["C_GENERAL"]["_members"] += ["U_CAROL", "U_NINA"]
    methods.add_message(channel, "U_ALICE", QUESTION, ts=ROOT)
    if not replies:
        return
    methods.add_message(channel, "U_BOB", BOB_ANSWER, ts=BOB_REPLY, thread_ts=ROOT, reactions=[
        {"name": "white_check_mark", "users": ["U_ALICE"], "count": 1},
        {"name": "+1::skin-tone-2", "users": ["U_CAROL"], "count": 1}])
    methods.add_message(channel, "U_CAROL", CAROL_ANSWER, ts=CAROL_REPLY, thread_ts=ROOT)
    methods.add_message(channel, "U_DEPLOYBOT", "Deploy finished", ts="1700000070.000400", thread_ts=ROOT,
                        bot_id="B_DEPLOY", subtype="bot_message")


def shortcut(slack: SlackServer, fake: FakeSlack, user: str = "U_BOB", channel: str = "C_GENERAL",
             channel_name: str = "general", message_ts: str = ROOT, root: str = ROOT,
             **sign: Any) -> dict[str, Any] | None:
    """Bob uses "Save to kbbot" on a message; the modal Slack was asked to open (None if none was)."""
    payload = fixture("message_action_save.json", fake.response_url())
    payload["user"].update(id=user, username=user[2:].lower(), name=user[2:].lower())
    payload["channel"] = {"id": channel, "name": channel_name}
    payload["message_ts"] = message_ts
    payload["message"].update(ts=message_ts, thread_ts=root)
    before = len(fake.calls_to("views.open"))
    answer = slack.action(payload, **sign)
    if answer.status != 200:
        return None
    opened = fake.calls_to("views.open")
    assert len(opened) == before + 1, "the modal must be opened while the person waits"
    return opened[-1].json_param("view")


def submit(slack: SlackServer, view: dict[str, Any], question: str | None = None, answer: str | None = None,
           tags: str | None = None, user: str = "U_BOB", **sign: Any) -> tuple[int, dict[str, Any] | None]:
    """Submit the modal as Slack posts a ``view_submission``; the HTTP status and our JSON answer, if any."""
    payload = fixture("view_submission_save.json")
    payload["user"].update(id=user, username=user[2:].lower(), name=user[2:].lower())
    payload["view"]["private_metadata"] = view["private_metadata"]
    values = payload["view"]["state"]["values"]
    values["question"]["question"]["value"] = question
    values["tags"]["tags"]["value"] = tags
    values["answer"]["answer"]["selected_option"] = (
        {"text": {"type": "plain_text", "text": "x"}, "value": answer} if answer else None)
    response = slack.action(payload, **sign)
    slack.settle()
    return response.status, (json.loads(response.body) if response.body else None)


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in view["blocks"] if block["type"] == "input"}


def notice(view: dict[str, Any]) -> str:
    return " ".join(block["text"]["text"] for block in view["blocks"] if block["type"] == "section")


def posts_in(fake: FakeSlack, channel: str) -> list[dict[str, Any]]:
    return [call.params for call in fake.calls_to("chat.postMessage") if call.params["channel"] == channel]


def questions(sessions: sessionmaker[Session]) -> list[Question]:
    with unit_of_work(sessions) as session:
        found = list(session.scalars(select(Question).order_by(Question.id)))
        for question in found:
            _ = question.asker, question.tags, [(a.author, a.is_accepted) for a in question.answers]
        return found


def test_bob_saves_a_thread_in_one_click_crediting_alice_and_himself(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    seed_thread(fake_slack)
    view = shortcut(slack, fake_slack)
    assert view is not None and view["callback_id"] == "kb_save_thread" and view["title"]["text"] == "Save to kbbot"
    fields = inputs(view)
    assert fields["question"]["element"]["initial_value"] == QUESTION
    options = fields["answer"]["element"]["options"]
    assert [option["value"] for option in options] == [BOB_REPLY, CAROL_REPLY]  # the bot's reply is no answer
    assert options[0]["text"]["text"].startswith("bob: Use the vault CLI")
    assert fields["answer"]["element"]["initial_option"]["value"] == BOB_REPLY  # Alice's ✅
    assert fields["tags"]["element"]["initial_value"] == "#postgres"

    status, body = submit(slack, view, question="How do we rotate the staging DB password?", answer=BOB_REPLY,
                          tags="#postgres, Vault")
    assert status == 200 and body is None  # the modal closes

    [question] = questions(sessions)
    assert question.asker.external_id == "U_ALICE" and question.message_id == ROOT
    assert question.text == "How do we rotate the staging DB password?"
    assert question.status is QuestionStatus.ACCEPTED
    assert [tag.name for tag in question.tags] == ["postgresql", "vault"]  # aliases resolved as everywhere
    [answer] = question.answers
    assert answer.author.external_id == "U_BOB" and answer.is_accepted and answer.text == BOB_ANSWER
    with unit_of_work(sessions) as session:
        saved = session.get(SavedThread, question.id)
        assert saved is not None and saved.saved_by.external_id == "U_BOB"
        assert saved.link == f"https://kbtest.slack.com/archives/C_GENERAL/p{ROOT.replace('.', '')}"

    [note] = posts_in(fake_slack, "C_GENERAL")
    assert note["thread_ts"] == ROOT
    assert f"Saved to the knowledge base by bob as Q{question.id}, with bob's reply" in note["text"]
    [confirmation] = fake_slack.calls_to("chat.postEphemeral")
    assert confirmation.params["user"] == "U_BOB" and confirmation.params["channel"] == "C_GENERAL"
    blocks = json.dumps(confirmation.json_param("blocks"))
    assert f"Saved as Q{question.id}" in blocks and saved.link in blocks


def test_saving_the_same_thread_again_updates_it_and_never_duplicates(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    seed_thread(fake_slack)
    view = shortcut(slack, fake_slack)
    assert view is not None
    submit(slack, view, question=QUESTION, answer=BOB_REPLY, tags="#postgres")
    [first] = questions(sessions)

    again = shortcut(slack, fake_slack, user="U_CAROL")
    assert again is not None
    assert f"saved before as Q{first.id}" in notice(again)
    assert inputs(again)["answer"]["element"]["initial_option"]["value"] == BOB_REPLY  # what is accepted now
    submit(slack, again, question="Rotating the staging password", answer=CAROL_REPLY, tags="", user="U_CAROL")

    [question] = questions(sessions)
    assert question.id == first.id and question.text == "Rotating the staging password"
    assert question.asker.external_id == "U_ALICE" and question.tags == []
    accepted = {a.author.external_id: a.is_accepted for a in question.answers}
    assert accepted == {"U_BOB": False, "U_CAROL": True}
    assert len(posts_in(fake_slack, "C_GENERAL")) == 1  # one note in the thread, not one per save
    with unit_of_work(sessions) as session:
        assert session.scalar(select(func.count()).select_from(SavedThread)) == 1
        assert session.scalar(select(func.count()).select_from(Answer)) == 2


def test_bad_input_is_refused_in_the_modal_and_changes_nothing(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    seed_thread(fake_slack)
    view = shortcut(slack, fake_slack)
    assert view is not None
    status, body = submit(slack, view, question="   ", answer=None, tags="#ok <!channel>")
    assert status == 200 and body is not None and body["response_action"] == "errors"
    errors = body["errors"]
    assert errors["question"] == "Write the question."
    assert errors["answer"] == "Choose the reply that answers the question."
    assert "is not a tag" in errors["tags"] and "channel" in errors["tags"]
    assert "<!channel>" not in errors["tags"]  # shown, never re-broadcast
    status, body = submit(slack, view, question="x" * 4001, answer=ROOT)
    assert body is not None and set(body["errors"]) == {"question", "answer"}
    assert "4000" in body["errors"]["question"] and "its own answer" in body["errors"]["answer"]
    assert questions(sessions) == [] and fake_slack.calls_to("chat.postMessage") == []

    # A reply that is not in the thread (deleted since, or made up): nothing saved, Bob told why.
    status, body = submit(slack, view, question=QUESTION, answer="1700009999.000999")
    assert status == 200 and body is None
    assert questions(sessions) == [] and fake_slack.calls_to("chat.postMessage") == []
    [told] = fake_slack.calls_to("chat.postEphemeral")
    assert "no longer in the thread" in told.params["text"]


def test_the_modal_speaks_dutch_to_a_dutch_colleague(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    seed_thread(fake_slack)
    view = shortcut(slack, fake_slack, user="U_NINA")
    assert view is not None and view["title"]["text"] == "Opslaan in kbbot" and view["submit"]["text"] == "Opslaan"
    assert inputs(view)["question"]["label"]["text"] == "Vraag"
    _, body = submit(slack, view, question="", answer=BOB_REPLY, user="U_NINA")
    assert body == {"response_action": "errors", "errors": {"question": "Schrijf de vraag op."}}
    submit(slack, view, question=QUESTION, answer=BOB_REPLY, user="U_NINA")
    [note] = posts_in(fake_slack, "C_GENERAL")
    # The note speaks the channel's language (its members' majority: Alice and Bob), not the saver's.
    assert "Saved to the knowledge base by nina as Q" in note["text"]
    [confirmation] = fake_slack.calls_to("chat.postEphemeral")
    assert "Opgeslagen als Q" in confirmation.params["text"]


def test_a_thread_without_replies_offers_nothing_to_save(slack: SlackServer, fake_slack: FakeSlack) -> None:
    seed_thread(fake_slack, replies=False)
    view = shortcut(slack, fake_slack)
    assert view is not None and "submit" not in view and inputs(view) == {}
    assert "no replies yet" in notice(view)


def test_a_forged_shortcut_or_submission_is_refused_before_anything_runs(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    seed_thread(fake_slack)
    assert shortcut(slack, fake_slack, secret="not-the-signing-secret") is None
    assert fake_slack.calls_to("views.open") == [] and fake_slack.calls_to("conversations.replies") == []
    view = shortcut(slack, fake_slack)
    assert view is not None
    status, _ = submit(slack, view, question=QUESTION, answer=BOB_REPLY, secret="not-the-signing-secret")
    assert status == 401
    status, _ = submit(slack, view, question=QUESTION, answer=BOB_REPLY, timestamp=1_600_000_000)  # replayed
    assert status == 401
    assert questions(sessions) == []


def test_a_private_channels_thread_stays_private(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    """Alice saves a thread of #secret-project: its members may find it, Bob (outside) may not, nothing goes public."""
    methods = fake_slack.methods
    methods.workspace.add_user("U_DAVE", "dave", real_name="Dave Developer")
    methods.workspace.channels["G_PRIVATE"]["_members"].append("U_DAVE")
    methods.add_message("G_PRIVATE", "U_DAVE", "Where is the launch checklist?", ts=ROOT)
    methods.add_message("G_PRIVATE", "U_ALICE", "In the secret wiki, page 7", ts=BOB_REPLY, thread_ts=ROOT)
    view = shortcut(slack, fake_slack, user="U_ALICE", channel="G_PRIVATE", channel_name="secret-project")
    assert view is not None
    submit(slack, view, question="Where is the launch checklist?", answer=BOB_REPLY, user="U_ALICE")

    [question] = questions(sessions)
    assert question.asker.external_id == "U_DAVE" and question.status is QuestionStatus.ACCEPTED
    with unit_of_work(sessions) as session:
        assert session.get(Question, question.id).conversation.kind is ConversationKind.PRIVATE  # type: ignore[union-attr]
    notes = [call.params for call in fake_slack.calls_to("chat.postMessage")]
    assert [(n["channel"], n["thread_ts"]) for n in notes] == [("G_PRIVATE", ROOT)]  # only in the thread itself

    form = fixture("command_ask.json", fake_slack.response_url())
    for user in ("U_BOB", "U_DAVE"):
        form.update(command="/kb", text="search launch checklist", user_id=user, user_name=user[2:].lower(),
                    channel_id="C_GENERAL", channel_name="general")
        assert slack.command(form).status == 200
        slack.settle()
    found = [json.dumps(call.params) for call in fake_slack.calls_to("response_url")]
    bob, dave = found[-2], found[-1]
    assert "Nothing found" in bob and "secret wiki" not in bob
    assert f"[Q{question.id}]" in dave and "secret wiki" in dave


def test_a_private_channel_kbbot_is_not_in_cannot_be_read_and_says_so(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    methods = fake_slack.methods
    methods.workspace.add_channel("G_HIDDEN", "hidden", is_private=True, members=["U_ALICE", "U_BOB"])
    methods.add_message("G_HIDDEN", "U_ALICE", "A question?", ts=ROOT)
    methods.add_message("G_HIDDEN", "U_BOB", "An answer.", ts=BOB_REPLY, thread_ts=ROOT)
    view = shortcut(slack, fake_slack, channel="G_HIDDEN", channel_name="hidden")
    assert view is not None and "submit" not in view and "can't read this conversation" in notice(view)
    assert questions(sessions) == []


def test_a_direct_message_is_not_made_knowledge(slack: SlackServer, fake_slack: FakeSlack,
                                                sessions: sessionmaker[Session]) -> None:
    fake_slack.methods.add_message("D_ALICE", "U_ALICE", "Can you keep a secret?", ts=ROOT)
    fake_slack.methods.add_message("D_ALICE", "U_ALICE", "Never mind", ts=BOB_REPLY, thread_ts=ROOT)
    view = shortcut(slack, fake_slack, user="U_ALICE", channel="D_ALICE", channel_name="directmessage")
    assert view is not None and "submit" not in view and "only the two of you" in notice(view)
    status, _ = submit(slack, view, question="Can you keep a secret?", answer=BOB_REPLY, user="U_ALICE")
    assert status == 200 and questions(sessions) == []  # a submission made up anyway changes nothing


def test_the_manifest_declares_the_message_shortcut_the_app_handles() -> None:
    from pathlib import Path

    import yaml

    from kbbot_adapters.slack import translate

    manifest = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yaml").read_text())
    [declared] = manifest["features"]["shortcuts"]
    assert declared == {"name": "Save to kbbot", "type": "message", "callback_id": translate.SAVE_CALLBACK,
                        "description": declared["description"]} and len(declared["description"]) <= 150
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert {"team_join", "member_joined_channel"} <= set(manifest["settings"]["event_subscriptions"]["bot_events"])


def test_saving_the_thread_of_kbbots_own_question_card_is_that_question(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    """Alice asked anonymously with /ask; Bob answered in the card's thread; Alice saves it: no second question."""
    from test_slack_conversations import all_text, ask, thread_reply

    ask(slack, fake_slack, text="--anon How do I get a parking permit?", user="U_ALICE")
    [card] = [c for c in fake_slack.calls_to("chat.postMessage") if "parking permit" in all_text(c.json_param("blocks"))]
    root = card.body["ts"]
    fake_slack.methods.add_message("C_GENERAL", "U_BOB", "Ask facilities, form F-12", ts="1700000100.000200",
                                   thread_ts=root)
    thread_reply(slack, "Ev0BOBPARKING", "U_BOB", root, "1700000100.000200", "Ask facilities, form F-12")
    [asked] = questions(sessions)
    assert asked.is_anonymous and asked.status is QuestionStatus.ANSWERED

    # Not Carol's to accept an answer for, nor to reword: it is Alice's question.
    refused = shortcut(slack, fake_slack, user="U_CAROL", message_ts=root, root=root)
    assert refused is not None and "submit" not in refused
    assert f"already question Q{asked.id}" in notice(refused)
    submit(slack, refused, question="Parking?", answer="1700000100.000200", user="U_CAROL")
    assert questions(sessions)[0].text == "How do I get a parking permit?" and questions(sessions)[0].answers[0].is_accepted is False

    view = shortcut(slack, fake_slack, user="U_ALICE", message_ts=root, root=root)
    assert view is not None and f"your question Q{asked.id}" in notice(view)
    assert inputs(view)["question"]["element"]["initial_value"] == "How do I get a parking permit?"
    assert inputs(view)["answer"]["element"]["initial_option"]["value"] == "1700000100.000200"  # the only reply
    submit(slack, view, question="How do I get a parking permit for the garage?", answer="1700000100.000200",
           user="U_ALICE")

    [question] = questions(sessions)
    assert question.id == asked.id and question.is_anonymous and question.asker.external_id == "U_ALICE"
    [updated] = fake_slack.calls_to("chat.update")  # the card shows the new wording, in place
    assert updated.params["ts"] == root and "for the garage" in all_text(updated.json_param("blocks"))
    assert question.status is QuestionStatus.ACCEPTED and [a.is_accepted for a in question.answers] == [True]
    [note] = [p for p in posts_in(fake_slack, "C_GENERAL") if p.get("thread_ts") == root and "Saved to" in p["text"]]
    # The asker saved her own anonymous question: the note names nobody who saved it.
    assert note["text"] == f"📌 Saved to the knowledge base as Q{question.id}, with bob's reply as the answer."


def test_a_question_its_asker_withdrew_is_not_published_again_by_a_colleague(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    from test_slack_conversations import all_text, ask

    ask(slack, fake_slack, text="Is the reorganisation going ahead?", user="U_ALICE")
    [card] = [c for c in fake_slack.calls_to("chat.postMessage") if "reorganisation" in all_text(c.json_param("blocks"))]
    root = card.body["ts"]
    fake_slack.methods.add_message("C_GENERAL", "U_BOB", "Yes, in March", ts="1700000100.000200", thread_ts=root)
    [asked] = questions(sessions)
    form = fixture("command_ask.json", fake_slack.response_url())
    form.update(command="/kb", text=f"withdraw {asked.id}", user_id="U_ALICE", user_name="alice")
    assert slack.command(form).status == 200
    slack.settle()

    view = shortcut(slack, fake_slack, user="U_ALICE", message_ts=root, root=root)
    assert view is not None and "submit" not in view and "took this question back" in notice(view)
    submit(slack, view, question="Is the reorganisation going ahead?", answer="1700000100.000200", user="U_ALICE")
    submit(slack, view, question="Is the reorganisation going ahead?", answer="1700000100.000200", user="U_BOB")
    [question] = questions(sessions)
    assert question.status.value == "withdrawn" and question.answers == []


def test_a_long_thread_offers_its_latest_replies_and_is_read_whole_when_saved(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    seed_thread(fake_slack, replies=False)
    replies = [fake_slack.methods.add_message("C_GENERAL", "U_BOB" if n % 2 else "U_CAROL", f"Idea number {n}",
                                              ts=f"1700001{n:03d}.000100", thread_ts=ROOT)["ts"] for n in range(250)]
    view = shortcut(slack, fake_slack)
    assert view is not None
    options = inputs(view)["answer"]["element"]["options"]
    assert [option["value"] for option in options] == replies[-100:]  # Slack's select holds 100
    assert "initial_option" not in inputs(view)["answer"]["element"]  # no sign which one answers: Bob chooses
    submit(slack, view, question=QUESTION, answer=replies[3])  # one read page by page after the ack
    [question] = questions(sessions)
    [answer] = question.answers
    assert answer.message_id == replies[3] and answer.text == "Idea number 3" and answer.is_accepted
    assert len(fake_slack.calls_to("conversations.replies")) >= 1 + 2  # the form's read, and two pages after
