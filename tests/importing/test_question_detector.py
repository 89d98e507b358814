"""Telling a thread that asked from one that did not, in English and Dutch (kbbot/importing/questions.py).

Recall is measured on the SemEval-2016 question set in ../shared/data (skipped with the reason
when it is absent); false positives on hand-written non-questions, since that set holds
questions only (bench/question_detector.py says how each set was used; bench/RESULTS.md has
the figures).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kbbot.importing.questions import reads_as_question, signals

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import question_detector as bench  # noqa: E402

SEMEVAL = ROOT.parent / "shared" / "data" / "semeval2016-task3-cqa-ql-dev"


@pytest.mark.skipif(not (SEMEVAL / "corpus.tsv").exists(), reason=f"SemEval set absent: {SEMEVAL}")
def test_forum_questions_are_recognised_as_questions() -> None:
    result = bench.figures(SEMEVAL)
    recall = result["recall"]
    assert recall["title+body"] >= 0.97, recall
    assert recall["body, the 711 not empty"] >= 0.90, recall
    assert recall["body (held-out part, 363)"] >= 0.88, recall


def test_held_out_thread_starters_precision_and_recall() -> None:
    held = bench.scored(bench.labelled())
    assert held["recall"] >= 0.9 and held["precision"] >= 0.8, held


def test_announcements_and_thanks_are_not_questions() -> None:
    wrong = [text for text in bench.negatives() if reads_as_question(text)]
    assert len(wrong) <= 2, wrong


@pytest.mark.parametrize("text", [
    "How do I get a staging database", "weet iemand hoe ik de VPN instel", "❓ printer on 3rd floor offline",
    "#ask access to the billing dashboard", "Q: retention of audit logs", "kan iemand mijn PR reviewen",
    "Is there a way to skip the CI for docs-only changes", "Anyone tried the new SDK with Python 3.13",
    "Waar staat de sleutel van de serverruimte", "vraagje: mag ik thuiswerken op vrijdag",
])
def test_questions_without_a_question_mark(text: str) -> None:
    assert reads_as_question(text), signals(text)


@pytest.mark.parametrize("text", [
    "New docs at <https://example.com/faq?lang=en|the FAQ>", "Deployed, see https://ci.example.com/job?id=42",
    "Fixed with `SELECT * FROM t WHERE x = ?` now", "Do not deploy today", "Wanneer de build klaar is tag ik",
    "Heb de logging aangezet", "Will push the fix after lunch",
])
def test_a_question_mark_in_a_link_or_code_or_a_statement_that_looks_like_one(text: str) -> None:
    assert not reads_as_question(text), signals(text)
