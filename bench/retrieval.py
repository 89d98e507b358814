#!/usr/bin/env python3
"""Has this been asked before? kbbot's retrieval measured on a labelled question set.

    python bench/retrieval.py --data DIR [--backend sqlite|postgresql|both] [--hold-out] [--tune]

``DIR`` is in the AskUbuntu format (see ``bench/dataset.py``); the hand-made
English and Dutch set in ``tests/fixtures/retrieval`` and the SemEval-2016
conversion in ``../shared/data`` both are. The corpus is loaded into a fresh
kbbot knowledge base through kbbot's own storage (migrations, ORM, the index
listener), and every query is ranked by ``kbbot.services.search.suggest``, the
function ``/ask`` calls:

* **candidates**: each query's candidate list is ranked (``suggest(..., only=candidates)``);
  candidates kbbot finds no word in common with follow in id order. The
  baseline scores column, where present, is evaluated the same way.
* **retrieval**: the whole corpus is searched (top 100, the query itself left out).
* **suggestions**: what ``/ask`` would actually show with the shipped rule
  (relevance threshold and shared words, at most 3). Among each query's labelled
  candidates: precision, recall (of min(3, similar candidates)), F0.5 and the
  share of queries that get at least one right one, for whole-question and
  title-only queries. Against the whole corpus: precision (a lower bound, since
  similar questions outside the candidates are unlabelled) and that share.

Queries with no similar question among their candidates are left out, as in
the paper. ``--hold-out`` splits ``dev.txt`` by query id into a tuning part
(odd-numbered ids) and a held-out part (even-numbered), so that figures are
reported on queries the rule was not chosen on. ``--tune`` sweeps the
suggestion rule (threshold × shared words) on the tuning part only (``tune``,
or ``dev`` without ``--hold-out``) and prints the best one (the mean
precision-weighted F0.5 over whole-question and title-only queries). The last
line of output is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dataset import TUNE, Entry, Query, hold_out, read_corpus, read_splits  # noqa: E402
from knowledge import KnowledgeBase, add_questions, fresh_database, open_knowledge_base  # noqa: E402
from metrics import summarise  # noqa: E402

from kbbot.config import MAX_TEXT_LENGTH  # noqa: E402
from kbbot.services import search  # noqa: E402

RETRIEVE = 100
SHOWN = 3
MODES = ("full", "title")
"""Queries as a whole pasted question, and as its title only (a one-line ``/ask``)."""
SHARED_WORDS = (1, 2, 3)
THRESHOLDS = tuple(step / 100 for step in range(61))
SMOOTHING = 2
"""Neighbouring thresholds on each side averaged when choosing one (see :func:`tune_rule`)."""
TUNING_SPLITS = (TUNE, "dev")
"""The split the rule is tuned on: the tuning part with ``--hold-out``, else ``dev``."""

Decision = tuple[dict[int, list[tuple[str, float]]], set[str]]
"""One query's candidates that pass each shared-words rule (best first, with relevance), and its similar ones."""


def ranked_candidates(kb: KnowledgeBase, query: Query, text: str, ids: dict[str, int],
                      back: dict[int, str]) -> tuple[list[str], list[float]]:
    """The query's candidates in kbbot's order, with each one's relevance (0 when not found)."""
    passing = offered(kb, query, text, ids, back, min_relevance=0.0, min_shared_words=0)
    found = [c for c, _ in passing]
    rest = sorted(c for c in query.candidates if c in ids and c not in found)
    return found + rest, [r for _, r in passing] + [0.0] * len(rest)


def offered(kb: KnowledgeBase, query: Query, text: str, ids: dict[str, int], back: dict[int, str],
            limit: int | None = None, **rule: float | int) -> list[tuple[str, float]]:
    """The query's candidates ``suggest`` offers (all that pass, or ``limit``), best first, with relevance.

    ``rule`` overrides the shipped rule (``min_relevance``, ``min_shared_words``).
    """
    wanted = [ids[c] for c in query.candidates if c in ids]
    if not wanted:
        return []
    with kb.sessions.begin() as session:
        hits = search.suggest(session, kb.reader(session), text, [], limit=limit or len(wanted), only=wanted,
                              **rule)  # type: ignore[arg-type]
    return [(back[h.question.id], h.relevance) for h in hits]


