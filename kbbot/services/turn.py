"""One handled event's context: who acts where, when, in which transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from kbbot.config import Settings
from kbbot.commands import registry
from kbbot.contract import platform
from kbbot.i18n import t, variant
from kbbot.contract.replies import Block, Ephemeral, Reply, Text
from kbbot.store.models import Conversation, Person, Workspace


@dataclass(frozen=True)
class Turn:
    session: Session
    workspace: Workspace
    person: Person
    conversation: Conversation
    now: datetime
    settings: Settings
    owns_place: bool = False
    """The platform said, for this event, that the person owns the group its conversation is in (a Teams team)."""

    @property
    def locale(self) -> str:
        return self.person.locale

    def say(self, key: str, **params: object) -> str:
        """The catalogue message ``key`` in the acting person's language, worded for their platform."""
        can = platform.capabilities(self.workspace.platform)
        text = t(self.locale, variant(key, can.lacks), **params)
        return text if can.slash_commands else registry.as_words(text)

    def private(self, text: str, blocks: list[Block] | None = None, replace: bool = False) -> Reply:
        """A reply only the acting person sees, where they acted."""
        return Reply(text=text, blocks=blocks if blocks is not None else [Text(text=text)],
                     to=Ephemeral(conversation_id=self.conversation.external_id, person_id=self.person.external_id,
                                replace_original=replace), locale=self.locale)

    def notice(self, key: str, replace: bool = False, **params: object) -> Reply:
        return self.private(self.say(key, **params), replace=replace)
