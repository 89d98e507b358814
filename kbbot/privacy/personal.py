"""Where kbbot keeps something about a person, and what erasure does with each place.

Found, not listed by hand: :func:`person_columns` walks the metadata of every
table for columns that refer to ``people.id``. Each must have a
:data:`POLICY`; a test fails for a column without one, so a table added by
another feature cannot hold personal data that erasure and the data export
(GDPR articles 15 and 17) silently miss. Person ids kept without a foreign key
(a ledger's ``person:<id>`` recipient, a platform id as a key) are listed in
:data:`REFERENCES`; columns whose names look personal but are not (a process
name holding a lease) in :data:`NOT_PERSONAL`, each with the reason.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from typing import Any

from sqlalchemy import Column, MetaData, Table, and_

import kbbot.store
from kbbot.store.models import Base

PEOPLE = "people"


class Action(str, enum.Enum):
    DELETE = "delete"
    """The row is the person's own (a setting, a membership, a delivery): erased with them."""
    DEIDENTIFY = "deidentify"
    """The row stays, pointing at the workspace's "former colleague" (a vote still counts)."""
    NULL = "null"
    """Only the reference goes (who asked for a channel's digest)."""
    KNOWLEDGE = "knowledge"
    """A question, answer or shared post: kept de-identified, or deleted when the workspace's policy says so."""


@dataclass(frozen=True)
class Policy:
    action: Action
    why: str
    own_when_null: str | None = None
    """A column that, when NULL, makes the row the person's own (a post kept "just for me"): deleted always."""


POLICY: dict[str, Policy] = {
    "memberships.person_id": Policy(Action.DELETE, "which conversations they are in"),
    "questions.asker_id": Policy(Action.KNOWLEDGE, "their questions are the organisation's knowledge"),
    "question_followers.person_id": Policy(Action.DELETE, "questions they follow"),
    "drafts.person_id": Policy(Action.DELETE, "questions they had not posted yet"),
    "answers.author_id": Policy(Action.KNOWLEDGE, "their answers are the organisation's knowledge"),
    "votes.person_id": Policy(Action.DEIDENTIFY, "an upvote keeps counting for the answer"),
    "imported_votes.person_id": Policy(Action.DEIDENTIFY, "moves with the upvote an import took from their reaction"),
    "flags.person_id": Policy(Action.DEIDENTIFY, "an 'outdated' flag keeps warning readers"),
    "declared_expertise.person_id": Policy(Action.DELETE, "their expertise"),
    "activities.person_id": Policy(Action.DELETE, "what they read, asked and searched"),
    "shared_posts.author_id": Policy(Action.KNOWLEDGE, "working out loud shared with a team",
                                     own_when_null="conversation_id"),
    "deliveries.person_id": Policy(Action.DELETE, "their prompts and digests"),
    "person_schedules.person_id": Policy(Action.DELETE, "their own prompt and digest moments"),
    "channel_digests.requested_by": Policy(Action.NULL, "the channel keeps its digest"),
    "schedule_next.person_id": Policy(Action.DELETE, "when their next prompt is due"),
    "audit_log.person_id": Policy(Action.DEIDENTIFY, "the trail keeps that a change was made"),
    "workspace_admins.person_id": Policy(Action.DELETE, "their admin flag"),
    "invitations.person_id": Policy(Action.DELETE, "questions they were invited to help with"),
    "ping_counts.person_id": Policy(Action.DELETE, "how often they were invited each week"),
    "routing_preferences.person_id": Policy(Action.DELETE, "their own invitation budget"),
    "recheck_reminders.person_id": Policy(Action.DELETE, "their weekly re-check reminders"),
    "welcomes.person_id": Policy(Action.DELETE, "that kbbot greeted them"),
    "person_directory_ids.person_id": Policy(Action.DELETE, "their id in the organisation's directory"),
    "answer_care.owner_id": Policy(Action.NULL, "the answer falls back to its (de-identified) author"),
    "answer_care.verified_by_id": Policy(Action.DEIDENTIFY, "the answer stays verified, by a former colleague"),
    "answer_care.retired_by_id": Policy(Action.NULL, "the answer stays retired"),
    "saved_threads.saved_by_id": Policy(Action.DEIDENTIFY, "the saved thread and its link stay knowledge"),
}
"""Every ``<table>.<column>`` that refers to ``people.id``, and what erasure does with it."""


