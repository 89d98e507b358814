"""Teams activities (as JSON) in, the core's platform-neutral events out.

Pure functions over the activity's JSON, so that what Teams sends, as
Microsoft documents it, maps to events without any SDK or network in the
way. Teams specifics handled here:

* a channel's reply chain lives in the conversation id
  (``19:…@thread.tacv2;messageid=<root>``): the part before ``;`` is the
  channel, the ``messageid`` the thread root;
* the bot's own ``<at>`` mention is removed before the text is parsed;
* group chats have no reply chains: people answer a message by quoting it
  ("Reply"), so there the quoted message is the thread, and the quote itself
  is not part of the text (see :func:`quoted_message_id`);
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
from urllib.parse import parse_qs, urlsplit

from kbbot.contract.events import (
    MAX_SKIP,
    MAX_TOP,
    SEARCH_TEXT,
    Actor,
    AppRemoved,
    ButtonClicked,
    ChoicesSearched,
    CommandInvoked,
    FormRequested,
    FormSubmitted,
    InboundEvent,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    PersonChanged,
    PersonJoined,
    Place,
    ReactionAdded,
    ReactionRemoved,
    SaveFormRequested,
    Thread,
    ThreadMessage,
    ThreadSaved,
)
from kbbot.contract import actions, forms
from kbbot.contract.actions import OPEN_FORM

PLATFORM = "teams"
TEAM_MEMBER_EVENTS = ("teamMemberAdded", "teamMemberRemoved")
ACTION_KEY = "kb_action"
VALUE_KEY = "kb_value"
_THREAD_MARK = ";messageid="
_SPACES = re.compile(r"[ \t\u00a0]+")
_MAX_ID = 128  # kbbot.contract.events.PlatformId
#: Where a quote sits in the text since Teams validates quotes server-side: ``<quoted messageId="…"/>``.
_QUOTE_MARK = re.compile(r"<quoted\b[^>]*/>", re.IGNORECASE)
#: The quote in the message's HTML (the ``text/html`` attachment), the older and still present form.
_REPLY_BLOCK = re.compile(
    r"<blockquote\b([^>]*\bitemtype=[\"']http://schema\.skype\.com/Reply[\"'][^>]*)>(.*?)</blockquote>",
    re.IGNORECASE | re.DOTALL)
_ITEM_ID = re.compile(r"\bitemid=[\"']([^\"']+)[\"']", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
#: Teams names its reactions; the core's vocabulary is the emoji itself (kbbot/contract/actions.py).
REACTIONS = {"like": "👍", "heart": "❤", "laugh": "😆", "surprised": "😮", "sad": "😢", "angry": "😠"}


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
    team_group_id: str | None = None
    """The team's Microsoft 365 group id: what Graph calls the team (the Bot Connector's ``team_id`` is a thread id)."""

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


def _reply_blocks(activity: dict[str, Any]) -> list[tuple[str, str]]:
    """The quote blockquotes (attributes, inner HTML) of the activity's ``text/html`` attachments."""
    found: list[tuple[str, str]] = []
    for attachment in activity.get("attachments") or []:
        content = attachment.get("content")
        if str(attachment.get("contentType") or "").casefold() == "text/html" and isinstance(content, str):
            found.extend((match.group(1), match.group(2)) for match in _REPLY_BLOCK.finditer(content))
    return found


def quoted_message_id(activity: dict[str, Any]) -> str | None:
    """The id of the message this one quotes (Teams' "Reply" in chats), or None.

    Teams names it in a ``quotedReply`` entity (``quotedReply.messageId``);
    payloads without one carry it only as the ``itemid`` of an
    ``http://schema.skype.com/Reply`` blockquote in the ``text/html``
    attachment. Either way it is the id the quoted message was posted with,
    so quoting one of the bot's cards names the id delivery recorded for it.
    With several quotes the first one counts.
    """
    candidates = [str(entity["quotedReply"].get("messageId") or "") for entity in activity.get("entities") or []
                  if entity.get("type") == "quotedReply" and isinstance(entity.get("quotedReply"), dict)]
    for attributes, _ in _reply_blocks(activity):
        item = _ITEM_ID.search(attributes)
        candidates.append(item.group(1) if item else "")
    return next((found for found in candidates if 0 < len(found) <= _MAX_ID), None)


