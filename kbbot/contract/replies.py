"""Outbound replies: what the core asks adapters to show.

Small on purpose: text blocks, lists, buttons and mentions of people, and
one tagged destination per reply (:data:`Destination`). Each
adapter renders them (Block Kit, Adaptive Cards, terminal text). Text in a
block may contain what users wrote; renderers must neutralise mass mentions
in all of it (see :mod:`kbbot.text.mentions`). The only real mentions a reply
makes are the :class:`PersonRef` entries of a :class:`Mentions` block.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class Button(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    action_id: str
    value: str = ""
    style: Literal["default", "primary", "danger"] = "default"


class PersonRef(BaseModel):
    """A person the reply mentions on purpose, by the platform's user id."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str | None = None


class Text(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["text"] = "text"
    text: str
    style: Literal["plain", "heading", "quote", "context"] = "plain"


class MessageRef(BaseModel):
    """A message already on the platform: where it is and its id, for links to it."""

    model_config = ConfigDict(frozen=True)

    conversation_id: str
    message_id: str


class Item(BaseModel):
    """One entry of a list: a search hit, an expert, an answer."""

    model_config = ConfigDict(frozen=True)

    text: str
    detail: str | None = None
    lines: list[str] = Field(default_factory=list)
    """Short further lines under ``detail``, one thing each (an answer under a search hit); user text too."""
    link: str | None = None
    buttons: list[Button] = Field(default_factory=list)
    # The question an entry stands for, and (filled by the core just before sending) the message that
    # carries it, so an adapter can link to it: only the platform knows how to make a permalink.
    question_id: int | None = None
    posted: MessageRef | None = None


class ListBlock(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["list"] = "list"
    items: list[Item]


class Actions(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["actions"] = "actions"
    buttons: list[Button]


class Mentions(BaseModel):
    """``lead`` followed by real mentions of ``people`` (experts brought into a thread)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["mentions"] = "mentions"
    lead: str
    people: list[PersonRef]


Block = Annotated[Text | ListBlock | Actions | Mentions, Field(discriminator="kind")]


class Anchor(BaseModel):
    """The question a posted message stands for: the core records where the card landed.

    The core needs the id of a posted question to recognise replies in its
    thread as answers. The adapter only reports what it posted
    (:class:`Posted`); :mod:`kbbot.pipeline.posting` records it.
    """

    model_config = ConfigDict(frozen=True)

    kind: Literal["question"] = "question"
    id: int


class Post(BaseModel):
    """A message everyone in ``conversation_id`` sees, optionally in a thread.

    ``in_thread_of`` names a question whose card's thread the message belongs
    in (experts brought into it, a note under it). The core fills
    ``thread_id`` from what it recorded when the card was posted, before the
    adapter sees the reply, so adapters only ever get platform ids.
    """

    model_config = ConfigDict(frozen=True)

    to: Literal["post"] = "post"
    conversation_id: str
    thread_id: str | None = None
    in_thread_of: int | None = None


class Ephemeral(BaseModel):
    """A message only ``person_id`` sees, where they acted.

    ``replace_original`` asks to replace the message whose button was
    clicked, where the platform can.
    """

    model_config = ConfigDict(frozen=True)

    to: Literal["ephemeral"] = "ephemeral"
    conversation_id: str
    person_id: str
    replace_original: bool = False


class DirectMessage(BaseModel):
    """A message in the person's own chat with the bot."""

    model_config = ConfigDict(frozen=True)

    to: Literal["dm"] = "dm"
    person_id: str


class HomeView(BaseModel):
    """The person's home view, replaced as a whole (where the platform has one)."""

    model_config = ConfigDict(frozen=True)

    to: Literal["home"] = "home"
    person_id: str


class ReplaceCard(BaseModel):
    """The card posted earlier for ``question_id`` in ``conversation_id``, replaced in place.

    The core fills ``message_id`` (the card itself) and ``thread_id`` (the
    thread it carries) from what it recorded; an adapter never posts a second
    card instead, and the core fails the delivery when the card was never
    recorded.
    """

    model_config = ConfigDict(frozen=True)

    to: Literal["replace"] = "replace"
    conversation_id: str
    question_id: int
    message_id: str | None = None
    thread_id: str | None = None


Destination = Annotated[Post | Ephemeral | DirectMessage | HomeView | ReplaceCard, Field(discriminator="to")]
"""Where a reply goes: exactly one of these, and renderers handle each by its type."""


class Reply(BaseModel):
    """One message to show, and where.

    ``anchor`` marks the message that carries a question (its card): when the
    adapter reports what it posted, the core records the thread that
    replies-as-answers will arrive in.
    """

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="Plain-text summary for notifications and fallbacks")
    blocks: list[Block] = Field(default_factory=list)
    to: Destination
    anchor: Anchor | None = None
    locale: str = "en"
    key: str | None = Field(default=None, description=(
        "Unique to one stored reply (the outbox sets it): where a platform keeps such a mark with a message "
        "(in a message's metadata), a resend after a crash can find the first post instead of posting twice"))


class Posted(BaseModel):
    """What an adapter posted for one reply, as it reports back to the core.

    ``message_id`` is the new message (or the replaced one); ``thread_root``
    the thread replies to it arrive in, where that is another message (a
    card posted as the first reply under the asker's own post); ``related``
    further messages that stand for the same question (an invitation posted
    where there are no threads, so that quoting it answers).
    """

    model_config = ConfigDict(frozen=True)

    message_id: str | None = None
    thread_root: str | None = None
    related: tuple[str, ...] = ()
