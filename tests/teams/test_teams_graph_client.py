"""The Graph client's own promises, against the fake Microsoft over real HTTP (no SDK involved: runs once).

How long it waits is what it was told (``Retry-After``), so the waits are
recorded through its injected ``sleep`` rather than timed; its token lives
until shortly before it expires, on its injected clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from kbbot_adapters.teams.graph import NOT_ALLOWED, UNAVAILABLE, ChannelThread, Graph
from teams_support import ids
from teams_support.fake_graph import GRAPH_SCOPE
from teams_support.fake_microsoft import FakeMicrosoft
from teams_support.harness import FIXTURES, teams_settings

ALICE, BOB = ids.ALICE_AAD_ID, ids.BOB_AAD_ID


@pytest.fixture
def fake() -> Iterator[FakeMicrosoft]:
    with FakeMicrosoft() as server:
        members = json.loads((FIXTURES / "graph_team_members.json").read_text(encoding="utf-8"))["value"]
        root = json.loads((FIXTURES / "graph_channel_message.json").read_text(encoding="utf-8"))
        replies = json.loads((FIXTURES / "graph_channel_replies.json").read_text(encoding="utf-8"))["value"]
        server.set_graph_team(ids.TEAM_AAD_GROUP_ID, members, [(ids.CHANNEL_ID, root, replies)])
        yield server


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def client(fake: FakeMicrosoft, clock: Clock, **changes: str) -> Graph:
    return Graph(teams_settings(fake).model_copy(update=changes), sleep=clock.sleep, clock=clock)


def graph_tokens(fake: FakeMicrosoft) -> int:
    return len([r for r in fake.token_requests if r.scope == GRAPH_SCOPE and r.status == 200])


def test_owners_and_members_as_graph_lists_them(fake: FakeMicrosoft) -> None:
    graph = client(fake, Clock())
    assert graph.is_owner(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, ALICE) is True
    assert graph.is_owner(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, BOB) is False
    assert graph.is_owner(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, "0ff00000-0000-4000-8000-00000000000f") is False
    assert graph.is_owner(ids.TENANT_ID, "0e0e0e0e-0000-4000-8000-000000000009", ALICE) == NOT_ALLOWED  # 403


def test_a_429_is_tried_again_after_the_wait_graph_names(fake: FakeMicrosoft) -> None:
    clock = Clock()
    fake.fail_next(1, status=429, retry_after=2, route="graph")
    assert client(fake, clock).is_owner(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, ALICE) is True
    assert clock.slept == [2.0]
    assert [call.status for call in fake.graph_calls] == [429, 200]


def test_a_wait_beyond_the_budget_is_not_waited_for(fake: FakeMicrosoft) -> None:
    clock = Clock()
    fake.fail_next(1, status=503, retry_after=120, route="graph")
    found = client(fake, clock).channel_thread(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, ids.CHANNEL_ID,
                                               ids.ROOT_MESSAGE_ID)
    assert found == UNAVAILABLE and clock.slept == []
    assert [call.status for call in fake.graph_calls] == [503]


def test_retries_are_bounded(fake: FakeMicrosoft) -> None:
    clock = Clock()
    fake.fail_next(5, status=429, route="graph")  # no Retry-After: a second each time
    assert client(fake, clock).is_owner(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, ALICE) == UNAVAILABLE
    assert clock.slept == [1.0, 1.0] and len(fake.graph_calls) == 3


def test_the_token_is_kept_until_shortly_before_it_expires(fake: FakeMicrosoft) -> None:
    clock = Clock()
    graph = client(fake, clock)
    for _ in range(3):
        assert graph.is_owner(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, ALICE) is True
    assert graph_tokens(fake) == 1
    clock.now += 3600 - 119  # the fake's tokens last an hour; kbbot stops using one two minutes before
    assert graph.is_owner(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, ALICE) is True
    assert graph_tokens(fake) == 2
    [request, _] = [r for r in fake.token_requests if r.scope == GRAPH_SCOPE]
    assert (request.grant_type, request.client_id, request.path) == (
        "client_credentials", ids.BOT_APP_ID, f"/{ids.TENANT_ID}/oauth2/v2.0/token")


def test_a_token_graph_refuses_is_replaced_once(fake: FakeMicrosoft) -> None:
    fake.fail_next(1, status=401, route="graph",
                   body={"error": {"code": "InvalidAuthenticationToken", "message": "Lifetime validation failed"}})
    assert client(fake, Clock()).is_owner(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, ALICE) is True
    assert graph_tokens(fake) == 2


def test_credentials_azure_ad_refuses_mean_not_allowed(fake: FakeMicrosoft) -> None:
    graph = client(fake, Clock(), app_password="not-the-secret")
    assert graph.is_owner(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, ALICE) == NOT_ALLOWED
    assert graph.channel_thread(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, ids.CHANNEL_ID, ids.ROOT_MESSAGE_ID) == NOT_ALLOWED
    assert fake.graph_calls == []


def test_graph_unreachable_is_not_known(fake: FakeMicrosoft) -> None:
    graph = client(fake, Clock(), graph_url="http://127.0.0.1:9/graph/v1.0")  # nobody listens on port 9
    assert graph.is_owner(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, ALICE) == UNAVAILABLE


def test_not_configured_asks_nobody(fake: FakeMicrosoft) -> None:
    graph = Graph(teams_settings(fake).model_copy(update={"app_password": None}))
    assert graph.configured is False
    assert graph.is_owner(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, ALICE) == NOT_ALLOWED
    assert graph.channel_thread(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, ids.CHANNEL_ID, ids.ROOT_MESSAGE_ID) == NOT_ALLOWED
    assert fake.token_requests == [] and fake.graph_calls == []


def test_a_thread_comes_whole_and_in_order(fake: FakeMicrosoft) -> None:
    found = client(fake, Clock()).channel_thread(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, ids.CHANNEL_ID,
                                                 ids.ROOT_MESSAGE_ID)
    assert isinstance(found, ChannelThread)
    assert found.root["id"] == ids.ROOT_MESSAGE_ID
    assert [reply["id"] for reply in found.replies] == [
        "1700000000100", "1700000000150", "1700000000180", "1700000000200", "1700000000250"]


def test_a_slow_graph_is_given_up_on_within_the_budget(fake: FakeMicrosoft) -> None:
    clock = Clock()
    fake.fail_next(1, status=429, retry_after=5, route="graph")
    graph = Graph(teams_settings(fake), sleep=clock.sleep, clock=clock, budget=6.0)
    fake.fail_next(1, status=429, retry_after=5, route="graph")  # a second wait would end past the budget
    assert graph.is_owner(ids.TENANT_ID, ids.TEAM_AAD_GROUP_ID, ALICE) == UNAVAILABLE
    assert clock.slept == [5.0] and [call.status for call in fake.graph_calls] == [429, 429]
