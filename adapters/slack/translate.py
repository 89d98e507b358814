"""Slack payloads → core events: pure functions, no I/O.

Each function takes the payload exactly as Slack sends it (a slash command's
form fields, an Events API envelope, a ``block_actions`` payload) and returns
one :mod:`kbbot.contract.events` model, or ``None`` for payloads kbbot ignores (bot
messages, channel joins, a message the bot was mentioned in, which arrives
again as ``app_mention``).

The conversation *kind* decides who may see a question, so it is never
guessed here: callers pass what they resolved (see :mod:`.lookups`).

Reactions are named as the core names them, by the emoji itself
(:func:`reaction`: ``white_check_mark`` → ✅), so the core never learns
Slack's names.

Event ids give idempotency: the Events API's ``event_id`` (the same on every
retry), and for slash commands and button clicks, which have none, their
``trigger_id`` (unique per user action).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from kbbot.contract.events import (
    Actor,
    AppInstalled,
    AppRemoved,
    ButtonClicked,
    CommandInvoked,
    ConversationChanged,
    FormRequested,
    FormSubmitted,
    ConversationKindName,
    HomeOpened,
    InboundEvent,
    MembersSynced,
    MessageDeleted,
    MessageEdited,
    MessagePosted,
    PersonChanged,
    Place,
    PersonJoined,
    ReactionAdded,
    ReactionRemoved,
    SaveFormRequested,
    Thread,
    ThreadMessage,
    ThreadSaved,
)
from kbbot.contract import forms
from kbbot.contract.actions import ACCEPT_REACTIONS

PLATFORM = "slack"
Payload = Mapping[str, Any]

# Message subtypes that are a person writing; all others (joins, topic changes, bot posts) are ignored.
_PERSON_SUBTYPES = frozenset({None, "thread_broadcast", "file_share", "me_message"})
_CHANNEL_TYPES: dict[str, ConversationKindName] = {"channel": "channel", "group": "private", "im": "dm",
                                                    "mpim": "group"}
_SLASH_CHANNEL_NAMES: dict[str, ConversationKindName] = {"directmessage": "dm", "privategroup": "private"}


def kind_hint(channel_id: str, channel_type: str | None = None, channel_name: str | None = None
              ) -> ConversationKindName | None:
    """The kind a payload states outright, or ``None`` when only an API lookup can tell.

    Message events carry ``channel_type``; slash commands say ``directmessage``
    or ``privategroup`` (or ``mpdm-…``) instead of a name; ``D…`` ids are
    always direct messages. A ``C…`` id alone can be public or private.
    """
    if channel_type in _CHANNEL_TYPES:
        return _CHANNEL_TYPES[channel_type]
    if channel_name in _SLASH_CHANNEL_NAMES:
        return _SLASH_CHANNEL_NAMES[channel_name]
    if channel_name and channel_name.startswith("mpdm-"):
        return "group"
    if channel_id.startswith("D"):
        return "dm"
    return None


def _when(seconds: str | float | int | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(seconds), UTC) if seconds is not None else None
    except (TypeError, ValueError):
        return None


def _stated_at(body: Payload, at: datetime | None) -> datetime | None:
    """When an event's own payload described its channel: ``event_ts`` (to the microsecond), else ``event_time``.

    A retry carries the payload as first sent, so this dates the kind it states
    (see :class:`kbbot.contract.events.Place`).
    """
    return _when(body.get("event_ts")) or at


def _base(team_id: str, event_id: str, actor: Actor, place: Place, at: datetime | None) -> dict[str, Any]:
    return {"platform": PLATFORM, "workspace_id": team_id, "event_id": event_id, "actor": actor,
            "conversation": place, "occurred_at": at}


def command(form: Payload, kind: ConversationKindName) -> CommandInvoked:
    """``/ask how do I …`` as Slack posts it (``application/x-www-form-urlencoded`` fields)."""
    channel_name = form.get("channel_name")
    place = Place(id=form["channel_id"], kind=kind,
                  name=None if channel_name in _SLASH_CHANNEL_NAMES else channel_name)
    return CommandInvoked(**_base(form["team_id"], f"cmd:{form['trigger_id']}",
                                  Actor(id=form["user_id"], name=form.get("user_name")), place, None),
                          command=str(form["command"]).lstrip("/"), text=form.get("text") or "")


REACTIONS = {"white_check_mark": "✅", "heavy_check_mark": "✔", "ballot_box_with_check": "☑",
             "+1": "👍", "thumbsup": "👍"}
"""Slack's names for the reactions the core acts on (kbbot/contract/actions.py), as the emoji the core speaks."""


