"""What kbbot asks Slack about channels and people: asked once, refreshed, and safe when Slack can't answer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from kbbot.contract.events import Actor
from kbbot_adapters.slack.clients import async_web_client, web_client
from kbbot_adapters.slack.lookups import ConversationKinds, Profiles
from kbbot_adapters.slack.settings import SlackSettings
from slack_support.fake_methods import BOT_TOKEN
from slack_support.fake_web_api import FakeSlack, running_fake_slack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with running_fake_slack() as server:
        yield server


def kind_of(fake: FakeSlack, kinds: ConversationKinds, channel: str) -> str:
    async def ask() -> str:
        return await kinds.resolve(async_web_client(SlackSettings(_env_file=None, api_url=fake.url), BOT_TOKEN),
                                   "T0001", channel, None)

    return asyncio.run(ask())


def test_a_channels_kind_is_asked_once_and_an_unanswerable_one_counts_as_private(fake: FakeSlack) -> None:
    kinds = ConversationKinds()
    assert kind_of(fake, kinds, "C_GENERAL") == "channel"
    assert kind_of(fake, kinds, "C_GENERAL") == "channel"
    assert len(fake.calls_to("conversations.info")) == 1
    assert kind_of(fake, kinds, "G_PRIVATE") == "private"

    fake.fail("conversations.info", "internal_error")
    fake.methods.workspace.add_channel("C_NEW", "new")
    assert kind_of(fake, kinds, "C_NEW") == "private"  # Slack could not say: never guessed public
    assert kind_of(fake, kinds, "C_NEW") == "channel"  # the fallback is not cached; next time Slack answers
    assert len(fake.calls_to("conversations.info", ok_only=False)) == 4


def test_profiles_give_locale_and_timezone_are_cached_refreshed_and_kept_when_slack_fails(fake: FakeSlack) -> None:
    client = web_client(SlackSettings(_env_file=None, api_url=fake.url), BOT_TOKEN)
    profiles = Profiles()
    alice = profiles.enrich(client, "T0001", Actor(id="U_ALICE"))
    assert (alice.name, alice.locale, alice.timezone) == ("alice", "de-DE", "Europe/Berlin")
    profiles.enrich(client, "T0001", Actor(id="U_ALICE"))
    assert len(fake.calls_to("users.info")) == 1  # cached
    assert fake.calls_to("users.info")[0].params["include_locale"] in ("1", "true", True)

    stale = Profiles(ttl=0)
    stale.enrich(client, "T0001", Actor(id="U_BOB"))
    fake.methods.workspace.users["U_BOB"]["tz"] = "Europe/Amsterdam"  # Bob moved
    assert stale.enrich(client, "T0001", Actor(id="U_BOB")).timezone == "Europe/Amsterdam"  # refreshed
    fake.fail("users.info", "internal_error")
    assert stale.enrich(client, "T0001", Actor(id="U_BOB")).timezone == "Europe/Amsterdam"  # last known kept