def retrieved(kb: KnowledgeBase, query: Query, text: str, back: dict[int, str]) -> list[str]:
    with kb.sessions.begin() as session:
        hits = search.suggest(session, kb.reader(session), text, [], limit=RETRIEVE + 1, min_relevance=0.0,
                              min_shared_words=0)
    return [back[h.question.id] for h in hits if back[h.question.id] != query.id][:RETRIEVE]


def shown(kb: KnowledgeBase, query: Query, text: str, back: dict[int, str]) -> list[str]:
    """What ``/ask`` shows from the whole corpus, with the shipped rule and limit, the query itself left out."""
    with kb.sessions.begin() as session:
        hits = search.suggest(session, kb.reader(session), text, [], limit=SHOWN + 1)
    return [back[h.question.id] for h in hits if back[h.question.id] != query.id][:SHOWN]


def suggestion_figures(rows: Sequence[tuple[Sequence[str], set[str]]]) -> dict[str, float]:
    """Precision, recall (of min(3, similar)), F0.5 and the share of queries helped, in percent."""
    shown_total = sum(len(offer) for offer, _ in rows)
    right = sum(sum(1 for c in offer if c in relevant) for offer, relevant in rows)
    wanted = sum(min(SHOWN, len(relevant)) for _, relevant in rows)
    helped = sum(any(c in relevant for c in offer) for offer, relevant in rows)
    precision = right / shown_total if shown_total else 0.0
    recall = right / wanted if wanted else 0.0
    f05 = (1.25 * precision * recall / (0.25 * precision + recall)) if precision + recall else 0.0
    return {"precision": round(100 * precision, 2), "recall": round(100 * recall, 2), "F0.5": round(100 * f05, 2),
            "helped": round(100 * helped / max(1, len(rows)), 2),
            "shown_per_query": round(shown_total / max(1, len(rows)), 2)}


def baseline_order(query: Query) -> list[str]:
    assert query.baseline is not None
    order = sorted(range(len(query.candidates)), key=lambda i: -query.baseline[i])  # type: ignore[index]
    return [query.candidates[i] for i in order]


def sweep(decisions: Sequence[Decision]) -> list[dict[str, float]]:
    """Suggestion figures on labelled candidate lists for every rule: shared words × relevance threshold."""
    table = []
    for words in SHARED_WORDS:
        for threshold in THRESHOLDS:
            rows = [([c for c, r in passing[words] if r >= threshold][:SHOWN], relevant)
                    for passing, relevant in decisions]
            table.append({"min_shared_words": words, "threshold": threshold, **suggestion_figures(rows)})
    return table


def tune_rule(decisions: dict[str, Sequence[Decision]]) -> dict[str, object]:
    """The rule with the best mean F0.5 over whole-question and title-only queries, smoothed over thresholds.

    Both query kinds matter: some people paste a whole question into ``/ask``,
    most type a line; long texts share a smaller fraction of their words, so
    the two pull the threshold in different directions. On a few dozen
    queries F0.5 jumps from one threshold to the next, so each rule is scored
    by the mean over its neighbours (±:data:`SMOOTHING` steps, same shared
    words): the choice lands on a plateau rather than on a lucky spike. The
    first of equals wins, so the choice is deterministic.
    """
    sweeps = {mode: sweep(rows) for mode, rows in decisions.items()}
    rows = list(zip(*sweeps.values(), strict=True))
    means = [sum(r["F0.5"] for r in row) / len(row) for row in rows]

    def smoothed(i: int) -> float:
        words = rows[i][0]["min_shared_words"]
        near = [means[j] for j in range(max(0, i - SMOOTHING), min(len(rows), i + SMOOTHING + 1))
                if rows[j][0]["min_shared_words"] == words]
        return sum(near) / len(near)

    best = max(range(len(rows)), key=smoothed)
    chosen = {"threshold": rows[best][0]["threshold"], "min_shared_words": rows[best][0]["min_shared_words"]}
    return {"chosen": chosen, "smoothed_mean_F0.5": round(smoothed(best), 2),
            **{mode: row for mode, row in zip(sweeps, rows[best], strict=True)}, "sweeps": sweeps}


