"""Finding existing knowledge: ``/kb search`` and the suggestions shown at ``/ask``.

This first version matches words with escaped ``LIKE`` patterns and scores
term coverage in Python, so any string a person types is a safe query. The
interface (:func:`search`, :func:`suggest`, :class:`Hit`) is what callers
rely on; ranking behind it can change.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from kbbot.services.visibility import visible_questions
from kbbot.store.models import Answer, Person, Question, QuestionStatus, QuestionTag, Tag

MAX_TERMS = 12
CANDIDATE_LIMIT = 2000
SUGGESTION_MIN_COVERAGE = 0.5

_WORD = re.compile(r"\w+", re.UNICODE)
STOP_WORDS = frozenset(
    "a an and are as at be by can do does for from how i in is it my of on or the this to we what when where "
    "which who why with you your de het een en van in is op te dat die voor met zijn er aan niet ook als "
    "bij hoe wat waar wie welke kan ik je we mijn of om naar dan door over".split()
)


@dataclass(frozen=True)
class Hit:
    question: Question
    score: float
    accepted: Answer | None


def terms(text: str) -> list[str]:
    """The words of ``text`` worth matching: lower-case, no stop words, longest first, bounded."""
    words = dict.fromkeys(w for w in (m.group().casefold() for m in _WORD.finditer(text))
                          if len(w) > 1 and w not in STOP_WORDS)
    return sorted(words, key=len, reverse=True)[:MAX_TERMS]


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(session: Session, viewer: Person, query: str, *, limit: int = 10, answered_only: bool = False,
           tags: Sequence[str] = ()) -> list[Hit]:
    """Questions ``viewer`` may see that match ``query``, best first; never raises on odd input."""
    wanted = terms(query)
    if not wanted and not tags:
        return []
    matches = []
    for term in wanted:
        pattern = _like(term)
        matches.append(Question.text.ilike(pattern, escape="\\"))
        matches.append(Question.id.in_(select(Answer.question_id).where(
            Answer.deleted_at.is_(None), Answer.text.ilike(pattern, escape="\\"))))
    if tags:
        matches.append(Question.id.in_(select(QuestionTag.question_id).join(Tag).where(Tag.name.in_(tags))))
    stmt = (select(Question).where(visible_questions(viewer), or_(*matches))
            .options(selectinload(Question.answers), selectinload(Question.tags))
            .order_by(Question.created_at.desc()).limit(CANDIDATE_LIMIT))
    if answered_only:
        stmt = stmt.where(Question.status.in_((QuestionStatus.ANSWERED, QuestionStatus.ACCEPTED)))
    hits = [_score(q, wanted, tags) for q in session.scalars(stmt)]
    hits = [h for h in hits if h.score > 0]
    hits.sort(key=lambda h: (-h.score, -h.question.id))
    return hits[:limit]


def suggest(session: Session, viewer: Person, text: str, tags: Sequence[str], limit: int = 3) -> list[Hit]:
    """Answered questions similar enough to ``text`` to offer before a new question is posted."""
    wanted = terms(text)
    hits = search(session, viewer, text, limit=limit * 4, answered_only=True, tags=tags)
    good = [h for h in hits if _coverage(h.question, wanted) >= SUGGESTION_MIN_COVERAGE]
    good.sort(key=lambda h: (h.accepted is None, -h.score))
    return good[:limit]


def _words(question: Question) -> set[str]:
    live = " ".join(a.text for a in question.answers if a.deleted_at is None)
    return {w.casefold() for w in _WORD.findall(f"{question.text} {live}")} | {t.name for t in question.tags}


def _coverage(question: Question, wanted: Sequence[str]) -> float:
    if not wanted:
        return 0.0
    question_words = {w.casefold() for w in _WORD.findall(question.text)} | {t.name for t in question.tags}
    return sum(1 for w in wanted if w in question_words) / len(wanted)


def _score(question: Question, wanted: Sequence[str], tags: Sequence[str]) -> Hit:
    in_question = {w.casefold() for w in _WORD.findall(question.text)}
    anywhere = _words(question)
    score = sum(2.0 if w in in_question else 1.0 if w in anywhere else 0.0 for w in wanted)
    score += sum(1.5 for t in tags if t in {tag.name for tag in question.tags})
    accepted = next((a for a in question.answers if a.is_accepted and a.deleted_at is None), None)
    if score and accepted is not None:
        score += 0.5
    flagged = accepted is not None and any(f.kind.value == "outdated" for f in accepted.flags)
    return Hit(question=question, score=score - (1.0 if flagged else 0.0), accepted=accepted)
