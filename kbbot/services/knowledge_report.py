"""``kbbot report knowledge``: how true the knowledge base stays, per tag, as counts only.

Per tag: accepted answers that are current (and how many of those someone
verified), due for a re-check, flagged, retired; how many times due answers
were shown in the last 30 days; and how many answers have nobody to look
after them (their owner left and no expert in the topic remained). Counts of
answers, never names: a manager sees where knowledge goes stale, not who let
it. The chart is the same hand-drawn SVG as ``kbbot report adoption``
(:mod:`kbbot.presentation.charts`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kbbot.presentation.charts import stacked_bars
from kbbot.services import verification
from kbbot.store.models import Answer, AnswerCare, AnswerShowing, Person, Question, QuestionTag, Tag, Workspace

NO_TAG = "(no tag)"
SHOWN_SPAN = timedelta(days=30)
CHART_TAGS = 12
"""Tags drawn in the chart (the most answers first); the table lists every tag."""
COLOURS = ("#4292c6", "#fdae6b", "#e6550d", "#bdbdbd")  # current, due, flagged, retired


@dataclass(frozen=True)
class TagFigures:
    """One tag's answers by where they stand; an answer with several tags counts under each."""

    tag: str
    current: int = 0
    verified: int = 0
    due: int = 0
    flagged: int = 0
    retired: int = 0
    due_shown: int = 0
    unowned: int = 0

    @property
    def total(self) -> int:
        return self.current + self.due + self.flagged + self.retired


def figures(session: Session, now: datetime, default_days: int, workspace: str | None = None) -> list[TagFigures]:
    """Every tag's figures, the tag with the most answers first; answers without a tag under :data:`NO_TAG`."""
    query = (select(Answer.id, AnswerCare.verified_at, Person.left_at)
             .join(Question, Question.id == Answer.question_id)
             .outerjoin(AnswerCare, AnswerCare.answer_id == Answer.id)
             .join(Person, Person.id == func.coalesce(AnswerCare.owner_id, Answer.author_id))
             .where(Answer.deleted_at.is_(None), or_(Answer.is_accepted, AnswerCare.retired_at.is_not(None))))
    if workspace is not None:
        query = query.join(Workspace, Workspace.id == Question.workspace_id).where(
            (Workspace.external_id == workspace) | (Workspace.name == workspace))
    rows = session.execute(query).all()
    ids = [row.id for row in rows]
    states = verification.states(session, ids, now, default_days)
    tags: dict[int, list[str]] = defaultdict(list)
    for chunk in range(0, len(ids), 1000):
        for answer_id, name in session.execute(
                select(Answer.id, Tag.name).join(QuestionTag, QuestionTag.question_id == Answer.question_id)
                .join(Tag, Tag.id == QuestionTag.tag_id).where(Answer.id.in_(ids[chunk:chunk + 1000]))):
            tags[answer_id].append(name)
    shown = Counter(dict(session.execute(
        select(AnswerShowing.answer_id, func.count()).where(AnswerShowing.was_due, AnswerShowing.shown_at >= now
                                                            - SHOWN_SPAN, AnswerShowing.shown_at < now)
        .group_by(AnswerShowing.answer_id)).all()))
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        state = states[row.id]
        for name in tags.get(row.id) or [NO_TAG]:
            tally = counts[name]
            tally[state] += 1
            if state == verification.CURRENT and row.verified_at is not None:
                tally["verified"] += 1
            if state == verification.DUE:
                tally["due_shown"] += shown.get(row.id, 0)
            if row.left_at is not None and state != verification.RETIRED:
                tally["unowned"] += 1
    result = [TagFigures(tag=name, current=c[verification.CURRENT], verified=c["verified"], due=c[verification.DUE],
                         flagged=c[verification.FLAGGED], retired=c[verification.RETIRED], due_shown=c["due_shown"],
                         unowned=c["unowned"]) for name, c in counts.items()]
    result.sort(key=lambda f: (-f.total, f.tag))
    return result


HEADERS = ("tag", "current", "verified", "due", "flagged", "retired", "due shown (30 days)", "no owner")


def _cells(f: TagFigures) -> tuple[str, ...]:
    return (f.tag, str(f.current), str(f.verified), str(f.due), str(f.flagged), str(f.retired), str(f.due_shown),
            str(f.unowned))


EXPLAINED = ("Accepted answers per tag: current (within the tag's verification interval; 'verified' counts those "
             "someone confirmed as still right), due for a re-check, flagged, retired. 'Due shown' counts how "
             "often due answers were shown in suggestions, search and digests. 'No owner': the owner left and "
             "no expert in the topic remained. Counts only, no names.")


def table(rows: list[TagFigures]) -> str:
    """The figures as aligned plain text, for a terminal."""
    if not rows:
        return "No accepted answers yet.\n" + EXPLAINED
    widths = [max(len(h), *(len(_cells(r)[i]) for r in rows)) for i, h in enumerate(HEADERS)]
    line = lambda cells: "  ".join(c.ljust(w) if i == 0 else c.rjust(w)  # noqa: E731
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    out = [line(HEADERS), "-" * (sum(widths) + 2 * (len(widths) - 1)), *(line(_cells(r)) for r in rows)]
    return "\n".join([*out, EXPLAINED])


def html(rows: list[TagFigures], generated_at: datetime) -> str:
    """A one-page report: the stacked chart of answers by standing per tag, and the table beneath it."""
    drawn = rows[:CHART_TAGS]
    chart = stacked_bars("Accepted answers per tag, by standing", [r.tag for r in drawn],
                         [("current", [r.current for r in drawn]), ("due", [r.due for r in drawn]),
                          ("flagged", [r.flagged for r in drawn]), ("retired", [r.retired for r in drawn])],
                         unit="answers", palette=COLOURS, label_chars=12)
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADERS)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in _cells(r)) + "</tr>" for r in rows)
    more = f"<p>The chart shows the {CHART_TAGS} tags with the most answers.</p>" if len(rows) > CHART_TAGS else ""
    return (f"<!doctype html><meta charset='utf-8'><title>kbbot knowledge</title>"
            f"<body style='font-family:sans-serif;max-width:760px;margin:2em auto'>"
            f"<h1>kbbot knowledge</h1><p>Generated {generated_at:%Y-%m-%d %H:%M} UTC.</p>"
            f"<p style='color:#555'>{escape(EXPLAINED)}</p>{chart}{more}"
            f"<table border='1' cellpadding='4' style='border-collapse:collapse;margin-top:1em'>"
            f"<tr>{head}</tr>{body}</table></body>\n")