def _query_text(entry: Entry, part: str) -> str:
    return (entry.title if part == "title" else entry.text)[:MAX_TEXT_LENGTH]


def evaluate_split(kb: KnowledgeBase, corpus: dict[str, Entry], queries: Sequence[Query], ids: dict[str, int],
                   query_part: str, tune: bool, whole_corpus: bool) -> dict[str, object]:
    """Figures for one split: candidate ranking (and baseline), whole-corpus retrieval, what /ask shows."""
    back = {qid: key for key, qid in ids.items()}
    kept = [q for q in queries if q.id in corpus and set(q.similar) & set(q.candidates)]
    mine, base, full, offered_all = [], [], [], []
    labelled: dict[str, list[tuple[list[str], set[str]]]] = {mode: [] for mode in MODES}
    decisions: dict[str, list[Decision]] = {mode: [] for mode in MODES}
    for query in kept:
        text = _query_text(corpus[query.id], query_part)
        relevant = set(query.similar)
        similar = relevant & set(query.candidates)
        mine.append((ranked_candidates(kb, query, text, ids, back)[0], relevant))
        for mode in MODES:
            asked = _query_text(corpus[query.id], mode)
            labelled[mode].append(([c for c, _ in offered(kb, query, asked, ids, back, limit=SHOWN)], similar))
            if tune:
                decisions[mode].append(({words: offered(kb, query, asked, ids, back, min_relevance=0.0,
                                                        min_shared_words=words) for words in SHARED_WORDS},
                                        similar))
        if query.baseline is not None:
            base.append((baseline_order(query), relevant))
        if whole_corpus:
            full.append((retrieved(kb, query, text, back), relevant))
            offered_all.append((shown(kb, query, text, back), relevant))
    suggestions: dict[str, object] = {
        "threshold": search.SUGGESTION_MIN_RELEVANCE, "min_shared_words": search.SUGGESTION_MIN_SHARED_WORDS,
        "candidates": {mode: suggestion_figures(rows) for mode, rows in labelled.items()},
    }
    split: dict[str, object] = {
        "queries": len(kept),
        "candidates": {"kbbot": summarise(mine), **({"baseline": summarise(base)} if base else {})},
        "suggestions": suggestions,
    }
    if whole_corpus:
        split["retrieval"] = {"kbbot": summarise(full)}
        figures = suggestion_figures(offered_all)
        suggestions["whole_corpus"] = {key: figures[key] for key in ("shown_per_query", "precision", "helped")}
    if tune:
        split["tuning"] = tune_rule(decisions)
    return split


def evaluate(backend: str, directory: Path, postgres_url: str | None, tune: bool = False,
             query_part: str = "full", whole_corpus: bool = True, held_out: bool = False) -> dict[str, object]:
    """Load the corpus into a fresh knowledge base on ``backend`` and evaluate every split present.

    With ``held_out``, ``dev`` is split by query id (:func:`dataset.hold_out`);
    with ``tune``, the rule is swept on the tuning split only.
    """
    corpus = read_corpus(directory)
    splits = hold_out(read_splits(directory)) if held_out else read_splits(directory)
    tuned = next((name for name in TUNING_SPLITS if name in splits), None) if tune else None
    started = time.perf_counter()
    with fresh_database(backend, postgres_url) as url:
        kb = open_knowledge_base(url)
        try:
            entries: list[Entry] = list(corpus.values())
            new_ids = add_questions(kb, (e.text[:MAX_TEXT_LENGTH] for e in entries))
            ids = {e.id: qid for e, qid in zip(entries, new_ids, strict=True)}
            result: dict[str, object] = {"backend": backend, "query": query_part, "corpus": len(corpus),
                                         "load_seconds": round(time.perf_counter() - started, 2)}
            for name, queries in splits.items():
                result[name] = evaluate_split(kb, corpus, queries, ids, query_part, name == tuned, whole_corpus)
            result["seconds"] = round(time.perf_counter() - started, 2)
            return result
        finally:
            kb.engine.dispose()


