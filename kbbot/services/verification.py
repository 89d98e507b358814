"""Knowledge that stays true: who owns an answer, who said it is still right, and when it is due again.

Every answer has an *owner*: its author until someone hands it over
(``/kb owner``) or the owner leaves (:mod:`kbbot.services.alumni`). An
accepted answer can be *verified* ("still right") by its owner or a tag
expert; past its tag's verification interval since it was last verified (or
written) it is *due*. A *retired* answer stays stored but leaves suggestions
and search (``/kb search --all`` still lists it, marked).

:func:`states` computes where many answers stand in a few set-based queries
(ranking, reports, the weekly batch); :func:`standing` does it for one
answer on screen. Rights are one rule, :func:`may_look_after`, for every way
in (commands, the re-check buttons); handing an answer over is
:mod:`kbbot.services.ownership`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kbbot.clock import as_utc
from kbbot.commands import command, small_int
from kbbot.commands.grammar import UsageError
from kbbot.contract.replies import Item, ListBlock, Reply, Text
from kbbot.i18n import t
from kbbot.presentation import cards
from kbbot.services import activity
from kbbot.services.turn import Turn
from kbbot.store.models import (
    Answer,
    AnswerCare,
    DeclaredExpertise,
    Flag,
    Person,
    Question,
    QuestionTag,
    Tag,
    TagVerificationInterval,
)
from kbbot.store.visibility import can_see

CURRENT = "current"      # written or verified within its interval
DUE = "due"              # past its interval: a re-check is due
FLAGGED = "flagged"      # someone flagged it (outdated or incorrect)
RETIRED = "retired"      # kept, but out of suggestions and search
STATES = (CURRENT, DUE, FLAGGED, RETIRED)


# -- where answers stand ------------------------------------------------------------------------------


def care(session: Session, answer: Answer) -> AnswerCare:
    """The answer's care row, made (with the defaults) when it has none yet."""
    found = session.get(AnswerCare, answer.id)
    if found is None:
        try:
            with session.begin_nested():
                found = AnswerCare(answer_id=answer.id)
                session.add(found)
        except IntegrityError:  # another process made it first
            found = session.get(AnswerCare, answer.id)
            assert found is not None
    return found


def is_retired(answer: Answer) -> bool:
    found = answer.care  # type: ignore[attr-defined]
    return found is not None and found.retired_at is not None


def owner_of(answer: Answer) -> Person:
    """Who looks after ``answer``: its care row's owner, else its author."""
    found = answer.care  # type: ignore[attr-defined]
    return found.owner if found is not None and found.owner is not None else answer.author


def interval_days(session: Session, question_ids: Collection[int], default: int) -> dict[int, int]:
    """Each question's verification interval: the shortest of its tags' own intervals in its workspace, else ``default``."""
    found = dict(session.execute(
        select(QuestionTag.question_id, func.min(TagVerificationInterval.days))
        .join(Question, Question.id == QuestionTag.question_id)
        .join(TagVerificationInterval, and_(TagVerificationInterval.tag_id == QuestionTag.tag_id,
                                            TagVerificationInterval.workspace_id == Question.workspace_id))
        .where(QuestionTag.question_id.in_(list(question_ids))).group_by(QuestionTag.question_id)).all())
    return {qid: found.get(qid, default) for qid in question_ids}


MIN_INTERVAL, MAX_INTERVAL = 1, 3650
"""The verification intervals a tag may have, in days."""


def set_interval(session: Session, workspace_id: int, tag: Tag, days: int | None, now: datetime) -> None:
    """A tag's own verification interval in days in one workspace (``None``: back to the operator's default).

    Set by ``/kb admin set verify-every``; the rule that reads it is :func:`interval_days`.
    """
    if days is not None and not MIN_INTERVAL <= days <= MAX_INTERVAL:
        raise ValueError("a verification interval is between 1 and 3650 days")
    row = session.get(TagVerificationInterval, (workspace_id, tag.id))
    if days is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(TagVerificationInterval(workspace_id=workspace_id, tag_id=tag.id, days=days, updated_at=now))
    else:
        row.days, row.updated_at = days, now
    session.flush()


def tag_intervals(session: Session, workspace_id: int) -> dict[str, int]:
    """The workspace's tags with an interval of their own: tag name → days."""
    return dict(session.execute(select(Tag.name, TagVerificationInterval.days)
                                .join(TagVerificationInterval, TagVerificationInterval.tag_id == Tag.id)
                                .where(TagVerificationInterval.workspace_id == workspace_id)
                                .order_by(Tag.name)).all())


@dataclass(frozen=True)
class Standing:
    """Where one answer stands, with what a reader is shown about it."""

    state: str
    since: datetime
    """Since when it has been what it is: last verified, else last written."""
    due_at: datetime
    verified_at: datetime | None = None
    verified_by: Person | None = None
    retired_at: datetime | None = None


def _since(created_at: datetime, edited_at: datetime | None, verified_at: datetime | None) -> datetime:
    return max(as_utc(moment) for moment in (created_at, edited_at, verified_at) if moment is not None)


