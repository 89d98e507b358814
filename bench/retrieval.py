#!/usr/bin/env python3
"""Has this been asked before? kbbot's retrieval measured on a labelled question set.

    python bench/retrieval.py --data DIR [--backend sqlite|postgresql|both] [--tune]

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
* **suggestions**: what ``/ask`` would actually show with the shipped
  threshold (at most 3): precision, and the share of queries that get at least one right one.

Queries with no similar question among their candidates are left out, as in
the paper. ``--tune`` sweeps the relevance threshold on the candidate lists
and prints the best one (precision-weighted F0.5). The last line of output is JSON.
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

from dataset import Entry, Query, read_corpus, read_splits  # noqa: E402
from knowledge import KnowledgeBase, add_questions, fresh_database, open_knowledge_base  # noqa: E402
from metrics import summarise  # noqa: E402

from kbbot.config import MAX_TEXT_LENGTH  # noqa: E402
from kbbot.services import search  # noqa: E402

RETRIEVE = 100
SHOWN = 3


def ranked_candidates(kb: KnowledgeBase, query: Query, text: str, ids: dict[str, int],
                      back: dict[int, str]) -> tuple[list[str], list[float]]:
    """The query's candidates in kbbot's order, with each one's relevance (0 when not found)."""
    wanted = [ids[c] for c in query.candidates if c in ids]
    with kb.sessions.begin() as session:
        hits = search.suggest(session, kb.reader(session), text, [], limit=len(wanted) or 1,
                              min_relevance=0.0, only=wanted)
    found = [back[h.question.id] for h in hits]
    relevance = [h.relevance for h in hits]
    rest = sorted(c for c in query.candidates if c in ids and c not in found)
    return found + rest, relevance + [0.0] * len(rest)


def retrieved(kb: KnowledgeBase, query: Query, text: str, back: dict[int, str]) -> list[str]:
    with kb.sessions.begin() as session:
        hits = search.suggest(session, kb.reader(session), text, [], limit=RETRIEVE + 1, min_relevance=0.0)
    return [back[h.question.id] for h in hits if back[h.question.id] != query.id][:RETRIEVE]


def shown(kb: KnowledgeBase, query: Query, text: str, back: dict[int, str]) -> list[str]:
    """What ``/ask`` shows, with the shipped threshold and limit, the query itself left out."""
    with kb.sessions.begin() as session:
        hits = search.suggest(session, kb.reader(session), text, [], limit=SHOWN + 1)
    return [back[h.question.id] for h in hits if back[h.question.id] != query.id][:SHOWN]


def baseline_order(query: Query) -> list[str]:
    assert query.baseline is not None
    order = sorted(range(len(query.candidates)), key=lambda i: -query.baseline[i])  # type: ignore[index]
    return [query.candidates[i] for i in order]


def sweep(decisions: Sequence[tuple[list[str], list[float], set[str]]]) -> dict[str, object]:
    """Pick the relevance threshold for suggestions on labelled candidate lists (F0.5 favours precision)."""
    best: dict[str, object] = {}
    table = []
    for step in range(0, 61, 1):
        threshold = step / 100
        shown_total = right = wanted = helped = 0
        for ranked, relevance, relevant in decisions:
            offered = [c for c, r in zip(ranked, relevance, strict=True) if r >= threshold and r > 0][:SHOWN]
            shown_total += len(offered)
            right += sum(1 for c in offered if c in relevant)
            wanted += min(SHOWN, len(relevant))
            helped += any(c in relevant for c in offered)
        precision = right / shown_total if shown_total else 0.0
        recall = right / wanted if wanted else 0.0
        f05 = (1.25 * precision * recall / (0.25 * precision + recall)) if precision + recall else 0.0
        row = {"threshold": threshold, "precision": round(100 * precision, 2), "recall": round(100 * recall, 2),
               "F0.5": round(100 * f05, 2), "helped": round(100 * helped / max(1, len(decisions)), 2)}
        table.append(row)
        if not best or f05 > best["_f"]:  # type: ignore[operator]
            best = {**row, "_f": f05}
    best.pop("_f", None)
    return {"best": best, "sweep": table}