def print_table(result: dict[str, object]) -> None:
    print(f"\n{result['backend']}: {result['corpus']} questions loaded in {result['load_seconds']} s; "
          f"queries: {result['query']} text")
    for name, split in result.items():
        if not isinstance(split, dict):
            continue
        print(f"  {name} ({split['queries']} queries)")
        for mode in ("candidates", "retrieval"):
            for system, figures in split.get(mode, {}).items():
                print(f"    {mode:<10} {system:<8} " + "  ".join(f"{k} {figures[k]:6.2f}" for k in ("MAP", "MRR", "P@1", "P@5")))
        s = split["suggestions"]
        print(f"    /ask suggestions (relevance >= {s['threshold']}, >= {s['min_shared_words']} shared words)")
        for mode, row in s["candidates"].items():
            print(f"      among candidates, {mode:<5} queries: " + _figures(row))
        if "whole_corpus" in s:
            w = s["whole_corpus"]
            print(f"      whole corpus, {result['query']} queries: {w['shown_per_query']} shown per query, "
                  f"precision {w['precision']}% (a lower bound), a right one for {w['helped']}% of queries")
        if "tuning" in split:
            tuning = split["tuning"]
            chosen = tuning["chosen"]
            print(f"    tuned here: best mean F0.5 (whole / title queries, smoothed over ±{SMOOTHING} thresholds: "
                  f"{tuning['smoothed_mean_F0.5']}) at relevance >= {chosen['threshold']}, "
                  f">= {chosen['min_shared_words']} shared words")
            for mode in MODES:
                print(f"      {mode:<5} " + _figures(tuning[mode]))


def _figures(row: dict[str, float]) -> str:
    return (f"precision {row['precision']}%  recall {row['recall']}%  F0.5 {row['F0.5']}  "
            f"{row['shown_per_query']} shown per query, a right one for {row['helped']}%")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--data", type=Path, required=True, help="directory with corpus.tsv(.gz), dev.txt, test.txt")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("KBBOT_TEST_POSTGRES_URL"),
                        help="server for the PostgreSQL run (default: $KBBOT_TEST_POSTGRES_URL)")
    parser.add_argument("--tune", action="store_true",
                        help="sweep the suggestion rule on the tuning split (tune with --hold-out, else dev)")
    parser.add_argument("--hold-out", action="store_true",
                        help="split dev by query id: odd-numbered queries tune, even-numbered ones are held out")
    parser.add_argument("--query", choices=("full", "title"), default="full",
                        help="query with the whole question (default) or its title only, as a short /ask would be")
    parser.add_argument("--candidates-only", action="store_true",
                        help="rank the candidate lists only (skip whole-corpus retrieval and /ask suggestions)")
    parser.add_argument("--semantic", metavar="MODEL", help="rerank with a locally available sentence-transformers model")
    args = parser.parse_args(argv)
    if args.semantic:
        from kbbot.search import semantic

        reranker = semantic.load(args.semantic)
        if reranker is None:
            print(f"semantic reranking unavailable ({args.semantic}); lexical only", file=sys.stderr)
        semantic.configure(reranker)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = [evaluate(b, args.data, args.postgres_url, args.tune, args.query, not args.candidates_only,
                        args.hold_out) for b in backends]
    for result in results:
        print_table(result)
    print(json.dumps({"data": str(args.data), "results": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
