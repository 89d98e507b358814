"""Light rows for ranking: what scoring needs of a question, read with three Core queries.

Ranking looks at up to a hundred candidates but shows a handful; loading
full ORM objects (answers, authors, flags, tags) for all of them cost more
than the search itself, so candidates are read as plain records and only
the winners are loaded as ORM objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, select

from kbbot.store.models import Answer, AnswerCare, Flag, FlagKind, Question, QuestionTag, Tag


@dataclass
class QuestionRecord:
    id: int
    text: str
    tags: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    accepted: bool = False
    accepted_outdated: bool = False
    accepted_id: int | None = None
    accepted_retired: bool = False


def question_records(connection: Connection, ids: Sequence[int], include_retired: bool = False
                     ) -> list[QuestionRecord]:
    """Records for the questions ``ids``, in the order given; retired answers only with ``include_retired``."""
    records = {qid: QuestionRecord(qid, body) for qid, body in
               connection.execute(select(Question.id, Question.text).where(Question.id.in_(ids)))}
    outdated = select(Flag.answer_id).where(Flag.kind == FlagKind.OUTDATED)
    query = (select(Answer.question_id, Answer.text, Answer.is_accepted, Answer.id.in_(outdated), Answer.id,
                    AnswerCare.retired_at.is_not(None))
             .outerjoin(AnswerCare, AnswerCare.answer_id == Answer.id)
             .where(Answer.question_id.in_(ids), Answer.deleted_at.is_(None)).order_by(Answer.id))
    if not include_retired:
        query = query.where(AnswerCare.retired_at.is_(None))
    for question_id, body, accepted, is_outdated, answer_id, is_retired in connection.execute(query):
        record = records[question_id]
        record.answers.append(body)
        if accepted:
            record.accepted = True
            record.accepted_outdated = bool(is_outdated)
            record.accepted_id = answer_id
            record.accepted_retired = bool(is_retired)
    for question_id, name in connection.execute(
        select(QuestionTag.question_id, Tag.name).join(Tag, Tag.id == QuestionTag.tag_id)
        .where(QuestionTag.question_id.in_(ids))
    ):
        records[question_id].tags.append(name)
    return [records[i] for i in ids if i in records]