def tune_threshold(decisions: dict[str, Sequence[tuple[list[str], list[float], set[str]]]]) -> dict[str, object]:
    """The threshold with the best mean F0.5 over whole-question and title-only queries.

    Both matter: some people paste a whole question into ``/ask``, most type a
    line. Long texts share a smaller fraction of their words, so the two
    settings pull the threshold in different directions.
    """
    sweeps = {mode: sweep(rows)["sweep"] for mode, rows in decisions.items()}
    rows = list(zip(*sweeps.values(), strict=True))
    best = max(rows, key=lambda row: sum(r["F0.5"] for r in row) / len(row))  # type: ignore[misc]
    return {"chosen": best[0]["threshold"], **{mode: row for mode, row in zip(sweeps, best, strict=True)},
            "sweeps": sweeps}


def _query_text(entry: Entry, part: str) -> str:
    return (entry.title if part == "title" else entry.text)[:MAX_TEXT_LENGTH]


def evaluate_split(kb: KnowledgeBase, corpus: dict[str, Entry], queries: Sequence[Query], ids: dict[str, int],
                   query_part: str, tune: bool, whole_corpus: bool) -> dict[str, object]:
    """Figures for one split: candidate ranking (and baseline), whole-corpus retrieval, what /ask shows."""
    back = {qid: key for key, qid in ids.items()}
    kept = [q for q in queries if q.id in corpus and set(q.similar) & set(q.candidates)]
    mine, base, full, offered = [], [], [], []
    decisions: dict[str, list[tuple[list[str], list[float], set[str]]]] = {"full": [], "title": []}
    for query in kept:
        text = _query_text(corpus[query.id], query_part)
        relevant = set(query.similar)
        labelled = relevant & set(query.candidates)
        ranked, relevance = ranked_candidates(kb, query, text, ids, back)
        mine.append((ranked, relevant))
        decisions[query_part].append((ranked, relevance, labelled))
        if tune:
            other = "title" if query_part == "full" else "full"
            decisions[other].append((*ranked_candidates(kb, query, _query_text(corpus[query.id], other), ids, back),
                                     labelled))
        if query.baseline is not None:
            base.append((baseline_order(query), relevant))
        if whole_corpus:
            full.append((retrieved(kb, query, text, back), relevant))
            offered.append((shown(kb, query, text, back), relevant))
    split: dict[str, object] = {
        "queries": len(kept),
        "candidates": {"kbbot": summarise(mine), **({"baseline": summarise(base)} if base else {})},
    }
    if whole_corpus:
        shown_total = sum(len(s) for s, _ in offered)
        split["retrieval"] = {"kbbot": summarise(full)}
        split["suggestions"] = {
            "threshold": search.SUGGESTION_MIN_RELEVANCE,
            "shown_per_query": round(shown_total / max(1, len(kept)), 2),
            "precision": round(100 * sum(sum(1 for c in s if c in rel) for s, rel in offered) / max(1, shown_total), 2),
            "helped": round(100 * sum(any(c in rel for c in s) for s, rel in offered) / max(1, len(kept)), 2),
        }
    if tune:
        split["tuning"] = tune_threshold(decisions)
    return split


def evaluate(backend: str, directory: Path, postgres_url: str | None, tune: bool = False,
             query_part: str = "full", whole_corpus: bool = True) -> dict[str, object]:
    """Load the corpus into a fresh knowledge base on ``backend`` and evaluate every split present."""
    corpus = read_corpus(directory)
    splits = read_splits(directory)
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
                result[name] = evaluate_split(kb, corpus, queries, ids, query_part, tune, whole_corpus)
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
        if "suggestions" in split:
            s = split["suggestions"]
            print(f"    /ask suggestions at threshold {s['threshold']}: {s['shown_per_query']} shown per query, "
                  f"precision {s['precision']}%, a right one for {s['helped']}% of queries")
        if "tuning" in split:
            tuning = split["tuning"]
            print(f"    threshold with the best mean F0.5 (whole / title queries): {tuning['chosen']}")
            for mode in ("full", "title"):
                row = tuning[mode]
                print(f"      {mode:<5} precision {row['precision']}%  recall {row['recall']}%  F0.5 {row['F0.5']}  "
                      f"a right one for {row['helped']}% of queries")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--data", type=Path, required=True, help="directory with corpus.tsv(.gz), dev.txt, test.txt")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("KBBOT_TEST_POSTGRES_URL"),
                        help="server for the PostgreSQL run (default: $KBBOT_TEST_POSTGRES_URL)")
    parser.add_argument("--tune", action="store_true", help="sweep the suggestion threshold")
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
    results = [evaluate(b, args.data, args.postgres_url, args.tune, args.query, not args.candidates_only)
               for b in backends]
    for result in results:
        print_table(result)
    print(json.dumps({"data": str(args.data), "results": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
