"""Teams activities (as JSON) in, the core's platform-neutral events out.

Pure functions over the activity's JSON, so that what Teams sends, as
Microsoft documents it, maps to events without any SDK or network in the
way. Teams specifics handled here:

* a channel's reply chain lives in the conversation id
  (``19:…@thread.tacv2;messageid=<root>``): the part before ``;`` is the
  channel, the ``messageid`` the thread root;
* the bot's own ``<at>`` mention is removed before the text is parsed;
* ``messageUpdate``/``messageDelete`` carry the edited message's own id;
* an Adaptive Card ``Action.Submit`` arrives as a message whose ``value``
  holds the data the card was rendered with.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kbbot.events import (
    Actor,
    ButtonClicked,
    CommandInvoked,
    InboundEvent,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    Place,
    ReactionAdded,
    ReactionRemoved,
)

PLATFORM = "teams"
ACTION_KEY = "kb_action"
VALUE_KEY = "kb_value"
_THREAD_MARK = ";messageid="
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Origin:
    """Where an activity came from: what delivery needs to answer in the same place."""

    tenant_id: str
    service_url: str
    channel_id: str
    bot: dict[str, Any]
    conversation_id: str
    conversation_type: str
    kind: str
    actor_id: str
    activity_id: str | None
    thread_root: str | None
    reply_to_id: str | None
    team_id: str | None = None

    @property
    def is_channel(self) -> bool:
        return self.conversation_type == "channel"

    @property
    def in_root_post(self) -> bool:
        """The activity is a channel post that starts its own reply chain."""
        return self.is_channel and self.thread_root is not None and self.thread_root == self.activity_id


@dataclass(frozen=True)
class Translation:
    """An activity's addressing facts, who did it where, and the core events it stands for."""

    origin: Origin
    actor: Actor
    place: Place
    key: str
    events: list[InboundEvent]


def split_conversation(conversation_id: str) -> tuple[str, str | None]:
    """``19:c@thread.tacv2;messageid=17`` → (``19:c@thread.tacv2``, ``17``); others have no thread."""
    base, mark, root = conversation_id.partition(_THREAD_MARK)
    return base, (root or None) if mark else None


def thread_conversation(channel_id: str, root: str) -> str:
    """The conversation id of a channel reply chain, as Teams writes it."""
    return f"{channel_id}{_THREAD_MARK}{root}"


def tenant_of(activity: dict[str, Any]) -> str | None:
    channel_data = activity.get("channelData") or {}
    return ((channel_data.get("tenant") or {}).get("id")
            or (activity.get("conversation") or {}).get("tenantId"))


def _kind(activity: dict[str, Any]) -> str:
    conversation = activity.get("conversation") or {}
    kind = conversation.get("conversationType")
    if kind == "personal":
        return "dm"
    if kind == "groupChat":
        return "group"
    channel = (activity.get("channelData") or {}).get("channel") or {}
    # Private and shared channels have their own membership: questions there are not public.
    if str(channel.get("type") or channel.get("membershipType") or "").casefold() in ("private", "shared"):
        return "private"
    return "channel"


def _place_name(activity: dict[str, Any], kind: str) -> str | None:
    channel_data = activity.get("channelData") or {}
    channel = channel_data.get("channel") or {}
    team = channel_data.get("team") or {}
    if kind in ("channel", "private"):
        if channel.get("name"):
            return str(channel["name"])
        # The General channel's id is the team's id and Teams sends it without a name.
        if channel.get("id") and channel.get("id") == team.get("id"):
            return "General"
        return None
    if kind == "group":
        return (activity.get("conversation") or {}).get("name")
    return None


def _timezone(activity: dict[str, Any]) -> str | None:
    if activity.get("localTimezone"):
        return str(activity["localTimezone"])
    for entity in activity.get("entities") or []:
        if entity.get("type") == "clientInfo" and entity.get("timezone"):
            return str(entity["timezone"])
    return None


def _locale(activity: dict[str, Any]) -> str | None:
    if activity.get("locale"):
        return str(activity["locale"])
    for entity in activity.get("entities") or []:
        if entity.get("type") == "clientInfo" and entity.get("locale"):
            return str(entity["locale"])
    return None


