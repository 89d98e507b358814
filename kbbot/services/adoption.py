"""Adoption for the organisation: how many people consume, contribute and create, week by week.

The brief's promise is visibility *without surveillance*: this report only
ever counts people, never names them, and a count below
:data:`MIN_GROUP` is shown as "fewer than" so that a small team's figures
cannot single anyone out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from kbbot.presentation.charts import stacked_bars
from kbbot.clock import as_utc
from kbbot.services import stats
from kbbot.services.stats import STAGES
from kbbot.store.models import Answer, Question, Workspace

MIN_GROUP = 3


@dataclass(frozen=True)
class Week:
    """One ISO week; ``people`` counts each active person once, at the highest stage they reached that week.

    The stages are :mod:`kbbot.services.stats`'s, in the order of :data:`~kbbot.services.stats.STAGES`.
    """

    label: str  # "2026-W48"
    people: tuple[int, int, int]
    questions: int
    answers: int
    accepted: int

    def shown(self, stage: int) -> str:
        count = self.people[stage]
        return f"<{MIN_GROUP}" if 0 < count < MIN_GROUP else str(count)


def _week_start(moment: datetime) -> date:
    day = as_utc(moment).date()
    return day - timedelta(days=day.weekday())


def _label(start: date) -> str:
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def weekly(session: Session, now: datetime, weeks: int = 12, workspace: str | None = None) -> list[Week]:
    """The last ``weeks`` ISO weeks up to ``now``, oldest first, empty weeks included."""
    first = _week_start(now) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=now.tzinfo)
    ids = _workspace_ids(session, workspace)
    space = (lambda column: (column.in_(ids),)) if ids is not None else (lambda _column: ())

    best: dict[tuple[date, int], int] = {}
    for moment in stats.reached(session, workspace_ids=ids, since=since):
        key = (_week_start(moment.at), moment.person_id)
        best[key] = max(best.get(key, 0), moment.stage)
    people: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (start, _), stage in best.items():
        people[start][stage] += 1

    def per_week(query) -> dict[date, int]:  # type: ignore[no-untyped-def]
        counts: dict[date, int] = defaultdict(int)
        for (moment,) in session.execute(query):
            counts[_week_start(moment)] += 1
        return counts

    asked = per_week(select(Question.created_at).where(Question.created_at >= since, *space(Question.workspace_id)))
    answer_rows = (select(Answer.created_at).join(Question, Question.id == Answer.question_id)
                   .where(Answer.created_at >= since, Answer.deleted_at.is_(None), *space(Question.workspace_id)))
    answered = per_week(answer_rows)
    accepted = per_week(answer_rows.where(Answer.is_accepted))
    result = []
    for offset in range(weeks):
        start = first + timedelta(weeks=offset)
        result.append(Week(_label(start), tuple(people[start]), asked[start], answered[start],  # type: ignore[arg-type]
                           accepted[start]))
    return result


def _workspace_ids(session: Session, workspace: str | None) -> list[int] | None:
    """The ids of the workspace called (or with platform id) ``workspace``; ``None`` for all of them."""
    if workspace is None:
        return None
    return list(session.scalars(select(Workspace.id).where(
        (Workspace.external_id == workspace) | (Workspace.name == workspace))))


def table(weeks: list[Week]) -> str:
    """The figures as aligned plain text, for a terminal."""
    head = f"{'week':<9} {'consuming':>9} {'contributing':>12} {'creating':>8} {'questions':>9} {'answers':>7} {'accepted':>8}"
    lines = [head, "-" * len(head)]
    for week in weeks:
        lines.append(f"{week.label:<9} {week.shown(0):>9} {week.shown(1):>12} {week.shown(2):>8} "
                     f"{week.questions:>9} {week.answers:>7} {week.accepted:>8}")
    lines.append(f"People are counted once a week at the highest stage they reached; groups under {MIN_GROUP} "
                 f"are shown as <{MIN_GROUP}. No names are ever reported.")
    lines.append(stats.EXPLAINED)
    return "\n".join(lines)


def drawn(count: int) -> int | None:
    """What the chart may draw of a count: ``None`` (masked) for a group too small to show."""
    return None if 0 < count < MIN_GROUP else count


def html(weeks: list[Week], generated_at: datetime) -> str:
    """A one-page report: the stacked chart of stages and the table beneath it."""
    chart = stacked_bars("People by stage, per week", [w.label for w in weeks],
                         [(name, [drawn(w.people[i]) for w in weeks]) for i, name in enumerate(STAGES)],
                         masked=f"<{MIN_GROUP}", masked_note=f"fewer than {MIN_GROUP} people, not drawn to scale")
    rows = "".join(f"<tr><td>{w.label}</td><td>{w.shown(0)}</td><td>{w.shown(1)}</td><td>{w.shown(2)}</td>"
                   f"<td>{w.questions}</td><td>{w.answers}</td><td>{w.accepted}</td></tr>" for w in weeks)
    return (f"<!doctype html><meta charset='utf-8'><title>kbbot adoption</title>"
            f"<body style='font-family:sans-serif;max-width:760px;margin:2em auto'>"
            f"<h1>kbbot adoption</h1><p>Generated {generated_at:%Y-%m-%d %H:%M} UTC. People are counted once a "
            f"week at the highest stage they reached; groups under {MIN_GROUP} are shown as &lt;{MIN_GROUP}. "
            f"No names are ever reported.</p><p style='color:#555'>{escape(stats.EXPLAINED)}</p>{chart}"
            f"<table border='1' cellpadding='4' style='border-collapse:collapse;margin-top:1em'>"
            f"<tr><th>week</th><th>consuming</th><th>contributing</th><th>creating</th><th>questions</th>"
            f"<th>answers</th><th>accepted</th></tr>{rows}</table></body>\n")
