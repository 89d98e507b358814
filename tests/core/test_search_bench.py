"""The benchmarks run end to end and print their figures as JSON on the last line.

The hand-made English and Dutch set in ``tests/fixtures/retrieval`` is always
there; the SemEval-2016 set lives outside the repository and its test skips
with a reason when it is absent.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import postgres_url

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import latency  # noqa: E402
import retrieval  # noqa: E402

HAND_MADE = ROOT / "tests" / "fixtures" / "retrieval"
SEMEVAL = ROOT.parent / "shared" / "data" / "semeval2016-task3-cqa-ql-dev"


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if postgres_url() else ["sqlite"]


@pytest.mark.parametrize("backend", _backends())
def test_retrieval_on_the_hand_made_set(backend: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert retrieval.main(["--data", str(HAND_MADE), "--backend", backend, "--tune"]) == 0
    [result] = _last_json(capsys.readouterr().out)["results"]
    dev, test = result["dev"], result["test"]
    assert result["corpus"] == 42
    assert dev["queries"] == 8 and test["queries"] == 8
    # The baseline column is read where present (dev) and absent where it is not (test).
    assert set(dev["candidates"]) == {"kbbot", "baseline"} and set(test["candidates"]) == {"kbbot"}
    for split in (dev, test):
        for figures in (split["candidates"]["kbbot"], split["retrieval"]["kbbot"]):
            assert set(figures) == {"MAP", "MRR", "P@1", "P@5", "queries"}
    # Same-language duplicates are found first; the naive baseline order is beaten.
    assert dev["candidates"]["kbbot"]["P@1"] >= 87.5
    assert dev["candidates"]["kbbot"]["MAP"] > dev["candidates"]["baseline"]["MAP"]
    # The rule is tuned on dev only; every split reports what /ask shows with the shipped one.
    chosen = dev["tuning"]["chosen"]
    assert 0 <= chosen["threshold"] <= 0.6 and chosen["min_shared_words"] in (1, 2, 3)
    assert "tuning" not in test
    for split in (dev, test):
        assert set(split["suggestions"]["candidates"]) == {"full", "title"}


def test_postgres_and_sqlite_rank_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    if not postgres_url():
        pytest.skip("PostgreSQL run skipped: set KBBOT_TEST_POSTGRES_URL")
    assert retrieval.main(["--data", str(HAND_MADE), "--backend", "both"]) == 0
    sqlite, postgres = _last_json(capsys.readouterr().out)["results"]
    for split in ("dev", "test"):
        assert sqlite[split]["candidates"] == postgres[split]["candidates"]
        assert sqlite[split]["retrieval"] == postgres[split]["retrieval"]


def test_retrieval_on_semeval_beats_the_search_engine_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    if not (SEMEVAL / "corpus.tsv").exists():
        pytest.skip(f"SemEval-2016 set not present at {SEMEVAL} (it is not part of the repository)")
    assert retrieval.main(["--data", str(SEMEVAL), "--candidates-only"]) == 0
    [result] = _last_json(capsys.readouterr().out)["results"]
    dev = result["dev"]
    assert dev["queries"] == 61  # queries without a similar candidate are left out, as in the paper
    assert dev["candidates"]["baseline"]["MAP"] == pytest.approx(77.62, abs=0.01)  # the README's figure
    assert dev["candidates"]["kbbot"]["MAP"] > dev["candidates"]["baseline"]["MAP"]


def test_semeval_suggestions_are_tuned_on_one_part_and_reported_on_the_other(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The suggestion rule is chosen on half the queries; precision and recall are reported on the rest."""
    if not (SEMEVAL / "corpus.tsv").exists():
        pytest.skip(f"SemEval-2016 set not present at {SEMEVAL} (it is not part of the repository)")
    assert retrieval.main(["--data", str(SEMEVAL), "--hold-out", "--tune"]) == 0
    [result] = _last_json(capsys.readouterr().out)["results"]
    assert "dev" not in result
    tune, held = result["tune"], result["held-out"]
    assert tune["queries"] + held["queries"] == 61 and abs(tune["queries"] - held["queries"]) <= 3
    assert "tuning" in tune and "tuning" not in held
    # What kbbot ships is what the tuning part chose ...
    shipped = held["suggestions"]
    assert tune["tuning"]["chosen"] == {"threshold": shipped["threshold"],
                                        "min_shared_words": shipped["min_shared_words"]}
    # ... and the held-out part says what /ask shows with it, for whole questions and one-line titles.
    for mode in ("full", "title"):
        figures = shipped["candidates"][mode]
        assert set(figures) >= {"precision", "recall", "F0.5", "helped", "shown_per_query"}
        assert figures["precision"] >= 60 and figures["recall"] >= 40, (mode, figures)
    assert held["candidates"]["kbbot"]["queries"] == held["queries"]
    assert 0 < shipped["whole_corpus"]["precision"] <= 100


def test_latency_benchmark_reports_median_p95_and_size(capsys: pytest.CaptureFixture[str]) -> None:
    assert latency.main(["--questions", "300", "--queries", "10", "--backend", "sqlite"]) == 0
    [result] = _last_json(capsys.readouterr().out)["latency"]
    assert result["questions"] == 300
    assert 0 < result["search_ms"]["median"] <= result["search_ms"]["p95"]
    assert 0 < result["suggest_ms"]["median"] <= result["suggest_ms"]["p95"]
    assert result["index_mb"] > 0 and result["database_mb"] >= result["index_mb"]
