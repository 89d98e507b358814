"""MAP, MRR, P@1 and P@5 as in the AskUbuntu question-retrieval evaluation (Lei et al., 2016)."""

from __future__ import annotations

from collections.abc import Collection, Sequence


def average_precision(ranked: Sequence[str], relevant: Collection[str]) -> float:
    hits, total = 0, 0.0
    for position, item in enumerate(ranked, start=1):
        if item in relevant:
            hits += 1
            total += hits / position
    return total / hits if hits else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: Collection[str]) -> float:
    for position, item in enumerate(ranked, start=1):
        if item in relevant:
            return 1.0 / position
    return 0.0


def precision_at(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    return sum(1 for item in ranked[:k] if item in relevant) / k


def summarise(rankings: Sequence[tuple[Sequence[str], Collection[str]]]) -> dict[str, float]:
    """Mean of each measure over queries, in percent (as the paper reports them)."""
    n = len(rankings)
    if not n:
        return {"MAP": 0.0, "MRR": 0.0, "P@1": 0.0, "P@5": 0.0, "queries": 0}
    return {
        "MAP": round(100 * sum(average_precision(r, rel) for r, rel in rankings) / n, 2),
        "MRR": round(100 * sum(reciprocal_rank(r, rel) for r, rel in rankings) / n, 2),
        "P@1": round(100 * sum(precision_at(r, rel, 1) for r, rel in rankings) / n, 2),
        "P@5": round(100 * sum(precision_at(r, rel, 5) for r, rel in rankings) / n, 2),
        "queries": n,
    }