def states(session: Session, answer_ids: Iterable[int], now: datetime, default_days: int) -> dict[int, str]:
    """Where each answer stands (:data:`STATES`), for many answers in a few queries."""
    ids = list(dict.fromkeys(answer_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Answer.id, Answer.question_id, Answer.created_at, Answer.edited_at, AnswerCare.verified_at,
               AnswerCare.retired_at)
        .outerjoin(AnswerCare, AnswerCare.answer_id == Answer.id).where(Answer.id.in_(ids))).all()
    flagged = set(session.scalars(select(Flag.answer_id).where(Flag.answer_id.in_(ids))))
    days = interval_days(session, {row.question_id for row in rows}, default_days)
    found = {}
    for row in rows:
        if row.retired_at is not None:
            found[row.id] = RETIRED
        elif row.id in flagged:
            found[row.id] = FLAGGED
        elif _since(row.created_at, row.edited_at, row.verified_at) + timedelta(days=days[row.question_id]) <= now:
            found[row.id] = DUE
        else:
            found[row.id] = CURRENT
    return found


def standing(session: Session, answer: Answer, now: datetime, default_days: int) -> Standing:
    """Where one answer stands (the rule of :func:`states`), with who verified it and when, for a reader.

    Read from the answer as loaded (its care row and flags), plus its tags' interval: one query.
    """
    row = answer.care  # type: ignore[attr-defined]
    verified_at = as_utc(row.verified_at) if row is not None and row.verified_at is not None else None
    since = _since(answer.created_at, answer.edited_at, verified_at)
    days = interval_days(session, [answer.question_id], default_days)[answer.question_id]
    if row is not None and row.retired_at is not None:
        state = RETIRED
    elif answer.flags:
        state = FLAGGED
    else:
        state = DUE if since + timedelta(days=days) <= now else CURRENT
    return Standing(state=state, since=since, due_at=since + timedelta(days=days), verified_at=verified_at,
                    verified_by=row.verified_by if row is not None else None,
                    retired_at=as_utc(row.retired_at) if row is not None and row.retired_at is not None else None)


def standing_line(found: Standing, locale: str) -> str:
    """"verified by X, date" or "not verified since date", and whether a re-check is due or it is retired."""
    if found.state == RETIRED and found.retired_at is not None:
        return t(locale, "verify.line.retired", date=found.retired_at.date().isoformat())
    if found.verified_at is not None and found.verified_by is not None:
        line = t(locale, "verify.line.verified", name=cards.name(found.verified_by),
                 date=found.verified_at.date().isoformat())
    else:
        line = t(locale, "verify.line.unverified", date=found.since.date().isoformat())
    if found.state == DUE:
        line += " · " + t(locale, "verify.line.due")
    return line


def hit_standing(session: Session, answer: Answer | None, now: datetime, default_days: int,
                 locale: str) -> str | None:
    """The standing line of a search hit's or suggestion's accepted answer (None without one)."""
    if answer is None:
        return None
    return standing_line(standing(session, answer, now, default_days), locale)


# -- who may look after an answer ---------------------------------------------------------------------


def is_tag_expert(session: Session, person: Person, question: Question) -> bool:
    """Whether ``person`` declared, or earned with an accepted answer, one of the question's tags."""
    tag_ids = [tag.id for tag in question.tags]
    if not tag_ids:
        return False
    declared = select(DeclaredExpertise.tag_id).where(DeclaredExpertise.person_id == person.id,
                                                      DeclaredExpertise.tag_id.in_(tag_ids))
    earned = (select(QuestionTag.tag_id).join(Answer, Answer.question_id == QuestionTag.question_id)
              .where(Answer.author_id == person.id, Answer.is_accepted, Answer.deleted_at.is_(None),
                     QuestionTag.tag_id.in_(tag_ids)))
    return session.execute(union(declared, earned).limit(1)).first() is not None


def may_look_after(session: Session, person: Person, answer: Answer) -> bool:
    """The owner, or an expert in one of its question's tags, who may see the question and has not left."""
    if person.left_at is not None or not person.is_active or not can_see(session, person, answer.question):
        return False
    return owner_of(answer).id == person.id or is_tag_expert(session, person, answer.question)


# -- commands -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyAnswer:
    """``/kb verify 12``: the answer is still right (its owner or a tag expert says so)."""

    answer_id: int


@dataclass(frozen=True)
class RetireAnswer:
    """``/kb retire 12``: the answer no longer holds; kept, but out of suggestions and search."""

    answer_id: int


def answer_number(text: str) -> int | None:
    return small_int(text.strip().lstrip("#")) if text.strip() else None


def parse_verify(rest: str) -> VerifyAnswer | UsageError:
    number = answer_number(rest)
    return VerifyAnswer(number) if number is not None else UsageError("usage.verify")


def parse_retire(rest: str) -> RetireAnswer | UsageError:
    number = answer_number(rest)
    return RetireAnswer(number) if number is not None else UsageError("usage.retire")


def answer_for(turn: Turn, answer_id: int) -> Answer | Reply:
    """The live answer ``answer_id`` the acting person may see, or the refusal that says it is not there
    (the same for one that does not exist: a number tells nobody what is in a channel they are not in)."""
    answer = turn.session.get(Answer, answer_id)
    if answer is None or answer.deleted_at is not None or not can_see(turn.session, turn.person, answer.question):
        return turn.notice("answer.not_found")
    return answer