def clean_text(activity: dict[str, Any]) -> tuple[str, bool]:
    """The text without the bot's own mention, and whether the bot was mentioned.

    Other people's ``<at>`` tags stay in the stored text (it is kept as
    written); renderers neutralise them whenever the text is shown again.
    """
    text = str(activity.get("text") or "")
    bot_id = (activity.get("recipient") or {}).get("id")
    mentioned = False
    for entity in activity.get("entities") or []:
        if entity.get("type") != "mention" or (entity.get("mentioned") or {}).get("id") != bot_id:
            continue
        mentioned = True
        tag = entity.get("text") or f"<at>{(entity.get('mentioned') or {}).get('name', '')}</at>"
        text = text.replace(tag, " ")
    text = html.unescape(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip(), mentioned


def _timestamp(activity: dict[str, Any]) -> datetime | None:
    raw = activity.get("timestamp")
    if not isinstance(raw, str):
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def _event_key(activity: dict[str, Any], base: str, suffix: str = "") -> str:
    """A delivery id unique across conversations (Teams message ids are only timestamps)."""
    digest = hashlib.sha256(base.encode("utf-8")).hexdigest()[:16]
    return f"{activity.get('type')}:{activity.get('id')}@{digest}{suffix}"


def origin_of(activity: dict[str, Any]) -> Origin | None:
    """The addressing facts of an activity; None when it lacks what every reply needs."""
    tenant = tenant_of(activity)
    conversation = activity.get("conversation") or {}
    sender = activity.get("from") or {}
    if not tenant or not conversation.get("id") or not activity.get("serviceUrl"):
        return None
    base, root = split_conversation(str(conversation["id"]))
    team = ((activity.get("channelData") or {}).get("team") or {}).get("id")
    return Origin(
        tenant_id=str(tenant), service_url=str(activity["serviceUrl"]),
        channel_id=str(activity.get("channelId") or "msteams"), bot=dict(activity.get("recipient") or {}),
        conversation_id=base, conversation_type=str(conversation.get("conversationType") or "personal"),
        kind=_kind(activity), actor_id=str(sender.get("id") or ""), activity_id=activity.get("id"),
        thread_root=root, reply_to_id=activity.get("replyToId"), team_id=team,
    )


def translate(activity: dict[str, Any]) -> Translation | None:
    """The core events an activity stands for (often one, sometimes none)."""
    origin = origin_of(activity)
    sender = activity.get("from") or {}
    if origin is None or not sender.get("id") or activity.get("channelId", "msteams") != "msteams":
        # Web Chat or Direct Line can reach the same endpoint with a valid token, but their
        # sender ids and tenants are whatever the client says: only Teams vouches for them.
        return None
    # "channel" is only a default when Teams names no membership type: a message may set it,
    # but an edit, reaction or card click (a message carrying ``value``) must not turn a known
    # private channel public.
    typed_message = activity.get("type") == "message" and activity.get("value") is None
    stated = origin.kind if origin.kind != "channel" or typed_message else None
    place = Place(id=origin.conversation_id, kind=stated, name=_place_name(activity, origin.kind))  # type: ignore[arg-type]
    is_bot = sender.get("role") == "bot" or str(sender["id"]).startswith("28:")
    actor = Actor(id=str(sender["id"]), name=sender.get("name"), locale=_locale(activity),
                  timezone=_timezone(activity), is_bot=is_bot)
    common: dict[str, Any] = {"platform": PLATFORM, "workspace_id": origin.tenant_id, "actor": actor,
                              "conversation": place, "occurred_at": _timestamp(activity)}
    kind = activity.get("type")
    event_type = (activity.get("channelData") or {}).get("eventType")
    events: list[InboundEvent] = []
    if kind == "message":
        value = activity.get("value")
        if isinstance(value, dict) and isinstance(value.get(ACTION_KEY), str):
            events.append(ButtonClicked(**common, event_id=_event_key(activity, origin.conversation_id),
                                        action_id=value[ACTION_KEY], value=str(value.get(VALUE_KEY) or ""),
                                        message_id=activity.get("replyToId")))
        elif activity.get("id"):
            text, mentioned = clean_text(activity)
            thread = origin.thread_root if origin.is_channel else None
            events.append(MessagePosted(**common, event_id=_event_key(activity, origin.conversation_id),
                                        message_id=str(activity["id"]), thread_id=thread, text=text,
                                        mentions_bot=mentioned))
    elif kind == "messageUpdate" and event_type in (None, "editMessage") and activity.get("id"):
        text, _ = clean_text(activity)
        # Every edit keeps the message's id; its time and text tell one edit from the next
        # (the text alone would drop an edit back to an earlier wording).
        when = str(activity.get("timestamp") or activity.get("localTimestamp") or "")
        digest = hashlib.sha256(f"{when}\n{text}".encode("utf-8")).hexdigest()[:16]
        events.append(MessageEdited(**common, event_id=_event_key(activity, origin.conversation_id, f":{digest}"),
                                    message_id=str(activity["id"]), text=text))
    elif kind == "messageDelete" and event_type in (None, "softDeleteMessage") and activity.get("id"):
        events.append(MessageDeleted(**common, event_id=_event_key(activity, origin.conversation_id),
                                     message_id=str(activity["id"])))
    elif kind == "messageReaction" and activity.get("replyToId"):
        for number, (field, cls) in enumerate((("reactionsAdded", ReactionAdded),
                                                ("reactionsRemoved", ReactionRemoved))):
            for reaction in activity.get(field) or []:
                name = str(reaction.get("type") or "")
                if name:
                    events.append(cls(**common, message_id=str(activity["replyToId"]), reaction=name,
                                      event_id=_event_key(activity, origin.conversation_id, f":{number}:{name}")))
    elif _installed_for_a_person(activity, origin):
        # Teams asks bots to greet a person who installs them: the core's help in their language.
        events.append(CommandInvoked(**common, event_id=_event_key(activity, origin.conversation_id, ":welcome"),
                                     command="kb", text="help"))
    return Translation(origin=origin, actor=actor, place=place, key=_event_key(activity, origin.conversation_id),
                       events=events)


def _installed_for_a_person(activity: dict[str, Any], origin: Origin) -> bool:
    """The bot was just added to someone's personal scope (``conversationUpdate`` or ``installationUpdate``)."""
    if origin.kind != "dm":
        return False
    if activity.get("type") == "installationUpdate":
        return activity.get("action") == "add"
    bot_id = (activity.get("recipient") or {}).get("id")
    return activity.get("type") == "conversationUpdate" and any(
        member.get("id") == bot_id for member in activity.get("membersAdded") or [])