def reaction(name: str) -> str:
    """A Slack reaction name in the core's vocabulary: ``+1::skin-tone-3`` → 👍; names the core ignores stay."""
    base = name.split("::", 1)[0]
    return REACTIONS.get(base, base)


def _mention_pattern(bot_user_id: str | None) -> re.Pattern[str] | None:
    return re.compile(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>") if bot_user_id else None


def strip_bot_mention(text: str, bot_user_id: str | None) -> str:
    """``<@U_KBBOT> how do I …`` → ``how do I …``."""
    pattern = _mention_pattern(bot_user_id)
    return " ".join(pattern.sub(" ", text).split()) if pattern else text.strip()


def event(envelope: Payload, kind: ConversationKindName | None, bot_user_id: str | None) -> InboundEvent | None:
    """An Events API ``event_callback`` envelope as a core event (``None``: nothing for kbbot)."""
    body = envelope["event"]
    team_id = envelope.get("team_id") or body.get("team")
    event_id = envelope["event_id"]
    at = _when(envelope.get("event_time"))
    match body.get("type"):
        case "message":
            return _message(body, team_id, event_id, kind, bot_user_id, at)
        case "app_mention":
            if body.get("bot_id") or kind is None:
                return None
            place = Place(id=body["channel"], kind=kind)
            return MessagePosted(**_base(team_id, event_id, Actor(id=body["user"]), place, at),
                                 message_id=body["ts"], thread_id=body.get("thread_ts"),
                                 text=strip_bot_mention(body.get("text", ""), bot_user_id), mentions_bot=True)
        case "reaction_added" | "reaction_removed" as name:
            item = body.get("item") or {}
            if item.get("type") != "message" or kind is None:
                return None
            cls = ReactionAdded if name == "reaction_added" else ReactionRemoved
            return cls(**_base(team_id, event_id, Actor(id=body["user"]), Place(id=item["channel"], kind=kind), at),
                       message_id=item["ts"], reaction=reaction(body["reaction"]))
        case "user_change" | "team_join":
            return person_changed(envelope)
        case "app_home_opened":
            if body.get("tab", "home") != "home":
                return None
            place = Place(id=body.get("channel") or body["user"], kind="dm")
            return HomeOpened(**_base(team_id, event_id, Actor(id=body["user"]), place, at))
    return None


def _message(body: Payload, team_id: str, event_id: str, kind: ConversationKindName | None,
             bot_user_id: str | None, at: datetime | None) -> InboundEvent | None:
    subtype = body.get("subtype")
    stated = kind_hint(body.get("channel", ""), body.get("channel_type"))
    kind = kind or stated
    if kind is None:
        return None
    if body.get("is_ext_shared_channel") and kind == "channel":
        kind = "private"  # Slack Connect: shared with other organisations
    place = Place(id=body["channel"], kind=kind, kind_as_of=_stated_at(body, at) if stated is not None else None)
    if subtype == "channel_convert_to_public":
        # Made public (the reverse, channel_convert_to_private, syncs its members: see listeners).
        actor = Actor(id=body.get("user") or SLACK_SYSTEM_USER)
        return ConversationChanged(**_base(team_id, event_id, actor, place, at)) if stated == "channel" else None
    if subtype == "message_changed" and (body.get("message") or {}).get("subtype") == "tombstone":
        # A deleted message that had replies stays as a "This message was deleted." tombstone,
        # edited by USLACKBOT: it is the author's deletion, not an edit.
        old = body.get("previous_message") or {}
        if old.get("bot_id") or not old.get("user") or not old.get("ts"):
            return None
        return MessageDeleted(**_base(team_id, event_id, Actor(id=old["user"]), place, at), message_id=old["ts"])
    if subtype == "message_changed":
        new = body.get("message") or {}
        if new.get("bot_id") or not new.get("user"):
            return None
        return MessageEdited(**_base(team_id, event_id, Actor(id=new["user"]), place, at),
                             message_id=new["ts"], text=new.get("text", ""))
    if subtype == "message_deleted":
        old = body.get("previous_message") or {}
        if old.get("bot_id") or not old.get("user"):
            return None
        return MessageDeleted(**_base(team_id, event_id, Actor(id=old["user"]), place, at),
                              message_id=body["deleted_ts"])
    if subtype not in _PERSON_SUBTYPES or body.get("bot_id") or not body.get("user"):
        return None
    text = body.get("text", "")
    pattern = _mention_pattern(bot_user_id)
    if pattern and pattern.search(text) and kind != "dm":
        return None  # the same message arrives as app_mention, which carries the intent
    return MessagePosted(**_base(team_id, event_id, Actor(id=body["user"]), place, at),
                         message_id=body["ts"], thread_id=body.get("thread_ts"),
                         text=strip_bot_mention(text, bot_user_id) if kind == "dm" else text)


def membership(envelope: Payload, kind: ConversationKindName, member_ids: list[str]) -> MembersSynced:
    """``member_joined_channel``/``member_left_channel`` (or a channel made private): who is in it now.

    Slack lists the members after the ack; the kind is dated by the event, so a
    channel made private stays so whatever older event is handled after it.
    """
    body = envelope["event"]
    team_id = envelope.get("team_id") or body.get("team")
    at = _when(envelope.get("event_time"))
    place = Place(id=body["channel"], kind=kind, kind_as_of=_stated_at(body, at))
    return MembersSynced(**_base(team_id, envelope["event_id"], Actor(id=body["user"]), place, at),
                         member_ids=member_ids)


def button(payload: Payload, action: Payload, place: Place) -> ButtonClicked:
    """One clicked ``kb_*`` button of a ``block_actions`` payload (message, ephemeral or App Home)."""
    user = payload["user"]
    container = payload.get("container") or {}
    team_id = (payload.get("team") or {}).get("id") or user.get("team_id")
    return ButtonClicked(**_base(team_id, f"act:{payload['trigger_id']}:{action['action_id']}",
                                 Actor(id=user["id"], name=user.get("name")), place, _when(action.get("action_ts"))),
                         action_id=action["action_id"], value=action.get("value") or "",
                         message_id=container.get("message_ts"))


def button_place(payload: Payload, kind: ConversationKindName | None, dm_channel: str | None) -> Place | None:
    """Where a click happened: the message's channel, or (App Home) the person's DM with the bot."""
    channel = payload.get("channel") or {}
    container = payload.get("container") or {}
    channel_id = channel.get("id") or container.get("channel_id")
    if channel_id:
        return Place(id=channel_id, kind=kind, name=channel.get("name")) if kind else None
    return Place(id=dm_channel or payload["user"]["id"], kind="dm")


SLACK_SYSTEM_USER = "USLACKBOT"
"""Slack's own system user: who "acts" when Slack, not a person, reports a change to the workspace."""


def removal(envelope: Payload) -> AppRemoved | None:
    """``app_uninstalled``, or ``tokens_revoked`` naming the bot's token: kbbot can no longer act there.

    A revoked *user* token alone (someone who authorised kbbot for themselves)
    leaves the bot installed, so it means nothing to the core.
    """
    body = envelope["event"]
    if body.get("type") == "tokens_revoked" and not (body.get("tokens") or {}).get("bot"):
        return None
    team_id = envelope.get("team_id") or ""
    return AppRemoved(**_base(team_id, envelope["event_id"], Actor(id=SLACK_SYSTEM_USER, name="Slack", is_bot=True),
                              Place(id=team_id), _when(envelope.get("event_time"))))


def installation(team_id: str, team_name: str | None, installer: str | None, installed_at: float) -> AppInstalled:
    """A completed OAuth install (Bolt's success callback): the workspace takes kbbot (back)."""
    return AppInstalled(**_base(team_id, f"installed:{team_id}:{installed_at}",
                                Actor(id=installer or SLACK_SYSTEM_USER), Place(id=team_id),
                                _when(installed_at)), workspace_name=team_name)


# -- "Save to kbbot" and newcomers (issue 14) --------------------------------------------------------

SAVE_CALLBACK = "kb_save_thread"
"""The callback id of the "Save to kbbot" message shortcut (``manifest.yaml``) and of its modal."""


def thread_root(message: Payload) -> str:
    """The root of the thread a message is in: its ``thread_ts``, or itself when it starts none."""
    return str(message.get("thread_ts") or message["ts"])


def thread_message(message: Payload, names: Mapping[str, str | None] | None = None) -> ThreadMessage | None:
    """One message of ``conversations.replies``; ``None`` for what no person wrote (joins, tombstones)."""
    subtype = message.get("subtype")
    is_bot = bool(message.get("bot_id")) or subtype == "bot_message"
    if (subtype not in _PERSON_SUBTYPES and not is_bot) or not message.get("ts"):
        return None
    author = message.get("user") or message.get("bot_id")
    if not author:
        return None
    reactions = message.get("reactions") or []
    accepted_by = [str(user) for r in reactions if reaction(str(r.get("name", ""))) in ACCEPT_REACTIONS
                   for user in r.get("users") or []]
    name = (names or {}).get(author) or (message.get("user_profile") or {}).get("display_name") or None
    return ThreadMessage(id=str(message["ts"]), author=Actor(id=str(author), name=name, is_bot=is_bot),
                         text=str(message.get("text") or ""), accepted_by=accepted_by,
                         reactions=sum(int(r.get("count") or len(r.get("users") or [])) for r in reactions))


def thread(root_ts: str, messages: list[Payload], names: Mapping[str, str | None] | None = None,
           link: str | None = None) -> Thread:
    """A thread from ``conversations.replies`` (the root first, then its replies, oldest first)."""
    read = [m for m in (thread_message(message, names) for message in messages) if m is not None]
    root = next((m for m in read if m.id == root_ts), None)
    return Thread(root_id=root_ts, root=root, replies=[m for m in read if m.id != root_ts], link=link)


def unreadable(root_ts: str) -> Thread:
    """A thread Slack would not let kbbot read (a private channel it is not in)."""
    return Thread(root_id=root_ts, readable=False)


def save_request(payload: Payload, kind: ConversationKindName, found: Thread,
                 profile: Any = None) -> SaveFormRequested:
    """The ``message_action`` payload of "Save to kbbot", with the thread read from Slack.

    ``profile`` (:class:`~.lookups.Profile`) is the saver's, asked while they
    wait, so that a first form is already in their language.
    """
    user = payload["user"]
    channel = payload.get("channel") or {}
    team_id = (payload.get("team") or {}).get("id") or user.get("team_id")
    name = channel.get("name")
    place = Place(id=channel["id"], kind=kind, name=None if name in _SLASH_CHANNEL_NAMES or kind == "dm" else name)
    actor = Actor(id=user["id"], name=getattr(profile, "name", None) or user.get("name") or user.get("username"),
                  locale=getattr(profile, "locale", None), timezone=getattr(profile, "timezone", None))
    return SaveFormRequested(**_base(team_id, f"save-form:{payload['trigger_id']}", actor, place,
                                     _when(payload.get("action_ts"))),
                             message_id=str(payload.get("message_ts") or payload["message"]["ts"]), thread=found)


def save_metadata(channel: str, root_ts: str) -> str:
    """What the modal carries back on submission (``private_metadata``: Slack returns it untouched)."""
    return json.dumps({"channel": channel, "root": root_ts}, separators=(",", ":"))


def saved_place(payload: Payload) -> tuple[str, str] | None:
    """(channel, root ts) from a submitted modal's ``private_metadata``; None if it is not kbbot's."""
    try:
        found = json.loads((payload.get("view") or {}).get("private_metadata") or "")
    except ValueError:
        return None
    if not isinstance(found, dict) or not isinstance(found.get("channel"), str) or not isinstance(found.get("root"), str):
        return None
    return found["channel"], found["root"]


def form_values(payload: Payload) -> dict[str, str | None]:
    """A submitted modal's values by field name (the input block's id), whatever element each field was drawn as:
    a text or number input's ``value``, a select's ``selected_option``, a conversation (or the one of an emptiable
    picker's ``selected_conversations``), a time; ``None`` if empty."""
    found: dict[str, str | None] = {}
    state = ((payload.get("view") or {}).get("state") or {}).get("values") or {}
    for block_id, elements in state.items():
        for element in (elements or {}).values():
            if not isinstance(element, dict):
                continue
            value = element.get("value")
            if "selected_option" in element:
                value = (element.get("selected_option") or {}).get("value")
            for key in ("selected_conversation", "selected_channel", "selected_time"):
                if key in element:
                    value = element.get(key)
            if "selected_conversations" in element:  # an emptiable picker: a multi select of at most one
                value = next(iter(element.get("selected_conversations") or []), None)
            found[str(block_id)] = None if value is None else str(value)
    return found


def save_submission(payload: Payload, kind: ConversationKindName) -> ThreadSaved | None:
    """A submitted "Save to kbbot" modal (``view_submission``); the thread itself is read after the ack."""
    where = saved_place(payload)
    if where is None:
        return None
    channel, root = where
    user = payload["user"]
    team_id = (payload.get("team") or {}).get("id") or user.get("team_id")
    values = form_values(payload)
    return ThreadSaved(**_base(team_id, f"save:{payload['trigger_id']}",
                               Actor(id=user["id"], name=user.get("name") or user.get("username")),
                               Place(id=channel, kind=kind), None),
                       root_id=root, question=values.get(forms.QUESTION) or "",
                       answer_id=values.get(forms.ANSWER) or None, tags=values.get(forms.TAGS) or "")


# -- The core's other forms (the admin's settings): opened from a button, submitted as a modal -----------

FORM_CALLBACK = "kb_form"
"""The ``callback_id`` of every modal of a form opened by a button (:data:`kbbot.contract.actions.OPEN_FORM`)."""


def form_request(payload: Payload, action: Payload, place: Place, profile: Any = None) -> FormRequested:
    """A click on a button that opens a form: which form, who asks, where (the panel's conversation)."""
    user = payload["user"]
    team_id = (payload.get("team") or {}).get("id") or user.get("team_id")
    actor = Actor(id=user["id"], name=getattr(profile, "name", None) or user.get("name"),
                  locale=getattr(profile, "locale", None), timezone=getattr(profile, "timezone", None),
                  is_admin=getattr(profile, "is_admin", None))
    return FormRequested(**_base(team_id, f"form:{payload['trigger_id']}", actor, place,
                                 _when(action.get("action_ts"))), form=str(action.get("value") or ""))


def form_metadata(form: str, place: Place, response_url: str | None, replaceable: bool) -> str:
    """What the modal carries back: the form, where it was opened, and how to replace the panel it came from."""
    found: dict[str, Any] = {"form": form, "channel": place.id, "kind": place.kind}
    if response_url:
        found.update(response_url=response_url, replaceable=replaceable)
    return json.dumps(found, separators=(",", ":"))


def form_origin(payload: Payload) -> dict[str, Any] | None:
    """The metadata of a submitted form's modal (see :func:`form_metadata`); None if it is not kbbot's."""
    try:
        found = json.loads((payload.get("view") or {}).get("private_metadata") or "")
    except ValueError:
        return None
    if not isinstance(found, dict) or not isinstance(found.get("form"), str) or not isinstance(
            found.get("channel"), str) or not found["channel"]:
        return None
    return found


def form_submission(payload: Payload, kind: ConversationKindName | None) -> FormSubmitted | None:
    """A submitted form's modal (``view_submission``): every field's value, by the field's name."""
    found = form_origin(payload)
    if found is None:
        return None
    user = payload["user"]
    team_id = (payload.get("team") or {}).get("id") or user.get("team_id")
    return FormSubmitted(**_base(team_id, f"form-submit:{payload['trigger_id']}",
                                 Actor(id=user["id"], name=user.get("name") or user.get("username")),
                                 Place(id=found["channel"], kind=kind), None),
                         form=found["form"], values=form_values(payload))


def team_join(envelope: Payload) -> PersonJoined | None:
    """``team_join``: someone new in the workspace; kbbot would greet them in their own chat with it."""
    body = envelope["event"]
    user = body.get("user") or {}
    if not isinstance(user, dict) or not user.get("id") or user.get("is_bot") or user.get("deleted"):
        return None
    team_id = envelope.get("team_id") or user.get("team_id")
    profile = user.get("profile") or {}
    actor = Actor(id=user["id"], name=profile.get("display_name") or user.get("real_name") or user.get("name"),
                  locale=user.get("locale"), timezone=user.get("tz"))
    return PersonJoined(**_base(team_id, f"{envelope['event_id']}:joined", actor, Place(id=user["id"], kind="dm"),
                                _when(envelope.get("event_time"))))


def joined_channel(envelope: Payload, kind: ConversationKindName, bot_user_id: str | None) -> PersonJoined | None:
    """``member_joined_channel``: someone joined a channel (never kbbot itself)."""
    body = envelope["event"]
    if body.get("user") in (None, bot_user_id, SLACK_SYSTEM_USER):
        return None
    team_id = envelope.get("team_id") or body.get("team")
    at = _when(envelope.get("event_time"))
    place = Place(id=body["channel"], kind=kind, kind_as_of=_stated_at(body, at))
    return PersonJoined(**_base(team_id, f"{envelope['event_id']}:joined", Actor(id=body["user"]), place, at))
def is_guest(user: Payload) -> bool:
    """Slack's guest accounts: multi-channel (``is_restricted``) and single-channel (``is_ultra_restricted``)."""
    return bool(user.get("is_restricted") or user.get("is_ultra_restricted"))


def person_changed(envelope: Payload) -> PersonChanged | None:
    """``user_change`` or ``team_join``: a person's account as Slack describes it now.

    ``deleted`` means deactivated: they left. The full user object rides along,
    so nothing needs looking up; a bot's account is not a person.
    """
    body = envelope["event"]
    user = body.get("user") or {}
    if not isinstance(user, dict) or not user.get("id") or user.get("is_bot") or user.get("id") == SLACK_SYSTEM_USER:
        return None
    team_id = envelope.get("team_id") or user.get("team_id") or ""
    details = user.get("profile") or {}
    name = details.get("display_name") or details.get("real_name") or user.get("real_name") or user.get("name")
    actor = Actor(id=user["id"], name=name, locale=user.get("locale"), timezone=user.get("tz"),
                  is_guest=is_guest(user))
    return PersonChanged(**_base(team_id, envelope["event_id"], actor, Place(id=team_id),
                                 _when(envelope.get("event_time"))), left=bool(user.get("deleted")))