def _without_copy(text: str, copy: str) -> str:
    """``text`` without a leading copy of ``copy`` (spacing aside); unchanged when it does not start with one."""
    characters = [re.escape(character) for character in copy if not character.isspace()]
    found = re.match(r"\s*" + r"\s*".join(characters), text) if characters else None
    return text[found.end():].strip() if found else text


def clean_text(activity: dict[str, Any]) -> tuple[str, bool]:
    """The text without the bot's own mention or any quote, and whether the bot was mentioned.

    Other people's ``<at>`` tags stay in the stored text (it is kept as
    written); renderers neutralise them whenever the text is shown again.
    A quote is someone else's words, not this message's: its
    ``<quoted …/>`` mark goes, and so does a copy of the quoted message
    that older payloads flatten into the start of ``text``.
    """
    text = str(activity.get("text") or "")
    marked = _QUOTE_MARK.search(text) is not None
    text = _QUOTE_MARK.sub(" ", text)
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
    text = "\n".join(lines).strip()
    if not marked:
        for _, quoted in _reply_blocks(activity):
            text = _without_copy(text, html.unescape(_TAG.sub(" ", quoted)))
    return text, mentioned


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
    team_info = (activity.get("channelData") or {}).get("team") or {}
    team = team_info.get("id")
    return Origin(
        tenant_id=str(tenant), service_url=str(activity["serviceUrl"]),
        channel_id=str(activity.get("channelId") or "msteams"), bot=dict(activity.get("recipient") or {}),
        conversation_id=base, conversation_type=str(conversation.get("conversationType") or "personal"),
        kind=_kind(activity), actor_id=str(sender.get("id") or ""), activity_id=activity.get("id"),
        thread_root=root, reply_to_id=activity.get("replyToId"), team_id=team,
        team_group_id=_group_id(team_info, activity) if team else None,
    )


_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _group_id(team: dict[str, Any], activity: dict[str, Any]) -> str | None:
    """The team's group id: ``channelData.team.aadGroupId``, or the ``groupId`` of a chosen message's link."""
    found = team.get("aadGroupId")
    if not found:
        link = _payload(activity).get("linkToMessage")
        if isinstance(link, str) and link.startswith("https://"):
            found = (parse_qs(urlsplit(link).query).get("groupId") or [None])[0]
    return str(found) if found and _GUID.match(str(found)) else None


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
    # Dated by the activity's own time: a late delivery then cannot widen a conversation made private since.
    place = Place(id=origin.conversation_id, kind=stated, name=_place_name(activity, origin.kind),  # type: ignore[arg-type]
                  kind_as_of=_timestamp(activity) if stated else None)
    is_bot = sender.get("role") == "bot" or str(sender["id"]).startswith("28:")
    actor = Actor(id=str(sender["id"]), name=sender.get("name"), locale=_locale(activity),
                  timezone=_timezone(activity), is_bot=is_bot,
                  directory_id=str(sender["aadObjectId"])[:128] if sender.get("aadObjectId") else None)
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
            if origin.kind == "group":
                # No reply chains here: a quoted message is the thread, so quoting a question's card
                # answers it. Whether the quoted message is a question's card is the core's to know.
                thread = quoted_message_id(activity)
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
                name = REACTIONS.get(name.casefold(), name)
                if name:
                    events.append(cls(**common, message_id=str(activity["replyToId"]), reaction=name,
                                      event_id=_event_key(activity, origin.conversation_id, f":{number}:{name}")))
    elif kind == "conversationUpdate" and event_type in TEAM_MEMBER_EVENTS:
        # Someone joined or left the team: a departure moves who looks after their answers; a newcomer
        # may be a guest (the GuestRoles step asks Teams). The bot's own membership is not a person's.
        removed = event_type == "teamMemberRemoved"
        bot_id = (activity.get("recipient") or {}).get("id")
        for member in activity.get("membersRemoved" if removed else "membersAdded") or []:
            member_id = str((member or {}).get("id") or "")
            if not member_id or member_id == bot_id or member_id.startswith("28:") or len(member_id) > _MAX_ID:
                continue
            key = _event_key(activity, origin.conversation_id, f":{event_type}:{member_id}")
            events.append(PersonChanged(**{**common, "actor": Actor(id=member_id)}, event_id=key, left=removed))
        if not removed:
            events.extend(joined(activity, origin, place))  # and, after who they are, kbbot may welcome them
    elif _removed_by_a_person(activity, origin):
        # Removed from their own chat: kbbot stops writing to them there until they add it again.
        events.append(AppRemoved(**common, event_id=_event_key(activity, origin.conversation_id, ":removed")))
    elif _installed_for_a_person(activity, origin):
        # Teams asks bots to greet a person who installs them: the core's help in their language.
        events.append(CommandInvoked(**common, event_id=_event_key(activity, origin.conversation_id, ":welcome"),
                                     command="kb", text="help"))
    else:
        events.extend(joined(activity, origin, place))  # people added to a team: kbbot may welcome them
    return Translation(origin=origin, actor=actor, place=place, key=_event_key(activity, origin.conversation_id),
                       events=events)


