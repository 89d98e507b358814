"""Inbound events: what adapters hand to the core.

Each event names the workspace, the person acting, the conversation and the
platform's own ids. ``event_id`` is the platform's delivery id (Slack's
``event_id``, a Teams activity id, a console counter); the core records it
under a unique key, so a repeated delivery changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

ConversationKindName = Literal["channel", "private", "dm", "group"]


class Actor(BaseModel):
    """The person who did something, as the platform describes them."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, max_length=128)
    name: str | None = None
    # Hints from the platform (Slack's locale, Teams' ``locale`` and ``localTimezone``);
    # they never override a choice the person made with ``/kb settings``.
    locale: str | None = None
    timezone: str | None = None
    is_bot: bool = False


class Place(BaseModel):
    """A conversation: channel, private channel, group chat or direct message."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(min_length=1, max_length=200)
    kind: ConversationKindName = "channel"
    name: str | None = None


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    platform: str = Field(min_length=1, max_length=16)
    workspace_id: str = Field(min_length=1, max_length=128)
    workspace_name: str | None = None
    event_id: str = Field(min_length=1, max_length=255)
    actor: Actor
    conversation: Place
    occurred_at: datetime | None = None


class CommandInvoked(_Event):
    """``/ask …`` on Slack, ``ask …`` to the bot on Teams, a ``/`` line in the console."""

    type: Literal["command"] = "command"
    command: str
    text: str = ""


class MessagePosted(_Event):
    """A message; with ``thread_id`` it is a reply in that message's thread."""

    type: Literal["message"] = "message"
    message_id: str
    thread_id: str | None = None
    text: str = ""
    mentions_bot: bool = False


class MessageEdited(_Event):
    type: Literal["message_edited"] = "message_edited"
    message_id: str
    text: str


class MessageDeleted(_Event):
    type: Literal["message_deleted"] = "message_deleted"
    message_id: str


class ReactionAdded(_Event):
    """``reaction`` is a Slack-style name (``white_check_mark``, ``+1``) or the emoji itself."""

    type: Literal["reaction_added"] = "reaction_added"
    message_id: str
    reaction: str


class ReactionRemoved(_Event):
    type: Literal["reaction_removed"] = "reaction_removed"
    message_id: str
    reaction: str


class ButtonClicked(_Event):
    """A button the core rendered; ``action_id`` and ``value`` come back as the core set them."""

    type: Literal["button"] = "button"
    action_id: str
    value: str = ""
    message_id: str | None = None


class HomeOpened(_Event):
    """The person opened the bot's home (Slack App Home, the console's ``:home``)."""

    type: Literal["home_opened"] = "home_opened"


class MembersSynced(_Event):
    """The platform told us who is in a conversation: the ground truth for visibility."""

    type: Literal["members_synced"] = "members_synced"
    member_ids: list[str]


InboundEvent = Annotated[
    CommandInvoked
    | MessagePosted
    | MessageEdited
    | MessageDeleted
    | ReactionAdded
    | ReactionRemoved
    | ButtonClicked
    | HomeOpened
    | MembersSynced,
    Field(discriminator="type"),
]