@dataclass(frozen=True)
class Reference:
    """A person kept without a foreign key: ``template`` formats the value from ``id`` or ``external_id``."""

    table: str
    column: str
    template: str
    why: str
    where: tuple[tuple[str, str], ...] = ()
    """Further equalities the row must meet (a platform address's ``scope`` is ``person``)."""
    by_platform_ids: bool = False
    """The table names its workspace by the platform's ids (``platform``, ``workspace_id`` as a string)."""

    def condition(self, person_id: int, external_id: str, platform: str, workspace: str) -> Any:
        """The rows of this reference that are the person's."""
        table = Base.metadata.tables[self.table]
        value = self.template.format(id=person_id, external_id=external_id)
        clauses = [table.c[self.column] == value, *(table.c[k] == v for k, v in self.where)]
        if self.by_platform_ids:
            clauses += [table.c.platform == platform, table.c.workspace_id == workspace]
        return and_(*clauses)


REFERENCES: tuple[Reference, ...] = (
    Reference("deliveries", "recipient", "person:{id}", "the ledger's key for a person's prompt or digest"),
    Reference("platform_addresses", "key", "{external_id}", "where a platform lets kbbot write to them",
              where=(("scope", "person"),), by_platform_ids=True),
)
"""Person ids stored without a foreign key; their rows are deleted on erasure and exported on request."""

NOT_PERSONAL: dict[str, str] = {
    "outbox.owner": "the kbbot process holding the reply's lease",
    "deliveries.claimed_by": "the kbbot process that claimed the delivery",
    "live_processes.name": "a kbbot process",
    "audit_log.actor": "'chat' or 'operator', no person",
    "answer_care.owner_since": "a date, not a person",
    "routing_steps.taken_by": "the kbbot process that took the ladder step",
}
"""Columns whose names look personal but hold no person, each with the reason."""

_LOOKS_PERSONAL = re.compile(r"(person|people|user|author|asker|owner|recipient|member|actor|_by$|requested)")


@dataclass(frozen=True)
class PersonColumn:
    table: Table
    column: Column

    @property
    def key(self) -> str:
        return f"{self.table.name}.{self.column.name}"


@cache
def _models_loaded() -> bool:
    """Import every module of kbbot.store, so that a feature's tables are walked even if nothing imported them yet."""
    for module in pkgutil.walk_packages(kbbot.store.__path__, "kbbot.store."):
        importlib.import_module(module.name)
    return True


def person_columns(metadata: MetaData = Base.metadata) -> Iterator[PersonColumn]:
    """Every column of every table with a foreign key to ``people.id``, in a stable order."""
    _models_loaded()
    for table in metadata.sorted_tables:
        if table.name == PEOPLE:
            continue
        for column in table.columns:
            if any(fk.column.table.name == PEOPLE for fk in column.foreign_keys):
                yield PersonColumn(table, column)


def uncovered(metadata: MetaData = Base.metadata) -> list[str]:
    """Columns that refer to a person, or look as if they do, with no policy or reason: must be empty."""
    _models_loaded()
    covered = set(POLICY) | {f"{ref.table}.{ref.column}" for ref in REFERENCES} | set(NOT_PERSONAL)
    found = {found.key for found in person_columns(metadata)}
    for table in metadata.sorted_tables:
        if table.name == PEOPLE:
            continue
        for column in table.columns:
            if _LOOKS_PERSONAL.search(column.name):
                found.add(f"{table.name}.{column.name}")
    return sorted(found - covered)


def policy(found: PersonColumn) -> Policy:
    """The policy of a person column; a column without one is refused rather than guessed."""
    try:
        return POLICY[found.key]
    except KeyError:
        raise LookupError(f"{found.key} refers to a person but has no erasure policy "
                          "(add it to kbbot.privacy.personal.POLICY)") from None