def _removed_by_a_person(activity: dict[str, Any], origin: Origin) -> bool:
    """The person removed the app from their personal scope (``installationUpdate``, action ``remove``).

    Not ``remove-upgrade``: that is the old version making way for a new one.
    """
    return origin.kind == "dm" and activity.get("type") == "installationUpdate" and activity.get("action") == "remove"


def _installed_for_a_person(activity: dict[str, Any], origin: Origin) -> bool:
    """The bot was just added to someone's personal scope (``conversationUpdate`` or ``installationUpdate``)."""
    if origin.kind != "dm":
        return False
    if activity.get("type") == "installationUpdate":
        return activity.get("action") == "add"
    bot_id = (activity.get("recipient") or {}).get("id")
    return activity.get("type") == "conversationUpdate" and any(
        member.get("id") == bot_id for member in activity.get("membersAdded") or [])


# -- "Save to kbbot" and newcomers (issue 14) --------------------------------------------------------

SAVE_COMMAND = "saveToKbbot"
"""The message action's command id (``composeExtensions`` in ``manifest.json``)."""
FETCH_TASK = "composeExtension/fetchTask"
SUBMIT_ACTION = "composeExtension/submitAction"
SAVE_ROOT_KEY = "kb_save_root"
"""Where the task module's submit data carries the thread's root (beside the inputs' values)."""


def is_save_action(activity: dict[str, Any]) -> bool:
    """An invoke of kbbot's "Save to kbbot" message action (opening its task module, or submitting it)."""
    value = activity.get("value")
    return (activity.get("type") == "invoke" and activity.get("name") in (FETCH_TASK, SUBMIT_ACTION)
            and isinstance(value, dict) and value.get("commandId") == SAVE_COMMAND)


def _payload(activity: dict[str, Any]) -> dict[str, Any]:
    found = (activity.get("value") or {}).get("messagePayload")
    return found if isinstance(found, dict) else {}


