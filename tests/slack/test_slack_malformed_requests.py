"""Requests Slack would never send, or sends garbled: each gets a clear 4xx or a clear message, never a 500.

A 500 makes Slack retry, logs a traceback and, worse, could leave an event
stored but never finished. Everything here goes over real HTTP to the real
Bolt app, signed (or mis-signed) as the test says.
"""

from __future__ import annotations

import http.client
import json
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.db import unit_of_work
from kbbot.store.models import InboundEvent, Question
from slack_support.fake_web_api import RESPONSE_URL_METHOD, FakeSlack
from slack_support.fixtures import fake_slack, slack, slack_settings  # noqa: F401 - pytest fixtures
from slack_support.harness import SlackServer, fixture
from test_slack_conversations import all_text

UNREADABLE = "could not be read"


def post_bytes(slack: SlackServer, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", slack.port, timeout=10)
    try:
        connection.request("POST", "/slack/events", body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def signed_bytes(slack: SlackServer, body: bytes, content_type: str) -> dict[str, str]:
    """Headers signed over the raw bytes, as Slack signs them (latin-1 keeps every byte as one character)."""
    return slack.signed_headers(body.decode("latin-1"), content_type=content_type)


def statuses(sessions: sessionmaker[Session]) -> list[str]:
    with unit_of_work(sessions) as session:
        return list(session.scalars(select(InboundEvent.status)))


def shown_to_the_asker(fake: FakeSlack) -> str:
    return "\n".join(all_text(call.params.get("blocks") or []) + str(call.params.get("text") or "")
                     for call in fake.calls_to(RESPONSE_URL_METHOD))


def command_form(fake: FakeSlack, text: str) -> dict[str, str]:
    form = fixture("command_ask.json", fake.response_url())
    form.update(text=text, trigger_id="t-unreadable")
    return form


def test_a_lone_surrogate_in_a_json_event_is_cleaned_and_the_asker_told(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    mention = fixture("event_app_mention.json")
    mention["event"]["text"] = "<@U_KBBOT> how do I get \ud800 access?"
    body = json.dumps(mention)  # a JSON \u escape, as a buggy client might send it
    assert "\\ud800" in body
    answer = slack.post("/slack/events", body, slack.signed_headers(body))
    slack.settle()
    assert answer.status == 200
    assert statuses(sessions) == ["done"]
    [notice] = fake_slack.calls_to("chat.postEphemeral")
    assert UNREADABLE in all_text(notice.json_param("blocks") or []) + str(notice.params.get("text"))
    assert count_questions(sessions) == 0


def count_questions(sessions: sessionmaker[Session]) -> int:
    with unit_of_work(sessions) as session:
        return len(session.scalars(select(Question)).all())


@pytest.mark.parametrize("encoded", ["%ED%A0%80", "%FF%FE", "%C3"])
def test_percent_encoded_invalid_utf8_in_a_slash_command_is_answered_not_crashed(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session], encoded: str) -> None:
    form = command_form(fake_slack, "TEXT")
    body = urlencode(form).replace("TEXT", f"how+do+I+{encoded}+deploy").encode()
    status, _ = post_bytes(slack, body, signed_bytes(slack, body, "application/x-www-form-urlencoded"))
    slack.settle()
    assert status == 200
    assert statuses(sessions) == ["done"]
    assert UNREADABLE in shown_to_the_asker(fake_slack)
    assert count_questions(sessions) == 0


def test_raw_invalid_utf8_bytes_in_a_slash_command_are_answered_not_crashed(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session]) -> None:
    form = command_form(fake_slack, "TEXT")
    body = urlencode(form).encode().replace(b"TEXT", b"how do I \xed\xa0\x80 deploy")
    status, _ = post_bytes(slack, body, signed_bytes(slack, body, "application/x-www-form-urlencoded"))
    slack.settle()
    assert status < 500
    assert set(statuses(sessions)) <= {"done"}
    assert count_questions(sessions) == 0


def test_invalid_utf8_bytes_in_a_json_event_are_refused_with_a_4xx(
        slack: SlackServer, sessions: sessionmaker[Session]) -> None:
    body = json.dumps(fixture("event_app_mention.json")).encode().replace(b"how do I", b"how \xff do I")
    status, _ = post_bytes(slack, body, signed_bytes(slack, body, "application/json"))
    slack.settle()
    assert 400 <= status < 500
    assert statuses(sessions) == []


def mention_body() -> str:
    return json.dumps(fixture("event_app_mention.json"))


@pytest.mark.parametrize("headers", [
    {"X-Slack-Request-Timestamp": "yesterday"},
    {"X-Slack-Request-Timestamp": "1e3"},
    {"X-Slack-Request-Timestamp": ""},
    {"X-Slack-Request-Timestamp": "9" * 400},
    {"X-Slack-Request-Timestamp": "-" + "9" * 30},
    {"X-Slack-Request-Timestamp": "NaN"},
    {"X-Slack-Signature": ""},
    {"X-Slack-Signature": "v1=" + "0" * 64},
    {"X-Slack-Signature": "v0=not-hex"},
    {"X-Slack-Signature": "v0"},
], ids=lambda headers: next(iter(headers.items()))[0][8:] + "=" + next(iter(headers.values()))[:12])
def test_malformed_signature_headers_are_401_never_500(
        slack: SlackServer, fake_slack: FakeSlack, sessions: sessionmaker[Session], headers: dict[str, str]) -> None:
    body = mention_body()
    signed = {**slack.signed_headers(body), **headers}
    answer = slack.post("/slack/events", body, signed)
    assert answer.status == 401, answer.body
    assert statuses(sessions) == [] and fake_slack.calls == []


@pytest.mark.parametrize("missing", ["X-Slack-Request-Timestamp", "X-Slack-Signature"])
def test_missing_signature_headers_are_401(slack: SlackServer, sessions: sessionmaker[Session], missing: str) -> None:
    body = mention_body()
    signed = slack.signed_headers(body)
    del signed[missing]
    assert slack.post("/slack/events", body, signed).status == 401
    assert statuses(sessions) == []


def test_a_timestamp_far_in_the_future_is_401(slack: SlackServer, sessions: sessionmaker[Session]) -> None:
    body = mention_body()
    assert slack.post("/slack/events", body, slack.signed_headers(body, timestamp=int(time.time()) + 3600)
                      ).status == 401
    assert statuses(sessions) == []


def test_an_event_the_core_cannot_take_is_acknowledged_and_dropped_not_retried_forever(
        slack: SlackServer, sessions: sessionmaker[Session]) -> None:
    mention = fixture("event_app_mention.json")
    mention["event"]["user"] = "U" * 500  # no Slack id is this long
    answer = slack.event(mention)
    slack.settle()
    assert answer.status == 200
    assert statuses(sessions) == []
