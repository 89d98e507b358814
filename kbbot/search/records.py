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

from kbbot.store.models import Answer, Flag, FlagKind, Question, QuestionTag, Tag


@dataclass
class QuestionRecord:
    id: int
    text: str
    tags: list[str] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    accepted: bool = False
    accepted_outdated: bool = False


def question_records(connection: Connection, ids: Sequence[int]) -> list[QuestionRecord]:
    """Records for the questions ``ids``, in the order given."""
    records = {qid: QuestionRecord(qid, body) for qid, body in
               connection.execute(select(Question.id, Question.text).where(Question.id.in_(ids)))}
    outdated = select(Flag.answer_id).where(Flag.kind == FlagKind.OUTDATED)
    for question_id, body, accepted, is_outdated in connection.execute(
        select(Answer.question_id, Answer.text, Answer.is_accepted, Answer.id.in_(outdated))
        .where(Answer.question_id.in_(ids), Answer.deleted_at.is_(None)).order_by(Answer.id)
    ):
        record = records[question_id]
        record.answers.append(body)
        if accepted:
            record.accepted = True
            record.accepted_outdated = bool(is_outdated)
    for question_id, name in connection.execute(
        select(QuestionTag.question_id, Tag.name).join(Tag, Tag.id == QuestionTag.tag_id)
        .where(QuestionTag.question_id.in_(ids))
    ):
        records[question_id].tags.append(name)
    return [records[i] for i in ids if i in records]

