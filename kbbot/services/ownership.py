"""Who looks after an answer: ``/kb owner <answer> @person`` hands it over.

The owner or an expert in the answer's tags (:func:`kbbot.services.verification.may_look_after`)
may hand it to someone who can read its question and has not left; the new
owner is told. Ownership moving because someone left is
:mod:`kbbot.services.alumni`'s, told in the weekly re-check batch instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kbbot.commands import command
from kbbot.commands.grammar import UsageError
from kbbot.contract.replies import DirectMessage, Reply, Text
from kbbot.i18n import t
from kbbot.presentation import cards
from kbbot.services.turn import Turn
from kbbot.services.verification import answer_for, answer_number, care, may_look_after, owner_of
from kbbot.store.models import Person
from kbbot.store.visibility import can_see
from kbbot.text.mentions import user_mentions


@dataclass(frozen=True)
class HandOver:
    """``/kb owner 12 @person``: someone else looks after the answer from now on."""

    answer_id: int
    person: str


def parse_owner(rest: str) -> HandOver | UsageError:
    parts = rest.split(maxsplit=1)
    number = answer_number(parts[0]) if parts else None
    if number is None or len(parts) < 2 or not parts[1].strip():
        return UsageError("usage.owner")
    return HandOver(number, parts[1].strip()[:200])


@command("owner", verbs=("owner", "eigenaar"), parse=parse_owner, usage="help.owner", order=86)
def owner_command(turn: Turn, command: HandOver) -> list[Reply]:
    return hand_over(turn, command.answer_id, command.person)


def find_person(session: Session, workspace_id: int, typed: str) -> Person | None:
    """The person ``typed`` names: a platform mention by id, else a unique display name or id (``@`` optional)."""
    ids = user_mentions(typed)
    if len(ids) == 1:
        return session.scalars(select(Person).where(Person.workspace_id == workspace_id,
                                                    Person.external_id == next(iter(ids)))).first()
    label = typed.strip()
    for opening, closing in (("<at>", "</at>"), ("<", ">")):
        if label.casefold().startswith(opening) and label.casefold().endswith(closing):
            label = label[len(opening):len(label) - len(closing)]
    label = label.lstrip("@").strip()
    if not label:
        return None
    found = list(session.scalars(select(Person).where(
        Person.workspace_id == workspace_id, Person.is_bot.is_(False),
        (Person.external_id == label) | (func.lower(Person.display_name) == label.casefold())).limit(2)))
    return found[0] if len(found) == 1 else None


def hand_over(turn: Turn, answer_id: int, typed: str) -> list[Reply]:
    """The owner or a tag expert hands the answer to someone who may see it; they are told."""
    answer = answer_for(turn, answer_id)
    if isinstance(answer, Reply):
        return [answer]
    if not may_look_after(turn.session, turn.person, answer):
        return [turn.notice("owner.not_allowed", id=answer.id)]
    new_owner = find_person(turn.session, turn.workspace.id, typed)
    if new_owner is None:
        return [turn.notice("owner.unknown_person", person=cards.snippet(typed, 60))]
    if new_owner.left_at is not None or not new_owner.is_active or new_owner.is_bot \
            or not can_see(turn.session, new_owner, answer.question):
        return [turn.notice("owner.cannot_own", name=cards.name(new_owner), id=answer.id)]
    if owner_of(answer).id == new_owner.id:
        return [turn.notice("owner.already", name=cards.name(new_owner), id=answer.id)]
    row = care(turn.session, answer)
    row.owner_id, row.owner_since, row.handed_over_because = new_owner.id, turn.now, "handover"
    turn.session.flush()
    turn.session.refresh(answer, ["care"])
    replies = [turn.notice("owner.done", name=cards.name(new_owner), id=answer.id)]
    if new_owner.id != turn.person.id and new_owner.removed_at is None:
        locale = new_owner.locale
        note = t(locale, "owner.for_new_owner", name=cards.name(turn.person), id=answer.id,
                 question=cards.snippet(answer.question.text, 120))
        replies.append(Reply(text=note, blocks=[Text(text=note), Text(text=answer.text, style="quote"),
                                                Text(text=t(locale, "owner.for_new_owner_hint", id=answer.id),
                                                     style="context")],
                             to=DirectMessage(person_id=new_owner.external_id), locale=locale))
    return replies
