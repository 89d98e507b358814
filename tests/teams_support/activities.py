"""Teams activities for the test people, built from the JSON fixtures.

Each function starts from a fixture shaped as Microsoft documents it and
changes only what the scenario needs (who, what text, which ids), so tests
read as "Bob replies in the chain" rather than as JSON.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from . import ids
from .fake_microsoft import FakeMicrosoft
from .harness import fresh_id, load


@dataclass(frozen=True)
class Person:
    id: str
    aad: str
    name: str
    personal_chat: str
    locale: str = "en-US"
    timezone: str = "Europe/Amsterdam"

    @property
    def account(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "aadObjectId": self.aad}


ALICE = Person(ids.ALICE_ID, ids.ALICE_AAD_ID, ids.ALICE_NAME, ids.ALICE_PERSONAL_CONVERSATION_ID)
BOB = Person(ids.BOB_ID, ids.BOB_AAD_ID, ids.BOB_NAME, "a:1personal-chat-bob-fake-id")
DAAN = Person(ids.DAAN_ID, ids.DAAN_AAD_ID, ids.DAAN_NAME, ids.DAAN_PERSONAL_CONVERSATION_ID, locale="nl-NL",
              timezone="Europe/Brussels")

PRIVATE_CHANNEL_ID = "19:chan0000secret0fake@thread.tacv2"


def _as(activity: dict[str, Any], who: Person) -> dict[str, Any]:
    activity["from"] = who.account
    activity["locale"] = who.locale
    activity["localTimezone"] = who.timezone
    for entity in activity.get("entities") or []:
        if entity.get("type") == "clientInfo":
            entity["locale"], entity["timezone"] = who.locale, who.timezone
    return activity


def personal(fake: FakeMicrosoft, who: Person, text: str, activity_id: str | None = None) -> dict[str, Any]:
    """``who`` writes ``text`` in their personal chat with the bot."""
    activity = _as(load("personal_message", fake, id=activity_id or fresh_id(), text=text), who)
    activity["conversation"] = {**activity["conversation"], "id": who.personal_chat}
    return activity


def channel_post(fake: FakeMicrosoft, who: Person, text: str, root: str | None = None,
                 fixture: str = "channel_mention") -> dict[str, Any]:
    """A new post in #knowledge (or the private channel's fixture) that @mentions the bot: ``<at>kbbot</at> text``."""
    root = root or fresh_id()
    activity = _as(load(fixture, fake, id=root, text=f"<at>{ids.BOT_NAME}</at> {text}"), who)
    channel = activity["channelData"]["channel"]["id"]
    activity["conversation"] = {**activity["conversation"], "id": f"{channel};messageid={root}"}
    activity.pop("attachments", None)
    return activity


def chain_reply(fake: FakeMicrosoft, who: Person, text: str, root: str, activity_id: str | None = None,
                channel: str = ids.CHANNEL_ID) -> dict[str, Any]:
    """``who`` replies ``text`` in the reply chain that starts at ``root``."""
    activity = _as(load("channel_reply", fake, id=activity_id or fresh_id(), text=text, replyToId=root), who)
    activity["conversation"] = {**activity["conversation"], "id": f"{channel};messageid={root}"}
    return activity


def edited(fake: FakeMicrosoft, who: Person, message_id: str, root: str, text: str) -> dict[str, Any]:
    activity = _as(load("message_update", fake, id=message_id, text=text, replyToId=root), who)
    activity["conversation"] = {**activity["conversation"], "id": f"{ids.CHANNEL_ID};messageid={root}"}
    return activity


def deleted(fake: FakeMicrosoft, who: Person, message_id: str, root: str) -> dict[str, Any]:
    activity = _as(load("message_delete", fake, id=message_id, replyToId=root), who)
    activity["conversation"] = {**activity["conversation"], "id": f"{ids.CHANNEL_ID};messageid={root}"}
    return activity


def submit(fake: FakeMicrosoft, who: Person, data: dict[str, Any], card_id: str,
           conversation_id: str | None = None) -> dict[str, Any]:
    """``who`` presses an Action.Submit button whose data is ``data`` on the bot's card ``card_id``."""
    activity = _as(load("card_submit", fake, id=fresh_id(), value=copy.deepcopy(data), replyToId=card_id), who)
    activity["conversation"] = {**activity["conversation"], "id": conversation_id or who.personal_chat}
    return activity
