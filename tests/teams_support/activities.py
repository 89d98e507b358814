"""Teams activities for the test people, built from the JSON fixtures.

Each function starts from a fixture shaped as Microsoft documents it and
changes only what the scenario needs (who, what text, which ids), so tests
read as "Bob replies in the chain" rather than as JSON.
"""

from __future__ import annotations

import copy
import html
import json
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


def search_invoke(fake: FakeMicrosoft, who: Person, text: str, dataset: str = "kbbot.channels:settings",
                  skip: int = 0, top: int = 15, conversation_id: str | None = None) -> dict[str, Any]:
    """``who`` types ``text`` in a typeahead field (``choices.data`` naming ``dataset``) of a card opened in their
    personal chat (or ``conversation_id``): Teams' ``application/search`` invoke."""
    activity = _as(load("application_search", fake, id=f"f:{fresh_id()}"), who)
    activity["value"] = {"queryText": text, "queryOptions": {"skip": skip, "top": top}, "dataset": dataset}
    activity["conversation"] = {**activity["conversation"], "id": conversation_id or who.personal_chat}
    return activity


# -- group chats -------------------------------------------------------------------------------
GROUP_CHAT_ID = "19:chat0000group0fake@thread.v2"
#: The message the ``group_chat_quote*`` and ``group_chat_message_update`` fixtures quote (a bot card).
FIXTURE_QUOTED_ID = "1700000100001"


def group_post(fake: FakeMicrosoft, who: Person, text: str) -> dict[str, Any]:
    """``who`` @mentions the bot in the "VPN rollout" group chat: ``<at>kbbot</at> text``."""
    activity = _as(load("group_chat_mention", fake, id=fresh_id(), text=f"<at>{ids.BOT_NAME}</at> {text}"), who)
    activity.pop("attachments", None)  # the HTML copy of the fixture's own text
    return activity


def _quoting(activity: dict[str, Any], quoted_id: str, text: str, author: Person | None) -> dict[str, Any]:
    """A quote fixture pointed at ``quoted_id`` by ``author`` (the bot when None), its own words ``text``.

    Everything that names the quote changes together: the ``<quoted/>`` mark, the
    ``quotedReply`` entity, the HTML blockquote and, in the older form, the copy in ``text``.
    """
    activity = json.loads(json.dumps(activity).replace(FIXTURE_QUOTED_ID, quoted_id))
    for entity in activity.get("entities") or []:
        if entity.get("type") == "quotedReply" and author is not None:
            entity["quotedReply"].update(senderId=author.id, senderName=author.name)
    for attachment in activity.get("attachments") or []:
        quote, _, _ = attachment["content"].partition("</blockquote>")
        if author is not None:
            quote = quote.replace(ids.BOT_ID, author.id).replace(f">{ids.BOT_NAME}</strong>", f">{author.name}</strong>")
        attachment["content"] = f"{quote}</blockquote>\r\n<p>{html.escape(text)}</p>\r\n</div>"
    if "<quoted " in activity["text"]:
        activity["text"] = f'<quoted messageId="{quoted_id}"/> {text}'
    else:
        copy, _, _ = activity["text"].rpartition("\r\n")
        if author is not None:
            copy = copy.replace(ids.BOT_NAME, author.name, 1)
        activity["text"] = f"{copy}\r\n{text}"
    return activity


def group_quote(fake: FakeMicrosoft, who: Person, text: str, quoted_id: str, author: Person | None = None,
                fixture: str = "group_chat_quote", activity_id: str | None = None) -> dict[str, Any]:
    """``who`` quotes message ``quoted_id`` of ``author`` (the bot when None) in the group chat and writes ``text``.

    ``group_chat_quote`` is the form Teams sends now (a ``<quoted/>`` mark and a ``quotedReply``
    entity, plus the HTML copy); ``group_chat_quote_html`` the older one (the HTML blockquote only).
    """
    activity = _as(load(fixture, fake, id=activity_id or fresh_id()), who)
    return _quoting(activity, quoted_id, text, author)


def group_edited(fake: FakeMicrosoft, who: Person, message_id: str, quoted_id: str, text: str) -> dict[str, Any]:
    """``who`` edits their quoting message ``message_id`` in the group chat to say ``text`` (the quote stays)."""
    return _quoting(_as(load("group_chat_message_update", fake, id=message_id), who), quoted_id, text, None)


def group_deleted(fake: FakeMicrosoft, who: Person, message_id: str) -> dict[str, Any]:
    return _as(load("group_chat_message_delete", fake, id=message_id), who)


def task_invoke(fake: FakeMicrosoft, who: Person, name: str, data: dict[str, Any], card_id: str,
                conversation_id: str | None = None) -> dict[str, Any]:
    """``who`` opens (``task_fetch``) or submits (``task_submit``) a task module from the bot's card ``card_id``."""
    activity = _as(load(name, fake, id=f"f:{fresh_id()}", replyToId=card_id), who)
    activity["value"]["data"] = copy.deepcopy(data)
    activity["conversation"] = {**activity["conversation"], "id": conversation_id or who.personal_chat}
    return activity