@command("verify", verbs=("verify", "bevestig"), parse=parse_verify, usage="help.verify", order=82)
def verify_command(turn: Turn, command: VerifyAnswer) -> list[Reply]:
    return verify(turn, command.answer_id)


def verify(turn: Turn, answer_id: int, replace: bool = False) -> list[Reply]:
    """"Still right": record who and when; only an accepted answer, only its owner or a tag expert."""
    answer = answer_for(turn, answer_id)
    if isinstance(answer, Reply):
        return [answer]
    if not answer.is_accepted:
        return [turn.notice("verify.not_accepted", id=answer.id)]
    if not may_look_after(turn.session, turn.person, answer):
        return [turn.notice("verify.not_allowed", id=answer.id)]
    row = care(turn.session, answer)
    if row.retired_at is not None:
        return [turn.notice("verify.retired", id=answer.id)]
    if row.verified_by_id == turn.person.id and row.verified_at is not None \
            and as_utc(row.verified_at).date() == turn.now.date():
        return [turn.notice("verify.already", id=answer.id, replace=replace)]
    row.verified_at, row.verified_by_id, row.update_asked_at = turn.now, turn.person.id, None
    activity.log(turn.session, turn.person, "verified", turn.now, answer.id)
    days = interval_days(turn.session, [answer.question_id], turn.settings.verification_interval_days)
    next_due = (turn.now + timedelta(days=days[answer.question_id])).date().isoformat()
    return [turn.notice("verify.done", id=answer.id, date=next_due, replace=replace)]


@command("retire", verbs=("retire", "archiveer"), parse=parse_retire, usage="help.retire", order=84)
def retire_command(turn: Turn, command: RetireAnswer) -> list[Reply]:
    return retire(turn, command.answer_id)


def retire(turn: Turn, answer_id: int, replace: bool = False) -> list[Reply]:
    """Take an answer out of suggestions and search; it stays stored (and listed by ``/kb search --all``)."""
    from kbbot.services.answering import refresh_status  # answering imports this module

    answer = answer_for(turn, answer_id)
    if isinstance(answer, Reply):
        return [answer]
    if not may_look_after(turn.session, turn.person, answer):
        return [turn.notice("retire.not_allowed", id=answer.id)]
    row = care(turn.session, answer)
    if row.retired_at is not None:
        return [turn.notice("retire.already", id=answer.id, replace=replace)]
    row.retired_at, row.retired_by_id, row.update_asked_at = turn.now, turn.person.id, None
    turn.session.flush()
    turn.session.refresh(answer, ["care"])
    refresh_status(answer.question)
    answer.question.updated_at = turn.now  # re-indexed: a retired answer's words no longer find the question
    activity.log(turn.session, turn.person, "retired", turn.now, answer.id)
    return [turn.notice("retire.done", id=answer.id, replace=replace)]


def ask_update(turn: Turn, answer_id: int) -> list[Reply]:
    """"Update": the owner's next reply in the question's thread replaces this answer (see :func:`superseded`)."""
    answer = answer_for(turn, answer_id)
    if isinstance(answer, Reply):
        return [answer]
    if not may_look_after(turn.session, turn.person, answer):
        return [turn.notice("verify.not_allowed", id=answer.id)]
    row = care(turn.session, answer)
    if row.retired_at is not None:
        return [turn.notice("verify.retired", id=answer.id)]
    row.update_asked_at = turn.now
    question = answer.question
    heading = turn.say("update.how", id=answer.id, question=question.id)
    item = Item(text=f"[Q{question.id}] {cards.snippet(question.text, 200)}",
                detail=t(turn.locale, "update.current", answer=cards.snippet(answer.text, 200)),
                question_id=question.id)
    return [turn.private(heading, [Text(text=heading), ListBlock(items=[item]),
                                   Text(text=turn.say("update.hint", id=answer.id), style="context")])]


def superseded(turn: Turn, question: Question, new: Answer) -> None:
    """A reply by someone who chose "Update" on an answer of ``question``: the new answer takes its place.

    It is accepted where the old one was, counts as verified now, and the old
    one is retired (kept, as the knowledge base's memory).
    """
    replaced = [a for a in question.answers if a.id != new.id and a.deleted_at is None
                and a.care is not None and a.care.update_asked_at is not None  # type: ignore[attr-defined]
                and owner_of(a).id == turn.person.id]
    for old in replaced:
        row = old.care  # type: ignore[attr-defined]
        row.update_asked_at, row.retired_at, row.retired_by_id = None, turn.now, turn.person.id
        if old.is_accepted:
            old.is_accepted, new.is_accepted = False, True
        fresh = care(turn.session, new)
        fresh.verified_at, fresh.verified_by_id = turn.now, turn.person.id
        if fresh.owner_id is None and owner_of(old).id != new.author_id:
            fresh.owner_id, fresh.owner_since = owner_of(old).id, turn.now
    if replaced:
        turn.session.flush()
