"""Where people stand, consuming, contributing or creating, and a person's own figures.

This module is the one definition of the stages; ``/kb stats``, home, whoami,
the personal digest and the adoption report all ask it, so a person is never
"contributing" on one surface and "creating" on another:

* **consuming**: searching, reading suggestions, answers and digests, opening
  home, following a question ("me too");
* **contributing**: asking, answering, voting, flagging, accepting an answer;
* **creating**: what others found useful: an answer someone else accepted or
  :data:`UPVOTES_TO_CREATE` colleagues upvoted, or a working-out-loud post
  shared with a channel.

Answering alone is contributing: an answer becomes knowledge others build on
once someone else says it helped. The stage is shown to the person themself
as encouragement, and to the organisation only as counts; never as a league
table of others.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, not_, select
from sqlalchemy.orm import Session

from kbbot.store.visibility import listed_questions
from kbbot.store.models import Activity, Answer, Person, Question, SharedPost, Vote

STAGES = ("consuming", "contributing", "creating")  # in order: an index into this tuple is a stage's rank
CONSUMING = frozenset({"searched", "viewed_suggestion", "found_answer", "read_digest", "opened_home", "followed"})
CONTRIBUTING = frozenset({"asked", "answered", "voted", "flagged", "accepted"})
UPVOTES_TO_CREATE = 3
# For reports in English (kbbot report adoption); people see their stage through the catalogue.
EXPLAINED = ("Consuming: searching and reading. Contributing: asking, answering, voting, flagging. "
             f"Creating: an answer someone else accepted or {UPVOTES_TO_CREATE} colleagues upvoted, "
             "or a post shared with a team.")


@dataclass(frozen=True)
class Reached:
    """``person_id`` acted at ``stage`` (an index into :data:`STAGES`) at moment ``at``."""

    person_id: int
    at: datetime
    stage: int


def _ways(person_id: int | Collection[int] | None, workspace_ids: Collection[int] | None, since: datetime | None,
          with_anonymous_asking: bool) -> list[tuple[int, Select[tuple[int, datetime]]]]:
    """Every way of reaching a stage: (stage, a query of (person id, moment)), highest stage first.

    ``person_id`` narrows to one person or, given a collection, to a set of people (digests in bulk).

    A creating moment belongs to the author and happens when others made it so:
    when the asker accepted the answer, when the answer's third upvote came, when
    the post was shared with a channel.
    """

    def where(person: ColumnElement[int], moment: ColumnElement[datetime],
              workspace: ColumnElement[int]) -> list[ColumnElement[bool]]:
        clauses = []
        if person_id is not None:
            clauses.append(_one_of(person, person_id))
        if workspace_ids is not None:
            clauses.append(workspace.in_(list(workspace_ids)))
        if since is not None:
            clauses.append(moment >= since)
        return clauses

    accepted = (select(Answer.author_id, Activity.created_at)
                .join(Answer, Answer.id == Activity.subject_id).join(Question, Question.id == Answer.question_id)
                .where(Activity.kind == "accepted", Answer.is_accepted, Answer.deleted_at.is_(None),
                       Question.asker_id != Answer.author_id,
                       *where(Answer.author_id, Activity.created_at, Activity.workspace_id)))
    shared = (select(Activity.person_id, Activity.created_at).join(SharedPost, SharedPost.id == Activity.subject_id)
              .where(Activity.kind == "shared_post", SharedPost.author_id == Activity.person_id,
                     SharedPost.conversation_id.is_not(None),
                     *where(Activity.person_id, Activity.created_at, Activity.workspace_id)))
    ranked = (select(Vote.answer_id, Vote.created_at, func.row_number().over(
                  partition_by=Vote.answer_id, order_by=(Vote.created_at, Vote.person_id)).label("n"))
              .join(Answer, Answer.id == Vote.answer_id)
              .where(Answer.deleted_at.is_(None), Vote.person_id != Answer.author_id,
                     *([_one_of(Answer.author_id, person_id)] if person_id is not None else []))).subquery()
    upvoted = (select(Answer.author_id, ranked.c.created_at).join(Answer, Answer.id == ranked.c.answer_id)
               .join(Question, Question.id == Answer.question_id)
               .where(ranked.c.n == UPVOTES_TO_CREATE,
                      *where(Answer.author_id, ranked.c.created_at, Question.workspace_id)))

    def acts(kinds: frozenset[str]) -> Select[tuple[int, datetime]]:
        return select(Activity.person_id, Activity.created_at).where(
            Activity.kind.in_(sorted(kinds)), *where(Activity.person_id, Activity.created_at, Activity.workspace_id))

    contributing = acts(CONTRIBUTING)
    if not with_anonymous_asking:
        anonymous = select(Question.id).where(Question.is_anonymous)
        contributing = contributing.where(
            not_(and_(Activity.kind == "asked", Activity.subject_id.in_(anonymous))),
            not_(and_(Activity.kind == "accepted", Activity.subject_id.in_(
                select(Answer.id).where(Answer.question_id.in_(anonymous))))))
    return [(2, accepted), (2, shared), (2, upvoted), (1, contributing), (0, acts(CONSUMING))]


def _one_of(column: ColumnElement[int], people: int | Collection[int]) -> ColumnElement[bool]:
    return column == people if isinstance(people, int) else column.in_(list(people))


def reached(session: Session, *, workspace_ids: Collection[int] | None = None,
            since: datetime | None = None) -> list[Reached]:
    """Every moment anyone acted at a stage since ``since``: what the adoption report counts."""
    return [Reached(person, at, stage) for stage, query in _ways(None, workspace_ids, since, True)
            for person, at in session.execute(query)]


def stage_of(session: Session, person: Person, with_anonymous_asking: bool = True) -> str:
    """The highest stage ``person`` ever reached; consuming until they did anything.

    ``with_anonymous_asking=False`` leaves out asking anonymously and accepting
    an answer to such a question, for views someone other than the asker reads.
    """
    for stage, query in _ways(person.id, None, None, with_anonymous_asking):
        if stage and session.execute(query.limit(1)).first() is not None:
            return STAGES[stage]
    return STAGES[0]


def stages_of(session: Session, person_ids: Collection[int], with_anonymous_asking: bool = True) -> dict[int, str]:
    """:func:`stage_of` for many people at once: one query per way of reaching a stage, not per person."""
    stage = {person_id: 0 for person_id in person_ids}
    for rank, query in _ways(list(person_ids), None, None, with_anonymous_asking):
        todo = [person_id for person_id, known in stage.items() if known < rank]
        if not rank or not todo:
            continue
        who = query.subquery().c[0]
        for (person_id,) in session.execute(select(who).where(who.in_(todo)).distinct()):
            stage[person_id] = max(stage[person_id], rank)
    return {person_id: STAGES[rank] for person_id, rank in stage.items()}


@dataclass(frozen=True)
class PersonStats:
    questions: int
    answers: int
    accepted_answers: int
    upvotes_received: int
    shared_posts: int
    stage: str  # one of STAGES, the highest the person ever reached


def for_person(session: Session, person: Person, with_anonymous_asking: bool = True) -> PersonStats:
    """A person's figures, counted from the knowledge itself, and their stage.

    A question its asker withdrew no longer counts as asked; answers given to
    it still count for whoever gave them, since withdrawing is not theirs to undo.
    ``with_anonymous_asking=False`` gives the figures as anyone but the person
    may see them: their anonymous questions are not theirs there (see :func:`stage_of`).
    """
    live = (Answer.author_id == person.id, Answer.deleted_at.is_(None))
    asked = [Question.asker_id == person.id, listed_questions()]
    if not with_anonymous_asking:
        asked.append(Question.is_anonymous.is_(False))
    return PersonStats(
        questions=session.scalar(select(func.count()).select_from(Question).where(*asked)) or 0,
        answers=session.scalar(select(func.count()).select_from(Answer).where(*live)) or 0,
        accepted_answers=session.scalar(select(func.count()).select_from(Answer).where(*live, Answer.is_accepted)) or 0,
        upvotes_received=session.scalar(
            select(func.count()).select_from(Vote).join(Answer, Answer.id == Vote.answer_id).where(*live)) or 0,
        shared_posts=session.scalar(select(func.count()).select_from(SharedPost).where(
            SharedPost.author_id == person.id, SharedPost.conversation_id.is_not(None))) or 0,
        stage=stage_of(session, person, with_anonymous_asking),
    )
