"""What Slack's delivery rules demand: verified requests, exactly-once effects, no silent loss, no pings.

Each request goes over real HTTP to the real Bolt app; the database is the
real one (SQLite or PostgreSQL), and only Slack's servers are faked.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.pipeline import inbox, outbox
from kbbot.scheduler import ledger
from kbbot.scheduler.delivery import Deliverer
from kbbot.scheduler.ledger import Wanted
from kbbot.scheduler.pacing import Pacer
from kbbot.store.scheduling import Delivery
from kbbot.weekly.schedules import PROMPT
from kbbot.config import Settings
from kbbot.store.db import make_engine, session_factory, unit_of_work
from kbbot.store.models import InboundEvent, OutboxReply, Question
from kbbot_adapters.hosting.server import sweep_once
from kbbot_adapters.slack import platform, translate
from kbbot_adapters.slack.settings import SlackSettings
from slack_support.fake_web_api import RESPONSE_URL_METHOD, FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture, running_slack_server
from test_slack_conversations import ANSWER, all_text, ask, question_card, thread_reply


def count(sessions: sessionmaker[Session], model: type) -> int:
    with unit_of_work(sessions) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_forged_or_replayed_requests_are_rejected_before_kbbot_sees_them(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    forged = slack.event(fixture("event_app_mention.json"), secret="not-the-signing-secret")
    replayed = slack.event(fixture("event_app_mention.json"), timestamp=int(time.time()) - 6 * 60)
    slack.settle()
    assert (forged.status, replayed.status) == (401, 401)
    assert count(sessions, InboundEvent) == 0
    assert fake_slack.calls == []
    assert slack.event(fixture("event_app_mention.json")).status == 200  # the same request, properly signed


def test_retried_deliveries_change_nothing_and_post_nothing_twice(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    mention = fixture("event_app_mention.json")
    assert slack.event(mention).status == 200
    slack.settle()
    assert slack.event(mention, retry_num=1).status == 200
    assert slack.event(mention, retry_num=2).status == 200
    slack.settle()
    assert count(sessions, Question) == 1
    [card] = [c for c in fake_slack.calls_to("chat.postMessage") if "Question from" in all_text(c.json_param("blocks"))]

    ts = card.body["ts"]
    thread_reply(slack, "Ev0BOBANSWER", "U_BOB", ts, "1700000100.000200", ANSWER)
    thread_reply(slack, "Ev0BOBANSWER", "U_BOB", ts, "1700000100.000200", ANSWER)
    assert len([c for c in fake_slack.calls_to("chat.postMessage") if c.params["channel"] == "U_ALICE"]) == 1


def test_when_the_database_or_slack_is_down_the_event_is_not_acknowledged_and_its_retry_is_processed(
        settings: Settings, slack_settings: SlackSettings, fake_slack: FakeSlack, sessions: sessionmaker[Session],
        db_url: str) -> None:
    down_url = ("postgresql+psycopg://postgres@127.0.0.1:1/down?connect_timeout=2" if db_url.startswith("postgres")
                else "sqlite:////nonexistent-kbbot-dir/kbbot.db")
    down = make_engine(down_url)
    mention = fixture("event_app_mention.json")
    try:
        with running_slack_server(settings, session_factory(down), slack_settings) as broken:
            answer = broken.event(mention)
            broken.settle()
        assert answer.status >= 500
        assert fake_slack.calls_to("chat.postMessage") == []
    finally:
        down.dispose()

    with running_slack_server(settings, sessions, slack_settings) as healthy:
        fake_slack.fail("auth.test", "internal_error")  # and Slack itself hiccups while kbbot checks its token
        assert healthy.event(mention, retry_num=1).status >= 500
        assert healthy.event(mention, retry_num=2).status == 200
        healthy.settle()
    assert count(sessions, Question) == 1
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


def test_a_mass_mention_in_a_question_is_shown_but_pings_nobody(
        slack: SlackServer, fake_slack: FakeSlack) -> None:
    ask(slack, fake_slack, text="<!channel> <!here> <!subteam^S0123|@oncall> who owns the VPN config? #vpn")
    card = question_card(fake_slack)
    rendered = str(card.json_param("blocks")) + card.params["text"]
    for broadcast in ("<!channel>", "<!here>", "<!subteam", "<!everyone>"):
        assert broadcast not in rendered
    shown = all_text(card.json_param("blocks"))
    assert "@\u2060channel" in shown and "@\u2060here" in shown and "@\u2060oncall" in shown
    assert "who owns the VPN config?" in shown


def test_a_private_channel_question_is_hidden_from_a_non_member(
        slack: SlackServer, fake_slack: FakeSlack) -> None:
    ask(slack, fake_slack, text="What is the launch date of Project Falcon? #falcon", channel="G_PRIVATE",
        channel_name="privategroup")
    ts = question_card(fake_slack).body["ts"]
    envelope = fixture("event_message.json")
    envelope["event"].update(channel="G_PRIVATE", channel_type="group", thread_ts=ts, text="March 3rd, keep it quiet")
    assert slack.event(envelope).status == 200
    slack.settle()
    fake_slack.clear()

    form = fixture("command_ask.json", fake_slack.response_url())
    form.update(command="/kb", text="search Falcon launch date", user_id="U_CAROL", user_name="carol")
    assert slack.command(form).status == 200
    slack.settle()
    [carol_sees] = fake_slack.calls_to(RESPONSE_URL_METHOD)
    assert "Falcon" not in all_text(carol_sees.params["blocks"]).replace("Falcon launch date", "")
    assert "March" not in str(carol_sees.params)

    fake_slack.clear()
    form.update(user_id="U_ALICE", user_name="alice")
    assert slack.command(form).status == 200
    slack.settle()
    [alice_sees] = fake_slack.calls_to(RESPONSE_URL_METHOD)
    assert "launch date of Project Falcon" in all_text(alice_sees.params["blocks"])

    fake_slack.clear()  # nor is it suggested to her when she asks the same in a public channel
    ask(slack, fake_slack, user="U_CAROL", text="What is the launch date of Project Falcon?")
    assert "March" not in str([c.params for c in fake_slack.calls])
    [carols_question] = fake_slack.calls_to("chat.postMessage")  # no suggestion: asked straight away
    assert carols_question.params["channel"] == "C_GENERAL"

    fake_slack.clear()  # while a member asking the same is shown the existing answer first
    ask(slack, fake_slack, user="U_ALICE", text="What is the launch date of Project Falcon?")
    assert fake_slack.calls_to("chat.postMessage") == []
    [suggestion] = fake_slack.calls_to(RESPONSE_URL_METHOD)
    assert "/archives/G_PRIVATE/" in all_text(suggestion.params["blocks"])  # the private question, linked


def search(slack: SlackServer, fake: FakeSlack, user: str, words: str, channel: str = "C_GENERAL",
           channel_name: str = "general") -> str:
    fake.clear()
    form = fixture("command_ask.json", fake.response_url())
    form.update(command="/kb", text=f"search {words}", user_id=user, user_name=user.removeprefix("U_").lower(),
                channel_id=channel, channel_name=channel_name)
    assert slack.command(form).status == 200
    slack.settle()
    [shown] = fake.calls_to(RESPONSE_URL_METHOD)
    return all_text(shown.params["blocks"])


def test_someone_who_leaves_a_private_channel_stops_seeing_its_questions(
        slack: SlackServer, fake_slack: FakeSlack) -> None:
    fake_slack.methods.workspace.channels["G_PRIVATE"]["_members"].append("U_BOB")
    ask(slack, fake_slack, text="When does Project Falcon launch? #falcon", channel="G_PRIVATE",
        channel_name="privategroup")
    ts = question_card(fake_slack).body["ts"]
    envelope = fixture("event_message.json")
    envelope["event"].update(channel="G_PRIVATE", channel_type="group", thread_ts=ts, text="March 3rd")
    assert slack.event(envelope).status == 200
    slack.settle()
    assert "Project Falcon launch" in search(slack, fake_slack, "U_BOB", "Falcon launch")

    fake_slack.methods.workspace.channels["G_PRIVATE"]["_members"].remove("U_BOB")
    assert slack.event(fixture("event_member_left_channel.json")).status == 200
    slack.settle()
    assert "Project Falcon launch" not in search(slack, fake_slack, "U_BOB", "Falcon launch")
    assert "Project Falcon launch" in search(slack, fake_slack, "U_ALICE", "Falcon launch")


def test_when_kbbot_is_removed_from_a_private_channel_its_questions_are_shown_to_no_one(
        slack: SlackServer, fake_slack: FakeSlack) -> None:
    ask(slack, fake_slack, text="When does Project Falcon launch? #falcon", channel="G_PRIVATE",
        channel_name="privategroup")
    assert "Project Falcon launch" in search(slack, fake_slack, "U_ALICE", "Falcon launch")
    fake_slack.fail("conversations.members", "not_in_channel", times=5)
    assert slack.event(fixture("event_member_left_channel.json")).status == 200  # acked, not retried forever
    slack.settle()
    # kbbot can no longer tell who is in there, so nobody is taken to be.
    assert "Project Falcon launch" not in search(slack, fake_slack, "U_ALICE", "Falcon launch")


def test_a_channel_made_private_hides_its_questions_from_non_members_at_once(
        slack: SlackServer, fake_slack: FakeSlack) -> None:
    ask(slack, fake_slack, text="Where is the office wifi password kept? #office")
    ts = question_card(fake_slack).body["ts"]
    thread_reply(slack, "Ev0BOBANSWER", "U_BOB", ts, "1700000100.000200", "In the vault, entry office-wifi")
    from_her_dm = {"channel": "D_CAROL", "channel_name": "directmessage"}
    assert "[Q1] Where is the office wifi" in search(slack, fake_slack, "U_CAROL", "office wifi", **from_her_dm)

    fake_slack.methods.workspace.channels["C_GENERAL"]["_members"] = ["U_ALICE", "U_BOB", "U_KBBOT"]
    assert slack.event(fixture("event_channel_convert_to_private.json")).status == 200
    slack.settle()
    assert "[Q1]" not in search(slack, fake_slack, "U_CAROL", "office wifi", **from_her_dm)
    assert "[Q1] Where is the office wifi" in search(slack, fake_slack, "U_BOB", "office wifi",
                                                     channel="D_BOB", channel_name="directmessage")


def test_an_event_a_dead_replica_acknowledged_is_finished_by_the_sweeper_through_slack(
        settings: Settings, slack_settings: SlackSettings, fake_slack: FakeSlack,
        sessions: sessionmaker[Session]) -> None:
    """kbbot serve's sweeper sends a batch reply by reply; the experts' mention still lands in the thread."""
    port = platform.outbound(settings, sessions, slack_settings)
    declare = translate.command({**fixture("command_ask.json"), "user_id": "U_BOB", "command": "/expertise",
                                 "text": "add postgres", "trigger_id": "t-bob"}, "channel")
    question = translate.command(fixture("command_ask.json"), "channel")
    inbox.receive(sessions, declare, settings, datetime.now(UTC))
    assert inbox.accept(sessions, question, datetime.now(UTC) - timedelta(minutes=10))  # acked, then the replica died

    assert sweep_once(settings, sessions, {"slack": port}) == 1
    card, invitation = fake_slack.calls_to("chat.postMessage")
    assert "Question from" in all_text(card.json_param("blocks"))
    assert invitation.params["thread_ts"] == card.body["ts"]
    assert "<@U_BOB>" in str(invitation.json_param("blocks"))
    assert sweep_once(settings, sessions, {"slack": port}) == 0


def test_a_large_private_channel_is_synced_page_by_page_after_the_ack(
        slack: SlackServer, fake_slack: FakeSlack) -> None:
    ask(slack, fake_slack, text="When does Project Falcon launch? #falcon", channel="G_PRIVATE",
        channel_name="privategroup")
    crowd = [f"U_P{n:04d}" for n in range(450)]
    fake_slack.methods.workspace.add_user("U_LAST", "last")
    fake_slack.methods.workspace.channels["G_PRIVATE"]["_members"] = ["U_ALICE", *crowd, "U_LAST"]
    fake_slack.clear()
    fake_slack.slow("conversations.members", 1.0)  # three pages: three seconds, Slack's whole deadline
    answer = slack.event(fixture("event_member_left_channel.json"))
    assert answer.status == 200 and answer.seconds < 1.0  # Slack had its answer before the first page
    slack.settle()
    fake_slack.slow("conversations.members", 0.0)
    assert len(fake_slack.calls_to("conversations.members")) == 3  # 452 members, 200 a page
    # Someone on the last page may see the channel's question; Bob, who is not in it, may not.
    assert "Project Falcon launch" in search(slack, fake_slack, "U_LAST", "Falcon launch", channel="D_LAST",
                                             channel_name="directmessage")
    assert "Project Falcon launch" not in search(slack, fake_slack, "U_BOB", "Falcon launch")


def test_a_reply_posted_just_before_its_process_died_is_found_again_not_posted_twice(
        settings: Settings, slack_settings: SlackSettings, fake_slack: FakeSlack,
        sessions: sessionmaker[Session]) -> None:
    """The process posted the card, then died before recording it: the sweep finds the card by its key."""
    port = platform.outbound(settings, sessions, slack_settings)
    declare = translate.command({**fixture("command_ask.json"), "user_id": "U_BOB", "command": "/expertise",
                                 "text": "add postgres", "trigger_id": "t-bob"}, "channel")
    question = translate.command(fixture("command_ask.json"), "channel")
    inbox.receive(sessions, declare, settings, datetime.now(UTC))
    long_ago = datetime.now(UTC) - timedelta(minutes=20)  # its lease has ended since
    assert inbox.accept(sessions, question, long_ago)
    card, invitation = inbox.process_to_outbox(sessions, question, settings, long_ago, {})
    outbox.through(port)(card)  # posted; the process dies before the outbox hears of it
    fake_slack.clear()

    sweep_once(settings, sessions, {"slack": port})
    assert len(fake_slack.calls_to("conversations.history")) == 1
    [mention] = fake_slack.calls_to("chat.postMessage")  # the invitation only: the card was found, not re-posted
    [posted_card] = [m for m in fake_slack.methods.messages.values() if "Question from" in all_text(m.get("blocks"))]
    assert mention.params["thread_ts"] == posted_card["ts"]  # and its thread was recorded from what was found
    assert "<@U_BOB>" in str(mention.json_param("blocks"))
    assert count(sessions, OutboxReply) == 0


def test_a_reply_whose_first_post_is_not_found_is_posted_once(
        settings: Settings, slack_settings: SlackSettings, fake_slack: FakeSlack,
        sessions: sessionmaker[Session]) -> None:
    """The process died before posting anything: looking finds nothing, and the card goes out once."""
    port = platform.outbound(settings, sessions, slack_settings)
    question = translate.command(fixture("command_ask.json"), "channel")
    long_ago = datetime.now(UTC) - timedelta(minutes=20)
    assert inbox.accept(sessions, question, long_ago)
    inbox.process_to_outbox(sessions, question, settings, long_ago, {})

    sweep_once(settings, sessions, {"slack": port})
    [card] = fake_slack.calls_to("chat.postMessage")
    assert "Question from" in all_text(card.json_param("blocks"))
    assert card.json_param("metadata")["event_type"] == "kbbot_reply"
    assert sweep_once(settings, sessions, {"slack": port}) == 0 and len(fake_slack.calls_to("chat.postMessage")) == 1


class _StopsBeforeMarking(Deliverer):
    """A scheduler process that dies right after Slack took its message, before the ledger heard so."""

    def _mark_sent(self, claim: ledger.Claim, wanted: Wanted, message_id: str | None) -> None:
        return None


def test_a_prompt_posted_just_before_its_scheduler_died_is_found_again_not_sent_twice(
        slack: SlackServer, settings: Settings, slack_settings: SlackSettings, fake_slack: FakeSlack,
        sessions: sessionmaker[Session]) -> None:
    assert slack.event(fixture("event_app_home_opened.json")).status == 200  # Bob, in workspace T0001
    slack.settle()
    port = platform.outbound(settings, sessions, slack_settings)
    quick = Pacer(sleep=lambda _s: None)
    _StopsBeforeMarking(settings, sessions, {"slack": port}, kinds=frozenset({PROMPT}), grace=timedelta(days=8),
                        pacer=quick).run()
    [prompt] = [c for c in fake_slack.calls_to("chat.postMessage") if c.params["channel"] == "U_BOB"]
    assert prompt.json_param("metadata")["event_payload"]["key"].startswith("kbbot-delivery-")

    later = Deliverer(settings, sessions, {"slack": port}, kinds=frozenset({PROMPT}), grace=timedelta(days=8),
                      pacer=quick, clock=lambda: datetime.now(UTC) + ledger.LEASE + timedelta(minutes=1))
    assert "sent 1" in str(later.run())  # the stale claim is taken up again, and found posted
    assert len([c for c in fake_slack.calls_to("chat.postMessage") if c.params["channel"] == "U_BOB"]) == 1
    assert len(fake_slack.calls_to("conversations.history")) == 1
    with unit_of_work(sessions) as session:
        assert session.scalars(select(Delivery.status).where(Delivery.kind == PROMPT)).all() == ["sent"]
