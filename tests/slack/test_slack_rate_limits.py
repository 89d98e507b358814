"""Slack says "slow down" (429) or the network fails: acks stay fast, every message is posted exactly once."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.outbound import DeliveryFailed, RetryLater
from kbbot.contract.replies import DirectMessage, HomeView, Post, Reply, Text
from kbbot.store.db import unit_of_work
from kbbot.store.models import Question
from kbbot_adapters.slack import platform
from kbbot_adapters.slack.clients import RATE_LIMIT_RETRIES
from kbbot_adapters.slack.settings import SlackSettings
from slack_support.fake_web_api import FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture
from test_slack_conversations import all_text

RETRY_AFTER = 0.5


def mention(number: int) -> dict:
    envelope = fixture("event_app_mention.json")
    envelope["event_id"] = f"Ev0STORM{number:04d}"
    ts = f"17000010{number:02d}.000100"
    envelope["event"].update(ts=ts, event_ts=ts, text=f"<@U_KBBOT> storm question number {number}?")
    return envelope


def test_a_429_storm_ends_with_each_question_posted_exactly_once_and_acks_stay_fast(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    assert slack.event(mention(99)).status == 200  # a first request warms Bolt's auth.test cache
    slack.settle()
    fake_slack.clear()
    fake_slack.rate_limit("chat.postMessage", times=12, retry_after=RETRY_AFTER)  # every post: two 429s
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(slack.event, [mention(n) for n in range(6)]))
    assert [a.status for a in answers] == [200] * 6
    slack.settle()
    first_post = min(c.at for c in fake_slack.calls_to("chat.postMessage"))
    assert max(a.finished_at for a in answers) < first_post  # every ack went out before Slack let anything through

    attempts: dict[str, list[float]] = defaultdict(list)
    for call in fake_slack.calls_to("chat.postMessage", ok_only=False):
        attempts[all_text(call.json_param("blocks"))].append(call.at)
    posted = [all_text(c.json_param("blocks")) for c in fake_slack.calls_to("chat.postMessage")]
    assert sorted(posted) == sorted(set(posted)) and len(posted) == 6
    assert sum(len(times) for times in attempts.values()) == 6 + 12
    for times in attempts.values():  # each retry waited at least what Retry-After said
        assert all(later - earlier >= RETRY_AFTER for earlier, later in zip(times, times[1:]))

    # A storm longer than the client's own retries (RATE_LIMIT_RETRIES) is still waited out, not dropped.
    fake_slack.clear()
    fake_slack.rate_limit("chat.postMessage", times=RATE_LIMIT_RETRIES + 3, retry_after=0.02)
    assert slack.event(mention(50)).status == 200
    slack.settle()
    [posted_once] = fake_slack.calls_to("chat.postMessage")
    assert "storm question number 50?" in all_text(posted_once.json_param("blocks"))
    with unit_of_work(sessions) as session:
        ids = [q.message_id for q in session.scalars(select(Question))]
    assert len(ids) == 8 and None not in ids and len(set(ids)) == 8


def test_the_scheduler_is_told_to_retry_later_or_that_delivery_failed_and_nothing_is_posted_twice(
        settings: Settings, slack_settings: SlackSettings, fake_slack: FakeSlack,
        sessions: sessionmaker[Session]) -> None:
    port = platform.outbound(settings, sessions, slack_settings)
    assert port.platform == "slack"
    digest = Reply(text="Your weekly digest", blocks=[Text(text="Your weekly digest")],
                   to=DirectMessage(person_id="U_BOB"))
    fake_slack.rate_limit("chat.postMessage", times=2, retry_after=0.1)
    with pytest.raises(RetryLater) as raised:
        port.send("T0001", digest, {})
    assert raised.value.retry_after == pytest.approx(0.1)
    assert fake_slack.calls_to("chat.postMessage") == []

    posted = port.send("T0001", digest, {})
    [sent] = fake_slack.calls_to("chat.postMessage")
    assert posted is not None and sent.body["ts"] == posted.message_id and sent.body["channel"] == "D_BOB"

    fake_slack.clear()
    fake_slack.fail("chat.postMessage", "channel_not_found")
    with pytest.raises(DeliveryFailed):
        port.send("T0001", Reply(text="Digest", to=Post(conversation_id="C_GONE")), {})

    fake_slack.drop("chat.postMessage")
    with pytest.raises(RetryLater):
        port.send("T0001", Reply(text="Digest", to=Post(conversation_id="C_GENERAL")), {})
    assert len(fake_slack.calls_to("chat.postMessage", ok_only=False)) == 2  # the dropped one was not re-sent

    fake_slack.drop("views.publish")  # publishing a Home view twice is harmless, so it is retried
    port.send("T0001", Reply(text="Home", to=HomeView(person_id="U_BOB")), {})
    assert len(fake_slack.calls_to("views.publish")) == 1
