"""Inbound events: what adapters hand to the core.

Each event names the workspace, the person acting, the conversation and the
platform's own ids. ``event_id`` is the platform's delivery id (Slack's
``event_id``, a Teams activity id, a console counter); the core records it
under a unique key, so a repeated delivery changes nothing.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

ConversationKindName = Literal["channel", "private", "dm", "group"]
NAME_LENGTH = 200
SEARCH_TEXT = 200
"""What a picker's search (:class:`ChoicesSearched`) reads of the typed text at most."""
MAX_TOP = 15
"""Matches one search answers at most: Teams' typeahead shows 15 options."""
MAX_SKIP = 10_000


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
UNREADABLE = "\ufffd"
"""What stands where a platform sent something that is not a character (Unicode's replacement character)."""


def _readable(value: object) -> object:
    """Lone surrogates (half a character, e.g. from a JSON ``\\ud800`` escape) become U+FFFD.

    They cannot be encoded as UTF-8, so neither stored nor sent anywhere; every
    adapter builds these models, so this is the one place they are caught.
    """
    if isinstance(value, str):
        return _LONE_SURROGATE.sub(UNREADABLE, value)
    if isinstance(value, list):
        return [_readable(item) for item in value]
    return value


def _clean(value: object) -> object:
    """Drop NUL characters (PostgreSQL cannot store them and no person typed them on purpose); see :func:`_readable`."""
    value = _readable(value)
    return value.replace("\x00", "") if isinstance(value, str) else value


def _label(value: object) -> object:
    """Names are labels: cleaned and cut to what the database keeps, rather than refused."""
    value = _clean(value)
    return value[:NAME_LENGTH] if isinstance(value, str) else value


def _known_zone(value: str | None) -> str | None:
    """A platform's timezone hint, kept only if the tz database knows it."""
    if not value or len(value) > 64:
        return None
    try:
        ZoneInfo(value)
    except (ValueError, KeyError, OSError):
        return None
    return value


Label = Annotated[str | None, BeforeValidator(_label)]
Content = Annotated[str, BeforeValidator(_clean)]
PlatformId = Annotated[str, Field(min_length=1, max_length=128)]


