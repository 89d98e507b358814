"""Answer owners, verification, leavers and guests on Slack: the real Bolt app over HTTP, Slack faked on loopback.

Bob's accepted answer shows who said it is still right; when Slack says Bob
left (``user_change`` with ``deleted``), his answer stays credited to him and
Carol, the remaining #postgres expert, looks after it. Dave is a guest
(``is_restricted``): he sees the channel he is in, never the private one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.db import unit_of_work
from kbbot.store.models import Answer, AnswerCare, Person
from slack_support.fake_web_api import RESPONSE_URL_METHOD, FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture
from test_slack_conversations import ANSWER, all_text, ask, buttons, question_card, thread_reply

TODAY = datetime.now(UTC).date().isoformat()


def kb(slack: SlackServer, fake: FakeSlack, user: str, text: str, channel: str = "C_GENERAL",
       channel_name: str = "general", command: str = "/kb") -> str:
    """``user`` types ``/kb text``; what they privately see (every ephemeral answer, joined)."""
    fake.clear()
    form = fixture("command_ask.json", fake.response_url())
    form.update(command=command, user_id=user, user_name=user.removeprefix("U_").lower(), text=text,
                channel_id=channel, channel_name=channel_name)
    assert slack.command(form).status == 200
    slack.settle()
    return "\n".join(all_text(call.params["blocks"]) for call in fake.calls_to(RESPONSE_URL_METHOD))


def _accepted(slack: SlackServer, fake: FakeSlack) -> str:
    """Alice asks in #general, Bob answers in the thread, Alice accepts with ✅; the card's ts."""
    ask(slack, fake)
    ts = question_card(fake).body["ts"]
    thread_reply(slack, "Ev0BOBANSWER", "U_BOB", ts, "1700000100.000200", ANSWER)
    reaction = fixture("event_reaction_added.json")
    reaction["event"]["item"]["ts"] = "1700000100.000200"
    assert slack.event(reaction).status == 200
    slack.settle()
    return ts


def _user_change(slack: SlackServer, fake: FakeSlack, user_id: str, event_id: str, **changes: object) -> None:
    user = {**fake.methods.workspace.users[user_id], **changes}
    user.pop("_locale", None)
    envelope = {"token": "XXYYZZ", "team_id": "T0001", "api_app_id": "A_KBBOT", "type": "event_callback",
                "event_id": event_id, "event_time": 1700000500,
                "event": {"type": "user_change", "user": user, "cache_ts": 1700000500,
                          "event_ts": "1700000500.000100"}}
    assert slack.event(envelope).status == 200
    slack.settle()


def test_verification_is_shown_in_search_and_refused_without_rights(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    _accepted(slack, fake_slack)
    fake_slack.methods.workspace.add_user("U_ERIN", "erin")
    assert f"not verified since {TODAY}" in kb(slack, fake_slack, "U_ERIN", "search rotate staging database password")
    refused = kb(slack, fake_slack, "U_ERIN", "verify 1")
    assert "Only the answer's owner or an expert in its tags" in refused
    with unit_of_work(sessions) as session:
        assert session.get(AnswerCare, 1) is None
    assert "answer 1 is marked still right" in kb(slack, fake_slack, "U_BOB", "verify 1")
    found = kb(slack, fake_slack, "U_ERIN", "search rotate staging database password")
    assert f"✔ verified by bob, {TODAY}" in found
    # Handed over by a Slack mention (as Slack sends it, escaped): Erin is told in her DM.
    fake_slack.clear()
    assert "erin now looks after answer 1" in kb(slack, fake_slack, "U_BOB", "owner 1 <@U_ERIN|erin>")
    told = [all_text(c.json_param("blocks")) for c in fake_slack.calls_to("chat.postMessage")
            if c.params["channel"] == "U_ERIN"]
    assert any("bob handed answer 1 to you" in text for text in told), told
    with unit_of_work(sessions) as session:
        assert session.get(AnswerCare, 1).owner.external_id == "U_ERIN"


def test_a_leaver_keeps_the_credit_and_the_best_remaining_expert_looks_after_the_answer(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    _accepted(slack, fake_slack)
    fake_slack.methods.workspace.add_user("U_CAROL", "carol")
    assert "postgres" in kb(slack, fake_slack, "U_CAROL", "add postgres", command="/expertise")
    _user_change(slack, fake_slack, "U_BOB", "Ev0BOBLEFT", deleted=True)
    with unit_of_work(sessions) as session:
        bob, carol = (session.scalars(select(Person).where(Person.external_id == who)).one()
                      for who in ("U_BOB", "U_CAROL"))
        answer = session.get(Answer, 1)
        assert answer.author_id == bob.id and bob.left_at is not None and not bob.is_active
        assert answer.care.owner_id == carol.id and answer.care.handed_over_because == "left"
    # The answer still reads as Bob's, and Carol, who looks after it now, may verify it.
    assert "bob" in kb(slack, fake_slack, "U_CAROL", "search rotate staging database password")
    assert "marked still right" in kb(slack, fake_slack, "U_CAROL", "verify 1")
    _user_change(slack, fake_slack, "U_BOB", "Ev0BOBLEFT")  # Slack delivers it again: nothing more happens
    with unit_of_work(sessions) as session:
        assert session.get(AnswerCare, 1).owner_id == carol.id


def test_a_guest_sees_only_the_conversations_they_are_in(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    ws = fake_slack.methods.workspace
    ws.add_user("U_DAVE", "dave")
    ws.users["U_DAVE"]["is_restricted"] = True  # a multi-channel guest: a retired colleague kept as an expert
    ws.add_channel("C_RANDOM", "random", members=["U_ALICE", "U_BOB", "U_KBBOT"])
    _accepted(slack, fake_slack)  # in #general
    ask(slack, fake_slack, text="Who maintains the replica failover runbook? #postgres",
        channel="C_RANDOM", channel_name="random")
    ask(slack, fake_slack, text="Where is the vault token for the secret project? #postgres",
        channel="G_PRIVATE", channel_name="privategroup")
    assert "failover runbook" in kb(slack, fake_slack, "U_ALICE", "search replica failover runbook")
    assert "secret project" in kb(slack, fake_slack, "U_ALICE", "search vault token secret project")
    # Dave searches from #general, where he is a member.
    assert "rotate the staging database password" in kb(slack, fake_slack, "U_DAVE", "search staging database password")
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Person.is_guest).where(Person.external_id == "U_DAVE")).one() is True
    assert "Nothing found" in kb(slack, fake_slack, "U_DAVE", "search replica failover runbook")  # public, not his
    assert "for the secret project" not in kb(slack, fake_slack, "U_DAVE", "search vault token secret project")
    # /ask shows him no suggestion from either: his question is simply posted.
    kb(slack, fake_slack, "U_DAVE", "Who maintains the replica failover runbook now?", command="/ask")
    posted = [all_text(c.json_param("blocks")) for c in fake_slack.calls_to("chat.postMessage")]
    assert any("Question from dave" in text and "runbook now" in text for text in posted), posted
    # /experts names him as a guest once he declares the topic.
    kb(slack, fake_slack, "U_DAVE", "add postgres", command="/expertise")
    experts = kb(slack, fake_slack, "U_ALICE", "postgres", command="/experts")
    assert "dave" in experts and "guest" in experts