def _html_text(content: str) -> str:
    """A message body's HTML as the text people read: tags dropped, entities decoded, lines kept."""
    text = re.sub(r"<br\s*/?>|</p>|</div>|</li>", "\n", content, flags=re.IGNORECASE)
    text = html.unescape(_TAG.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return "\n".join(line for line in lines if line).strip()


def message_author(activity: dict[str, Any]) -> tuple[str | None, str | None]:
    """(AAD object id, display name) of whoever wrote the chosen message: Teams names them only so."""
    user = ((_payload(activity).get("from") or {}).get("user")) or {}
    return (str(user["id"]) if user.get("id") else None), user.get("displayName")


def save_root(activity: dict[str, Any]) -> str | None:
    """The root of the chosen message's reply chain: its ``replyToId``, the chain in the conversation id, or itself."""
    payload = _payload(activity)
    _, chain = split_conversation(str((activity.get("conversation") or {}).get("id") or ""))
    root = payload.get("replyToId") or chain or payload.get("id")
    return str(root) if root else None


def _chosen(activity: dict[str, Any], author_id: str | None) -> ThreadMessage | None:
    payload = _payload(activity)
    aad, name = message_author(activity)
    author = author_id or aad
    if not payload.get("id") or not author:
        return None
    body = payload.get("body") or {}
    content = str(body.get("content") or "")
    text = _html_text(content) if str(body.get("contentType") or "html").casefold() == "html" else content.strip()
    is_bot = bool((payload.get("from") or {}).get("application"))
    return ThreadMessage(id=str(payload["id"]), author=Actor(id=author, name=name, is_bot=is_bot), text=text,
                         reactions=len(payload.get("reactions") or []))


def _link(activity: dict[str, Any]) -> str | None:
    link = _payload(activity).get("linkToMessage")
    return str(link) if isinstance(link, str) and link.startswith("https://") and len(link) <= 1000 else None


def _saved_thread(activity: dict[str, Any], author_id: str | None, unread: str | None = None) -> Thread | None:
    """What Teams hands a message action: the chosen message alone (its chain's other messages never).

    ``unread`` says why the chain's other messages could not be read (Graph's reason), where kbbot tried.
    """
    root = save_root(activity)
    chosen = _chosen(activity, author_id)
    if root is None:
        return None
    if chosen is None:
        return Thread(root_id=root, readable=False, complete=False)
    if chosen.id == root:  # the chain's first post: the question, with none of its replies to choose from
        return Thread(root_id=root, root=chosen, complete=False, link=_link(activity),
                      unread_because=unread)  # type: ignore[arg-type]
    return Thread(root_id=root, replies=[chosen], complete=False, link=_link(activity),
                  unread_because=unread)  # type: ignore[arg-type]


def chain_of(activity: dict[str, Any], origin: Origin) -> tuple[str, str, str] | None:
    """(team group id, channel id, root) of the reply chain a message action's message is in; None outside one.

    Only a team's channels have reply chains that Graph reads (group chats have none).
    """
    root = save_root(activity)
    if not origin.is_channel or not origin.team_group_id or root is None:
        return None
    return origin.team_group_id, origin.conversation_id, root


def graph_thread(activity: dict[str, Any], root: dict[str, Any], replies: list[dict[str, Any]]) -> Thread:
    """A reply chain as Graph gives it (``chatMessage`` JSON) as the core's thread, authors by AAD object id.

    Deleted messages and Teams' own system messages are left out; a reply by an app (kbbot's cards)
    is a bot's. The authors are named as Graph names them: :func:`with_authors` swaps in Teams ids
    for the people a saved thread credits.
    """
    first = _graph_message(root)
    return Thread(root_id=str(root.get("id") or save_root(activity) or ""), root=first,
                  replies=[message for message in map(_graph_message, replies) if message is not None],
                  link=_link(activity) or _web_url(root))


def _web_url(message: dict[str, Any]) -> str | None:
    url = message.get("webUrl")
    return str(url) if isinstance(url, str) and url.startswith("https://") and len(url) <= 1000 else None


def _identity(identity: Any) -> tuple[str | None, str | None, bool]:
    """(id, name, is an app) of a Graph ``identitySet`` (``from``, a reaction's ``user``), or a flat identity."""
    if not isinstance(identity, dict):
        return None, None, False
    user, app = identity.get("user"), identity.get("application")
    if isinstance(user, dict) and user.get("id"):
        return str(user["id"]), user.get("displayName"), False
    if isinstance(app, dict) and app.get("id"):
        return str(app["id"]), app.get("displayName"), True
    if identity.get("id") and "userIdentityType" in identity:  # the message action's flat form
        return str(identity["id"]), identity.get("displayName"), False
    return None, None, False


def _graph_message(message: dict[str, Any]) -> ThreadMessage | None:
    if message.get("deletedDateTime") or str(message.get("messageType") or "message") != "message":
        return None
    author_id, name, is_app = _identity(message.get("from"))
    if not message.get("id") or not author_id:
        return None
    body = message.get("body") or {}
    content = str(body.get("content") or "")
    if str(body.get("contentType") or "html").casefold() == "html":
        for mention in message.get("mentions") or []:  # "@kbbot" is how people address the bot, not their words
            mentioned = (mention or {}).get("mentioned") or {}
            if mentioned.get("application"):
                content = re.sub(rf"<at\b[^>]*\bid=[\"']{re.escape(str(mention.get('id')))}[\"'][^>]*>.*?</at>", "",
                                 content, flags=re.IGNORECASE | re.DOTALL)
        content = re.sub(r"<attachment\b[^>]*>.*?</attachment>", "", content, flags=re.IGNORECASE | re.DOTALL)
        text = _html_text(content)
    else:
        text = content.strip()
    reactions = [reaction for reaction in message.get("reactions") or [] if isinstance(reaction, dict)]
    accepted = [who for reaction in reactions
                if REACTIONS.get(str(reaction.get("reactionType") or "").casefold(),
                                 str(reaction.get("reactionType") or "")) in actions.ACCEPT_REACTIONS
                for who in [_identity(reaction.get("user"))[0]] if who]
    return ThreadMessage(id=str(message["id"]), author=Actor(id=author_id[:_MAX_ID], name=name, is_bot=is_app,
                                                             directory_id=None if is_app else author_id[:128]),
                         text=text, reactions=len(reactions), accepted_by=accepted)


def with_authors(thread: Thread, answer_id: str | None, teams_ids: dict[str, str]) -> Thread:
    """The thread to save: its root and the chosen reply, authors by Teams id (``teams_ids``: AAD id → Teams id).

    A root whose author Teams no longer knows is left out (the person saving is then credited with the
    question, as when Teams hands over the chosen reply alone); an answer whose author it no longer knows
    makes the thread unreadable: nobody to credit, nothing saved. An answer no longer in the chain (deleted
    since the form opened) is left out, and the core says it is gone.
    """
    def named(message: ThreadMessage | None) -> ThreadMessage | None:
        if message is None or message.author.is_bot:
            return message
        found = teams_ids.get(message.author.id)
        return message.model_copy(update={"author": message.author.model_copy(update={"id": found})}) if found else None

    answer = next((reply for reply in thread.replies if reply.id == answer_id), None)
    credited = named(answer)
    if answer is not None and credited is None:
        return Thread(root_id=thread.root_id, readable=False, complete=False)
    return Thread(root_id=thread.root_id, root=named(thread.root), replies=[credited] if credited else [],
                  link=thread.link, complete=False)


def save_request(activity: dict[str, Any], translation: Translation,
                 read: Thread | str | None = None) -> SaveFormRequested | None:
    """``composeExtension/fetchTask`` of "Save to kbbot": the form to open for the chosen message.

    ``read`` is the reply chain as Graph gave it, or why Graph could not (None: not in a chain).
    """
    found = read if isinstance(read, Thread) else _saved_thread(activity, None, read)
    payload = _payload(activity)
    if found is None or not payload.get("id"):
        return None
    return SaveFormRequested(platform=PLATFORM, workspace_id=translation.origin.tenant_id, actor=translation.actor,
                             conversation=translation.place, occurred_at=_timestamp(activity),
                             event_id=_event_key(activity, translation.origin.conversation_id, ":save-form"),
                             message_id=str(payload["id"]), thread=found)


def submitted_answer(activity: dict[str, Any]) -> str | None:
    """The message id the submitted task module names as the answer."""
    data = (activity.get("value") or {}).get("data")
    answer = data.get(forms.ANSWER) if isinstance(data, dict) else None
    return str(answer) if answer else None


def save_submission(activity: dict[str, Any], translation: Translation, author_id: str | None,
                    read: Thread | None = None) -> ThreadSaved | None:
    """``composeExtension/submitAction``: the submitted task module, its authors known by their Teams ids.

    ``read`` is the chain Graph gave, its people already named by Teams id (:func:`with_authors`); without
    it, the chosen message alone, its author ``author_id``.
    """
    data = (activity.get("value") or {}).get("data")
    data = data if isinstance(data, dict) else {}
    found = read or _saved_thread(activity, author_id)
    if found is None:
        return None
    if read is None and author_id is None:
        found = Thread(root_id=found.root_id, readable=False, complete=False)  # nobody to credit: nothing saved
    answer = data.get(forms.ANSWER)
    return ThreadSaved(platform=PLATFORM, workspace_id=translation.origin.tenant_id, actor=translation.actor,
                       conversation=translation.place, occurred_at=_timestamp(activity),
                       event_id=_event_key(activity, translation.origin.conversation_id, ":save"),
                       root_id=found.root_id, question=str(data.get(forms.QUESTION) or ""),
                       answer_id=str(answer) if answer else None, tags=str(data.get(forms.TAGS) or ""),
                       thread=found)


def joined(activity: dict[str, Any], origin: Origin, place: Place) -> list[InboundEvent]:
    """``conversationUpdate`` with ``membersAdded`` in a team or channel: each person added (never a bot)."""
    if activity.get("type") != "conversationUpdate" or origin.kind == "dm":
        return []
    if origin.conversation_type not in ("channel", "groupChat"):
        return []
    bot_id = (activity.get("recipient") or {}).get("id")
    found: list[InboundEvent] = []
    for member in activity.get("membersAdded") or []:
        member_id = str((member or {}).get("id") or "")
        if not member_id or member_id == bot_id or member_id.startswith("28:"):
            continue
        found.append(PersonJoined(platform=PLATFORM, workspace_id=origin.tenant_id, conversation=place,
                                  actor=Actor(id=member_id, name=member.get("name")), occurred_at=_timestamp(activity),
                                  event_id=_event_key(activity, origin.conversation_id, f":joined:{member_id}")))
    return found


# -- The core's other forms (the admin's settings): a task module opened from a card's button -----------

TASK_FETCH = "task/fetch"
TASK_SUBMIT = "task/submit"
FORM_KEY = "kb_form"
"""Where a task module's submit data names the form it is (beside the inputs' values)."""


def _task_data(activity: dict[str, Any]) -> dict[str, Any]:
    data = (activity.get("value") or {}).get("data")
    return data if isinstance(data, dict) else {}


def is_form_action(activity: dict[str, Any]) -> bool:
    """An invoke opening one of kbbot's forms from a card button (``task/fetch``) or submitting it (``task/submit``)."""
    if activity.get("type") != "invoke" or activity.get("name") not in (TASK_FETCH, TASK_SUBMIT):
        return False
    data = _task_data(activity)
    return (data.get(ACTION_KEY) == OPEN_FORM if activity.get("name") == TASK_FETCH
            else isinstance(data.get(FORM_KEY), str))


def form_request(activity: dict[str, Any], translation: Translation) -> FormRequested:
    """``task/fetch`` from a button that opens a form: the form its value names."""
    return FormRequested(platform=PLATFORM, workspace_id=translation.origin.tenant_id, actor=translation.actor,
                         conversation=translation.place, occurred_at=_timestamp(activity),
                         event_id=_event_key(activity, translation.origin.conversation_id, ":form"),
                         form=str(_task_data(activity).get(VALUE_KEY) or "")[:32])


def form_values(data: dict[str, Any]) -> dict[str, str | None]:
    """A submitted task module's input values by field name: kbbot's own keys and Teams' left out, empty as None."""
    return {str(name)[:64]: (None if value is None or str(value) == "" else str(value))
            for name, value in data.items()
            if name not in (FORM_KEY, ACTION_KEY, VALUE_KEY, "msteams") and not isinstance(value, dict | list)}


def form_submission(activity: dict[str, Any], translation: Translation) -> FormSubmitted:
    """``task/submit`` of one of kbbot's forms: every field's value, by the field's name."""
    data = _task_data(activity)
    return FormSubmitted(platform=PLATFORM, workspace_id=translation.origin.tenant_id, actor=translation.actor,
                         conversation=translation.place, occurred_at=_timestamp(activity),
                         event_id=_event_key(activity, translation.origin.conversation_id, ":form-submit"),
                         form=str(data.get(FORM_KEY))[:32], values=form_values(data))


# -- A form's channel field searched as the person types (Teams' dynamic typeahead) ---------------------

SEARCH = "application/search"
"""The invoke Teams sends as someone types in an ``Input.ChoiceSet`` whose ``choices.data`` is a ``Data.Query``
(https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/dynamic-search)."""
_CHANNELS = "kbbot.channels:"


def channel_dataset(form: str) -> str:
    """The ``Data.Query`` dataset of a channel field in the core's form ``form``: the search names its form."""
    return f"{_CHANNELS}{form}"


def is_search(activity: dict[str, Any]) -> bool:
    """An ``application/search`` invoke (a typeahead asking for choices), whichever card it came from."""
    return activity.get("type") == "invoke" and activity.get("name") == SEARCH


def _whole(raw: object, default: int, low: int, high: int) -> int:
    return min(max(raw, low), high) if isinstance(raw, int) and not isinstance(raw, bool) else default


def choices_search(activity: dict[str, Any], translation: Translation) -> ChoicesSearched | None:
    """An ``application/search`` invoke for one of kbbot's channel fields (``value``: ``queryText``,
    ``queryOptions.skip``/``top``, ``dataset``); None for a dataset that is not kbbot's."""
    value = activity.get("value")
    value = value if isinstance(value, dict) else {}
    dataset = value.get("dataset")
    if not isinstance(dataset, str) or not dataset.startswith(_CHANNELS):
        return None
    options = value.get("queryOptions")
    options = options if isinstance(options, dict) else {}
    typed = value.get("queryText")
    return ChoicesSearched(platform=PLATFORM, workspace_id=translation.origin.tenant_id, actor=translation.actor,
                           conversation=translation.place, occurred_at=_timestamp(activity),
                           event_id=_event_key(activity, translation.origin.conversation_id, ":search"),
                           form=dataset.removeprefix(_CHANNELS)[:32],
                           text=typed[:SEARCH_TEXT] if isinstance(typed, str) else "",
                           skip=_whole(options.get("skip"), 0, 0, MAX_SKIP),
                           top=_whole(options.get("top"), MAX_TOP, 1, MAX_TOP))

