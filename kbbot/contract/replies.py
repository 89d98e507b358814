"""Outbound replies: what the core asks adapters to show.

Small on purpose: text blocks, lists, buttons and mentions of people. Each
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


class Item(BaseModel):
    """One entry of a list: a search hit, an expert, an answer."""

    model_config = ConfigDict(frozen=True)

    text: str
    detail: str | None = None
    link: str | None = None
    buttons: list[Button] = Field(default_factory=list)
    # The question an entry stands for, so an adapter can link to where it was posted
    # (only the platform knows how to make a permalink).
    question_id: int | None = None


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
    """Asks the adapter to report back the platform id of the message it posts.

    The core needs the id of a posted question to recognise replies in its
    thread as answers; the adapter calls
    :func:`kbbot.services.asking.record_posted` with it.
    """

    model_config = ConfigDict(frozen=True)

    kind: Literal["question"] = "question"
    id: int


class Reply(BaseModel):
    """One message to show.

    Exactly one destination: ``conversation_id`` (public, optionally in
    ``thread_id``, or in the thread of a message posted earlier in the same
    batch, ``in_thread_of``), ``conversation_id`` plus ``ephemeral_to`` (only
    that person sees it), ``dm_to`` (a direct message to a person) or
    ``home_of`` (the person's home view, replaced as a whole).
    ``replace_original`` asks the adapter to replace the message whose button
    was clicked, where the platform can. ``replaces`` asks it to replace,
    in place, the card it posted earlier for that question in
    ``conversation_id`` (the asker edited or withdrew it); an adapter that
    cannot find that card says so as a failed delivery rather than posting
    a second card.
    """

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="Plain-text summary for notifications and fallbacks")
    blocks: list[Block] = Field(default_factory=list)
    conversation_id: str | None = None
    thread_id: str | None = None
    ephemeral_to: str | None = None
    dm_to: str | None = None
    home_of: str | None = None
    in_thread_of: Anchor | None = None
    replace_original: bool = False
    replaces: Anchor | None = None
    anchor: Anchor | None = None
    locale: str = "en"

    @property
    def is_ephemeral(self) -> bool:
        return self.ephemeral_to is not None