class _Boundary(BaseModel):
    """Every text field of an inbound model is readable Unicode, whichever adapter built it."""

    model_config = ConfigDict(frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _readable_text(cls, data: object) -> object:
        if isinstance(data, dict):
            return {key: _readable(value) for key, value in data.items()}
        return data


class Actor(_Boundary):
    """The person who did something, as the platform describes them."""

    id: PlatformId
    name: Label = None
    # Hints from the platform (Slack's locale, Teams' ``locale`` and ``localTimezone``);
    # they never override a choice the person made with ``/kb settings``.
    locale: Annotated[str | None, Field(max_length=35)] = None
    timezone: Annotated[str | None, AfterValidator(_known_zone)] = None
    is_bot: bool = False
    # A guest account (Slack's single- or multi-channel guests, Teams' guest users); None: the platform did
    # not say in this event, and what is known stays.
    is_guest: bool | None = None
    # The person's id in their organisation's directory, where the platform gives one beside its own
    # (Teams' ``aadObjectId``): how a web sign-in through that directory finds the same person.
    directory_id: Annotated[str | None, Field(max_length=128)] = None
    # Whether the platform says this person administers the workspace (Slack's is_admin/is_owner);
    # None: the platform did not say, and what kbbot knew stays.
    is_admin: bool | None = None
    # Whether the platform says this person owns the group the event's conversation belongs to (a Teams
    # team's owner, in that team's channels). Unlike ``is_admin`` it holds for this event's place only and is
    # never remembered: whether it makes them an admin, and of what, is kbbot.privacy.admins' to decide.
    owns_place: bool | None = None


class Place(_Boundary):
    """A conversation: channel, private channel, group chat or direct message."""

    id: str = Field(min_length=1, max_length=200)
    # ``None`` when the payload does not say (a reaction, an edit): the core then keeps
    # what it knew, and treats a conversation it never saw described as private.
    kind: ConversationKindName | None = None
    name: Label = None
    # When the platform said so: the time of the event whose own payload states ``kind``. ``None``
    # when the kind was looked up or remembered (its age unknown). A conversation's kind only widens
    # (to ``channel``) on evidence newer than its last change; older or undated evidence may only
    # narrow it, so a late retry from before a channel was made private cannot make it public again.
    kind_as_of: datetime | None = None


class _Event(_Boundary):

    platform: str = Field(min_length=1, max_length=16)
    workspace_id: str = Field(min_length=1, max_length=128)
    workspace_name: Label = None
    event_id: str = Field(min_length=1, max_length=255)
    actor: Actor
    conversation: Place
    occurred_at: datetime | None = None


class CommandInvoked(_Event):
    """``/ask …`` on Slack, ``ask …`` to the bot on Teams, a ``/`` line in the console."""

    type: Literal["command"] = "command"
    command: str = Field(max_length=64)
    text: Content = ""


class MessagePosted(_Event):
    """A message; with ``thread_id`` it is a reply in that message's thread."""

    type: Literal["message"] = "message"
    message_id: PlatformId
    thread_id: PlatformId | None = None
    text: Content = ""
    mentions_bot: bool = False


class MessageEdited(_Event):
    type: Literal["message_edited"] = "message_edited"
    message_id: PlatformId
    text: Content


class MessageDeleted(_Event):
    type: Literal["message_deleted"] = "message_deleted"
    message_id: PlatformId


class ReactionAdded(_Event):
    """``reaction`` is the emoji itself (✅, 👍); adapters translate their platform's names for it."""

    type: Literal["reaction_added"] = "reaction_added"
    message_id: PlatformId
    reaction: str = Field(max_length=100)


class ReactionRemoved(_Event):
    type: Literal["reaction_removed"] = "reaction_removed"
    message_id: PlatformId
    reaction: str = Field(max_length=100)


class ButtonClicked(_Event):
    """A button the core rendered; ``action_id`` and ``value`` come back as the core set them."""

    type: Literal["button"] = "button"
    action_id: str = Field(max_length=255)
    value: str = Field(default="", max_length=2000)
    message_id: PlatformId | None = None


class HomeOpened(_Event):
    """The person opened the bot's home (Slack App Home, the console's ``:home``)."""

    type: Literal["home_opened"] = "home_opened"


class MembersSynced(_Event):
    """The platform told us who is in a conversation: the ground truth for visibility."""

    type: Literal["members_synced"] = "members_synced"
    member_ids: list[PlatformId]


class AppRemoved(_Event):
    """kbbot was uninstalled from the workspace (or its bot token revoked): stop reaching out there.

    Usually said of the whole workspace: then ``conversation`` names the
    workspace, and ``actor`` is whoever removed it where the platform tells
    (else the platform's own system user). When ``conversation`` is a DM, one
    person removed kbbot from their own chat (Teams' personal scope): only
    they stop hearing from it. Knowledge already shared is kept, so a
    reinstall picks up where it left.
    """

    type: Literal["app_removed"] = "app_removed"


class ConversationChanged(_Event):
    """The platform says a conversation became something else (a channel made private or public).

    ``conversation`` states the new kind with ``kind_as_of``; the change applies
    unless newer evidence about the conversation is already known.
    """

    type: Literal["conversation_changed"] = "conversation_changed"


class AppInstalled(_Event):
    """kbbot was (re)installed in the workspace: scheduled prompts and digests go out there again."""

    type: Literal["app_installed"] = "app_installed"


# -- Threads saved as knowledge, newcomers welcomed (issue 14) ---------------------------------------


class ThreadMessage(_Boundary):
    """One message of a thread as the platform showed it: who wrote it, what, and how colleagues reacted."""

    id: PlatformId
    author: Actor
    text: Content = ""
    reactions: int = Field(default=0, ge=0)
    """How many reactions people gave it: the platform's sign of a reply colleagues found useful."""
    accepted_by: list[PlatformId] = Field(default_factory=list)
    """Who reacted with an accept mark (✅ and the like), by platform id."""


class Thread(_Boundary):
    """A conversation's thread, read by the adapter when someone saves it.

    ``root`` is ``None`` where the platform handed over only the chosen
    reply (a message action), so the question's author is not known;
    ``readable`` False where the platform would not let kbbot read the
    thread at all.
    """

    root_id: PlatformId
    root: ThreadMessage | None = None
    replies: list[ThreadMessage] = Field(default_factory=list)
    link: Annotated[str | None, Field(max_length=1000)] = None
    readable: bool = True
    complete: bool = True
    """False where the platform handed over only the message the person chose, not the whole thread."""
    unread_because: Literal["not_allowed", "unavailable"] | None = None
    """Why the thread's other replies are missing where the adapter tried to read them and could not: kbbot is
    not allowed to (Teams without Graph access), or the platform did not answer in time. The form says so."""


class SaveFormRequested(_Event):
    """Someone chose "Save to kbbot" on a message: what the form to save its thread shows.

    Asked of the core and answered at once (:mod:`kbbot.pipeline.forms`), never stored:
    the platform wants the form within seconds and nothing changes until it is submitted.
    """

    type: Literal["save_form"] = "save_form"
    message_id: PlatformId
    thread: Thread


class ThreadSaved(_Event):
    """The form was submitted: save ``root_id``'s thread as a question answered by ``answer_id``.

    ``thread`` is what the platform shows of it; an adapter that reads it
    after the ack (a step) leaves it ``None`` until then.
    """

    type: Literal["thread_saved"] = "thread_saved"
    root_id: PlatformId
    question: Content = ""
    answer_id: PlatformId | None = None
    tags: Content = ""
    thread: Thread | None = None


class FormRequested(_Event):
    """Someone clicked a button that opens one of the core's forms (``/kb admin``'s "Edit settings").

    Asked of the core and answered at once (:mod:`kbbot.pipeline.forms`), never
    stored, like :class:`SaveFormRequested`. ``form`` names the form
    (:data:`kbbot.contract.forms.KINDS_OF_FORM`).
    """

    type: Literal["form_requested"] = "form_requested"
    form: str = Field(max_length=32)


class ChoicesSearched(_Event):
    """Someone typed in a form's channel picker that asks for its choices as they type (Teams' typeahead).

    Asked of the core and answered at once (:mod:`kbbot.pipeline.forms`), never
    stored, like :class:`FormRequested`: the list must follow each keystroke.
    ``form`` names the form the picker is in, ``text`` is what they typed so
    far, ``skip`` and ``top`` the page of matches the platform wants.
    """

    type: Literal["choices_searched"] = "choices_searched"
    form: str = Field(max_length=32)
    text: str = Field(default="", max_length=SEARCH_TEXT)
    skip: int = Field(default=0, ge=0, le=MAX_SKIP)
    top: int = Field(default=MAX_TOP, ge=1, le=MAX_TOP)


FieldName = Annotated[str, Field(min_length=1, max_length=64)]
FieldValue = Annotated[Content | None, Field(max_length=3000)]


class FormSubmitted(_Event):
    """A form of the core's was submitted: each field's value as the person left it (``None``: left empty).

    The core checks it again when it works on it: a stale or forged submission
    changes nothing it would not have accepted in the form.
    """

    type: Literal["form_submitted"] = "form_submitted"
    form: str = Field(max_length=32)
    values: dict[FieldName, FieldValue] = Field(default_factory=dict, max_length=64)


class PersonJoined(_Event):
    """Someone joined the workspace (``conversation`` is then their DM) or a channel (``conversation``)."""

    type: Literal["person_joined"] = "person_joined"


class PersonChanged(_Event):
    """The platform says something about a person of the workspace (``actor``): their profile, or that they left.

    ``left``: their account was deactivated or removed from the organisation
    (Slack's ``user_change`` with ``deleted``, Teams' member removed). Their
    answers stay credited to them; who looks after those answers changes
    (kbbot/services/alumni.py). ``actor.is_guest`` says whether the account is
    a guest. ``conversation`` names the workspace itself, as for :class:`AppRemoved`.
    """

    type: Literal["person_changed"] = "person_changed"
    left: bool = False


InboundEvent = Annotated[
    CommandInvoked
    | MessagePosted
    | MessageEdited
    | MessageDeleted
    | ReactionAdded
    | ReactionRemoved
    | ButtonClicked
    | HomeOpened
    | MembersSynced
    | ConversationChanged
    | AppRemoved
    | AppInstalled
    | ThreadSaved
    | FormSubmitted
    | PersonJoined
    | PersonChanged,
    Field(discriminator="type"),
]
