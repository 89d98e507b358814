"""Messages the bot sends on its own, throttling, and private channels.

Proactive sends go through the Outbound that ``platform.attach`` returns,
called from a plain thread as the scheduler does, and reach people through
conversation references stored when the bot first heard from them.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from kbbot.contract.outbound import DeliveryFailed, RetryLater
from kbbot.contract.replies import DirectMessage, Destination, Post, Reply, Text
from kbbot_adapters.teams import platform
from kbbot_adapters.teams.retry import RetryPolicy
from teams_support import ids
from teams_support.activities import ALICE, BOB, DAAN, PRIVATE_CHANNEL_ID, channel_post, personal
from teams_support.harness import TeamsHarness, card_texts, load

pytest_plugins = ["teams_support.fixtures"]  # the fake, teams fixtures

PROMPT = "What did you learn this week?"


def _prompt(to: Destination) -> Reply:
    return Reply(text=PROMPT, blocks=[Text(text=PROMPT, style="heading")], to=to)


def test_a_proactive_dm_is_delivered_from_the_reference_stored_at_install(teams: TeamsHarness) -> None:
    install = load("personal_install", teams.fake)
    assert teams.post(install).status_code in (200, 201, 202)
    (welcome,) = teams.fake.sent  # the bot greets with what it can do
    assert welcome.conversation_id == ids.ALICE_PERSONAL_CONVERSATION_ID
    assert "What kbbot can do" in card_texts(welcome)

    assert teams.outbound is not None
    posted = teams.outbound.send(ids.TENANT_ID, _prompt(DirectMessage(person_id=ids.ALICE_ID)))
    activity_id = posted.message_id if posted else None

    sent = teams.fake.sent[1:]
    assert [s.kind for s in sent] == ["send"]  # no new conversation: the stored one is used
    assert sent[0].conversation_id == ids.ALICE_PERSONAL_CONVERSATION_ID
    assert sent[0].assigned_id == activity_id
    assert card_texts(sent[0]) == [PROMPT]


def test_a_proactive_post_to_a_channel_starts_a_new_conversation_there(teams: TeamsHarness) -> None:
    teams.post(channel_post(teams.fake, ALICE, "help"))
    mark = len(teams.fake.sent)
    posted = teams.outbound.send(ids.TENANT_ID, _prompt(Post(conversation_id=ids.CHANNEL_ID)))
    activity_id = posted.message_id if posted else None
    sent = teams.seen_since(mark)
    assert len(sent) == 1 and sent[0].kind == "create_conversation"
    assert sent[0].activity["channelData"] == {"channel": {"id": ids.CHANNEL_ID}}
    assert sent[0].assigned_id == activity_id
    assert card_texts(sent[0]) == [PROMPT]


def test_a_one_off_outbound_without_a_server_reaches_a_stored_person(teams: TeamsHarness) -> None:
    teams.post(personal(teams.fake, DAAN, "hulp"))
    mark = len(teams.fake.sent)
    one_off = platform.outbound(teams.settings, teams.sessions, teams.teams_settings)
    one_off.send(ids.TENANT_ID, _prompt(DirectMessage(person_id=ids.DAAN_ID)))
    one_off.send(ids.TENANT_ID, _prompt(DirectMessage(person_id=ids.DAAN_ID)))  # a second loop reuses the client and its token
    sent = teams.seen_since(mark)
    assert [(s.kind, s.conversation_id) for s in sent] == [("send", ids.DAAN_PERSONAL_CONVERSATION_ID)] * 2


def test_someone_the_bot_never_heard_of_in_an_unknown_tenant_is_a_delivery_failure(teams: TeamsHarness) -> None:
    with pytest.raises(DeliveryFailed):
        teams.outbound.send("another-tenant", _prompt(DirectMessage(person_id=ids.BOB_ID)))
    assert teams.fake.sent == []


def test_429_with_retry_after_is_waited_out_and_retried(teams: TeamsHarness) -> None:
    teams.fake.fail_next(status=429, retry_after=0.4, method="POST")
    started = time.monotonic()
    teams.post(personal(teams.fake, ALICE, "help"))
    elapsed = time.monotonic() - started

    assert [c.status for c in teams.fake.connector_calls] == [429, 200]
    assert elapsed >= 0.4
    assert "What kbbot can do" in card_texts(teams.fake.sent[0])


def test_throttling_that_does_not_end_becomes_retry_later_for_the_scheduler(teams: TeamsHarness) -> None:
    teams.post(load("personal_install", teams.fake))
    mark = len(teams.fake.sent)
    teams.fake.fail_next(10, status=429, retry_after=45, method="POST")
    with pytest.raises(RetryLater) as raised:
        teams.outbound.send(ids.TENANT_ID, _prompt(DirectMessage(person_id=ids.ALICE_ID)))
    assert raised.value.retry_after == 45
    assert teams.seen_since(mark) == []


def test_a_transient_error_is_retried_and_a_refusal_is_not(teams: TeamsHarness) -> None:
    teams.post(load("personal_install", teams.fake))
    mark = len(teams.fake.connector_calls)
    teams.fake.fail_next(status=503, method="POST")
    teams.outbound.send(ids.TENANT_ID, _prompt(DirectMessage(person_id=ids.ALICE_ID)))
    assert [c.status for c in teams.fake.connector_calls[mark:]] == [503, 200]

    teams.fake.fail_next(status=403, method="POST", body={"error": {"code": "ConversationBlockedByUser"}})
    with pytest.raises(DeliveryFailed):
        teams.outbound.send(ids.TENANT_ID, _prompt(DirectMessage(person_id=ids.ALICE_ID)))
    assert [c.status for c in teams.fake.connector_calls[mark:]] == [503, 200, 403]


def test_a_post_whose_outcome_is_unknown_is_not_sent_twice(teams: TeamsHarness) -> None:
    teams.post(load("personal_install", teams.fake))
    mark = len(teams.fake.connector_calls)
    teams.fake.fail_next(status=504, method="POST")  # the gateway timed out: Teams may have posted it
    with pytest.raises(DeliveryFailed):
        teams.outbound.send(ids.TENANT_ID, _prompt(DirectMessage(person_id=ids.ALICE_ID)))
    assert [c.status for c in teams.fake.connector_calls[mark:]] == [504]


def test_a_private_channel_question_is_hidden_from_a_non_member(teams: TeamsHarness) -> None:
    members = {m["id"]: m for m in ids.DEFAULT_MEMBERS}
    teams.fake.set_roster(PRIVATE_CHANNEL_ID, [members[ids.ALICE_ID], members[ids.DAAN_ID]])
    question = channel_post(teams.fake, ALICE, "ask Where is the payroll outage runbook? #payroll",
                            fixture="private_channel_mention")
    teams.post(question)
    card = teams.fake.sent[0]
    assert card.conversation_id == f"{PRIVATE_CHANNEL_ID};messageid={question['id']}"

    # Bob is not in the private channel: nothing of it reaches him.
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, BOB, "search payroll runbook"))
    bob_sees = "\n".join(t for s in teams.seen_since(mark) for t in card_texts(s))
    assert "payroll outage runbook" not in bob_sees
    assert "Nothing found" in bob_sees

    # Daan never spoke there, but Teams says he is a member: he finds it.
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, DAAN, "zoek payroll runbook"))
    daan_sees = "\n".join(t for s in teams.seen_since(mark) for t in card_texts(s))
    assert "Where is the payroll outage runbook?" in daan_sees


def test_a_member_who_left_a_private_channel_silently_loses_sight_within_the_hour(teams: TeamsHarness) -> None:
    from datetime import timedelta

    from kbbot_adapters.teams.roster import RESYNC_EVERY

    members = {m["id"]: m for m in ids.DEFAULT_MEMBERS}
    teams.fake.set_roster(PRIVATE_CHANNEL_ID, [members[ids.ALICE_ID], members[ids.DAAN_ID]])
    teams.post(channel_post(teams.fake, ALICE, "ask Where is the payroll outage runbook? #payroll",
                            fixture="private_channel_mention"))
    teams.fake.set_roster(PRIVATE_CHANNEL_ID, [members[ids.ALICE_ID]])  # Daan left; Teams sent no event
    roster = teams.roster
    synced = roster._synced[PRIVATE_CHANNEL_ID]
    roster._synced[PRIVATE_CHANNEL_ID] = synced - RESYNC_EVERY - timedelta(seconds=1)  # an hour went by
    teams.post(channel_post(teams.fake, ALICE, "ask Who signs off payroll changes?", fixture="private_channel_mention"))
    mark = len(teams.fake.sent)
    teams.post(personal(teams.fake, DAAN, "zoek payroll runbook"))
    daan_sees = "\n".join(t for s in teams.seen_since(mark) for t in card_texts(s))
    assert "payroll outage runbook" not in daan_sees


def test_results_asked_for_in_a_channel_go_to_the_persons_own_chat(teams: TeamsHarness) -> None:
    teams.post(channel_post(teams.fake, BOB, "search vpn"))
    # Teams has no "only you can see this" in channels: private replies go to the person's 1:1 chat.
    opened, sent = teams.fake.sent
    assert opened.kind == "create_conversation" and opened.activity["members"] == [{"id": ids.BOB_ID}]
    assert opened.activity["isGroup"] is False
    assert sent.kind == "send" and sent.conversation_id == opened.conversation_id
    assert not sent.conversation_id.startswith("19:")
    assert "Nothing found" in " ".join(card_texts(sent))


def test_after_a_team_install_the_bot_can_post_in_the_general_channel(teams: TeamsHarness) -> None:
    teams.post(load("team_install", teams.fake))
    teams.outbound.send(ids.TENANT_ID, _prompt(Post(conversation_id=ids.TEAM_ID)))
    (sent,) = teams.fake.sent
    assert sent.kind == "create_conversation"
    assert sent.activity["channelData"] == {"channel": {"id": ids.TEAM_ID}}


def test_azure_ad_trouble_is_retry_later_and_wrong_credentials_a_delivery_failure(
        teams: TeamsHarness, sessions) -> None:
    teams.post(load("personal_install", teams.fake))
    mark = len(teams.fake.sent)
    # A process of its own (no token yet), as ``kbbot digest send --now`` would be.
    one_off = platform.outbound(teams.settings, sessions, teams.teams_settings)
    one_off.courier.policy = RetryPolicy(attempts=2, base_delay=0.01)  # type: ignore[attr-defined]
    teams.fake.fail_next(status=503, route="token")
    # MSAL remembers a failing token endpoint for a while: the scheduler is told to come back later.
    with pytest.raises(RetryLater):
        one_off.send(ids.TENANT_ID, _prompt(DirectMessage(person_id=ids.ALICE_ID)))
    assert teams.seen_since(mark) == []

    wrong = teams.teams_settings.model_copy(update={"app_password": "not-the-secret"})
    with pytest.raises(DeliveryFailed, match="token"):
        platform.outbound(teams.settings, sessions, wrong).send(ids.TENANT_ID, _prompt(DirectMessage(person_id=ids.ALICE_ID)))
    assert teams.seen_since(mark) == []
    assert [r.status for r in teams.fake.token_requests][-1] == 401


def test_a_reply_waits_out_a_retry_after_the_scheduler_would_be_told_to_come_back_for(teams: TeamsHarness) -> None:
    assert teams.service is not None
    teams.service.courier.policy = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.1)
    teams.post(load("personal_install", teams.fake))
    mark = len(teams.fake.sent)

    teams.fake.fail_next(status=429, retry_after=0.3, method="POST")
    with pytest.raises(RetryLater) as raised:  # the scheduler: told at once, it retries on its own clock
        teams.outbound.send(ids.TENANT_ID, _prompt(DirectMessage(person_id=ids.ALICE_ID)))
    assert raised.value.retry_after == pytest.approx(0.3)

    teams.fake.fail_next(status=429, retry_after=0.3, method="POST")
    teams.post(personal(teams.fake, ALICE, "help"))  # Alice, waiting for her answer, gets it after the pause
    assert [card_texts(s)[0] for s in teams.seen_since(mark)] == ["What kbbot can do"]


def test_a_question_card_finished_by_a_sweep_still_goes_under_the_askers_post(teams: TeamsHarness) -> None:
    """The serving process could not deliver (Teams asked for 5 minutes' patience); another finishes it."""
    from sqlalchemy import update

    from kbbot.store.db import unit_of_work
    from kbbot.store.models import OutboxReply
    from kbbot_adapters.hosting.server import sweep_once

    teams.post(personal(teams.fake, BOB, "expertise add vpn"))
    teams.fake.fail_next(status=429, retry_after=300, method="POST")
    mark = len(teams.fake.sent)
    post = channel_post(teams.fake, ALICE, "ask How do I rotate the VPN certificate? #vpn")
    teams.post(post)
    assert teams.seen_since(mark) == []  # the card and the expert's invitation wait in the outbox

    with unit_of_work(teams.sessions) as session:  # five minutes later
        session.execute(update(OutboxReply).values(due_at=OutboxReply.due_at - timedelta(minutes=6)))
    assert teams.outbound is not None
    sweep_once(teams.settings, teams.sessions, {"teams": teams.outbound})

    card, invite = teams.seen_since(mark)
    root = post["id"]
    assert card.kind == invite.kind == "reply"
    assert card.conversation_id == invite.conversation_id == f"{ids.CHANNEL_ID};messageid={root}"
    assert card.target_activity_id == root
    assert "How do I rotate the VPN certificate?" in card_texts(card)
    assert "<at>Bob Example</at>" in card_texts(invite)[0]


def test_someone_who_removes_kbbot_from_their_chat_gets_nothing_until_they_add_it_again(
        teams: TeamsHarness) -> None:
    from datetime import UTC, datetime

    from kbbot.scheduler.delivery import Deliverer
    from kbbot.scheduler.pacing import Pacer
    from kbbot.weekly.schedules import DIGEST

    def digest_round() -> str:  # every digest of the past week still due
        return str(Deliverer(teams.settings, teams.sessions, {"teams": teams.outbound}, kinds=frozenset({DIGEST}),
                             grace=timedelta(days=8), pacer=Pacer(sleep=lambda _s: None)).run())

    teams.post(load("personal_install", teams.fake))
    now = datetime.now(UTC)
    removal = load("personal_uninstall", teams.fake, timestamp=now.isoformat())
    assert teams.post(removal).status_code in (200, 201, 202)
    mark = len(teams.fake.sent)
    assert digest_round() == "nothing due"
    assert teams.seen_since(mark) == []  # not even an attempt to write to her

    again = load("personal_uninstall", teams.fake, id="f:1fake-reinstall-id",
                 timestamp=(now + timedelta(seconds=5)).isoformat(), action="add")
    teams.post(again)  # she adds kbbot again and is greeted with what it can do
    assert "What kbbot can do" in card_texts(teams.seen_since(mark)[-1])
    assert digest_round() in ("empty 1", "sent 1")
