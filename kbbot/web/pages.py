"""What each page shows, gathered for one viewer through the core's own services.

Every question listed here passes :func:`kbbot.store.visibility.visible_questions`
for the viewer (search applies it itself); a question the viewer may not see
is indistinguishable from one that does not exist. Anonymous askers are never
loaded for display: templates name an asker only through
:func:`kbbot.presentation.cards.asker_label`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from kbbot.config import MAX_TEXT_LENGTH
from kbbot.services import expertise, home, search, stats, tagging
from kbbot.services.expertise import ExpertRank
from kbbot.services.search import Hit
from kbbot.services.stats import PersonStats
from kbbot.store.models import Answer, Person, Question, QuestionTag, Tag
from kbbot.store.visibility import visible_questions
from kbbot.web.highlight import query_terms

RESULTS = 20
"""Results per search page; further pages rank again with a larger limit (the ranking is the same)."""
MAX_PAGES = 5
"""Pages of results offered: beyond 100 hits, adding a word serves better than reading on."""
LISTED = 30
EXPERTS = 10
DIRECTORY_TAGS = 40

_QUESTION_LOADING = (selectinload(Question.tags), joinedload(Question.conversation), joinedload(Question.asker),
                     selectinload(Question.answers).selectinload(Answer.votes),
                     selectinload(Question.answers).selectinload(Answer.flags),
                     selectinload(Question.answers).joinedload(Answer.author))


@dataclass(frozen=True)
class SearchView:
    query: str
    hits: list[Hit] = field(default_factory=list)
    terms: frozenset[str] = frozenset()
    too_long: bool = False
    no_words: bool = False
    page: int = 1
    more: bool = False

    @property
    def first(self) -> int:
        """The rank of the first hit shown (1 on the first page)."""
        return (self.page - 1) * RESULTS + 1


def search_page(session: Session, viewer: Person, query: str, page: int = 1) -> SearchView:
    """``/kb search`` for the web: the same engine and ranking, :data:`RESULTS` hits per page."""
    query = query.strip()
    page = min(max(page, 1), MAX_PAGES)
    if len(query) > MAX_TEXT_LENGTH:
        return SearchView(query=query[:200], too_long=True)
    terms = query_terms(query)
    if not query or not terms:
        return SearchView(query=query, no_words=bool(query))
    hits = search.search(session, viewer, query, limit=page * RESULTS + 1)
    shown = hits[(page - 1) * RESULTS:page * RESULTS]
    return SearchView(query=query, hits=shown, terms=terms, page=page,
                      more=len(hits) > page * RESULTS and page < MAX_PAGES)


def question(session: Session, viewer: Person, question_id: int) -> Question | None:
    """The question if ``viewer`` may see it; None for one that does not exist *and* one they may not see."""
    return session.scalars(select(Question).where(Question.id == question_id, visible_questions(viewer))
                           .options(*_QUESTION_LOADING)).first()


def live_answers(found: Question) -> list[Answer]:
    """Answers not taken back, the most trusted first: accepted, then by upvotes, then oldest."""
    return sorted((a for a in found.answers if a.deleted_at is None),
                  key=lambda a: (not a.is_accepted, -len(a.votes), a.id))


@dataclass(frozen=True)
class TagView:
    name: str
    questions: list[Question]
    experts: list[ExpertRank]


def tag_page(session: Session, viewer: Person, name: str) -> TagView | None:
    """A tag's questions the viewer may see (newest first) and its experts; None for a tag unknown to them."""
    found = tagging.find(session, name[:64])
    if found is None:
        return None
    questions = list(session.scalars(
        select(Question).where(visible_questions(viewer), Question.id.in_(
            select(QuestionTag.question_id).where(QuestionTag.tag_id == found.id)))
        .options(*_QUESTION_LOADING).order_by(Question.created_at.desc(), Question.id.desc()).limit(LISTED)))
    experts = expertise.rank(session, viewer, [found.name], limit=EXPERTS)
    if not questions and not experts:
        return None  # tags are shared by every workspace: one the viewer cannot see used is one they never heard of
    return TagView(name=found.name, questions=questions, experts=experts)


def popular_tags(session: Session, viewer: Person, limit: int = DIRECTORY_TAGS) -> list[tuple[str, int]]:
    """Tags by how many questions the viewer may see carry them."""
    rows = session.execute(
        select(Tag.name, func.count()).join(QuestionTag, QuestionTag.tag_id == Tag.id)
        .join(Question, Question.id == QuestionTag.question_id).where(visible_questions(viewer))
        .group_by(Tag.name).order_by(func.count().desc(), Tag.name).limit(limit))
    return [(name, count) for name, count in rows]


def experts_directory(session: Session, viewer: Person) -> list[tuple[str, int, list[ExpertRank]]]:
    """For each popular tag: its count and its three best experts, as the viewer may see them."""
    return [(name, count, experts) for name, count in popular_tags(session, viewer)
            if (experts := expertise.rank(session, viewer, [name], limit=3))]


def recent(session: Session, viewer: Person, limit: int = 10) -> list[Question]:
    return list(session.scalars(select(Question).where(visible_questions(viewer)).options(*_QUESTION_LOADING)
                                .order_by(Question.created_at.desc(), Question.id.desc()).limit(limit)))


@dataclass(frozen=True)
class MyView:
    questions: list[Question]
    answers: list[Answer]
    waiting: list[Question]
    figures: PersonStats
    declared: list[str]
    earned: list[tuple[str, int]]


def my_page(session: Session, viewer: Person) -> MyView:
    """The viewer's own questions and answers, the questions waiting for their expertise, and their stage."""
    mine = list(session.scalars(select(Question).where(Question.asker_id == viewer.id, visible_questions(viewer))
                                .options(*_QUESTION_LOADING).order_by(Question.created_at.desc()).limit(LISTED)))
    answers = list(session.scalars(
        select(Answer).where(Answer.author_id == viewer.id, Answer.deleted_at.is_(None),
                             Answer.question_id.in_(select(Question.id).where(visible_questions(viewer))))
        .options(joinedload(Answer.question), selectinload(Answer.votes), selectinload(Answer.flags))
        .order_by(Answer.created_at.desc()).limit(LISTED)))
    return MyView(questions=mine, answers=answers, waiting=home.unanswered_for(session, viewer, limit=LISTED),
                  figures=stats.for_person(session, viewer), declared=expertise.declared(session, viewer),
                  earned=expertise.earned(session, viewer))
