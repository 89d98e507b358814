"""How well ``kbbot import`` tells a thread that asked from one that did not (kbbot/importing/questions.py).

Recall: the SemEval-2016 Task 3 question set (../shared/data/semeval2016-task3-cqa-ql-dev/corpus.tsv,
737 Qatar Living forum questions, title and body), read as a thread's first message would be: the
body alone (a message in a channel has no title), the title alone (a one-liner), and both.
The set holds questions only: no comments, no non-questions. So false positives come from
hand-written English and Dutch thread starters (written for this purpose; say so wherever it is
quoted): tests/importing/non_questions.txt (79, tuned on), non_questions_held_out.txt (40
harder ones, written after the first version and then tuned on too) and
thread_starters_held_out.tsv (30 questions and 30 non-questions, written before the second
version and scored with it once: the held-out figure). Precision on the SemEval bodies is shown
for an assumed share of questions among thread starters, since no set says what it is in a
real workspace.

    python bench/question_detector.py [--data ../shared/data/semeval2016-task3-cqa-ql-dev]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from kbbot.importing.questions import reads_as_question, signals

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "semeval2016-task3-cqa-ql-dev"
HERE = ROOT / "tests" / "importing"
NEGATIVES = HERE / "non_questions.txt"
HARDER = HERE / "non_questions_held_out.txt"
MIXED = HERE / "thread_starters_held_out.tsv"


def corpus(folder: Path) -> list[tuple[str, str, str]]:
    rows = []
    for line in (folder / "corpus.tsv").read_text(encoding="utf-8").splitlines():
        ident, title, body = (line.split("\t") + ["", ""])[:3]
        rows.append((ident, title, body))
    return rows


def negatives(path: Path = NEGATIVES) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def labelled(path: Path = MIXED) -> list[tuple[bool, str]]:
    return [(label == "yes", text) for label, text in (line.split("\t", 1) for line in negatives(path))]


def scored(rows: list[tuple[bool, str]]) -> dict[str, float]:
    tp = sum(1 for label, text in rows if label and reads_as_question(text))
    fp = sum(1 for label, text in rows if not label and reads_as_question(text))
    positives = sum(1 for label, _ in rows if label)
    return {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / positives if positives else 1.0,
            "false_positives": fp, "negatives": len(rows) - positives}


def held_out(ident: str) -> bool:
    """The project's split (bench/dataset.py): even-numbered original questions are the held-out part."""
    return int(ident[1:].split("_")[0]) % 2 == 0


def figures(folder: Path) -> dict[str, object]:
    rows = corpus(folder)
    recall = {}
    for label, text in (("body", lambda r: r[2]), ("title", lambda r: r[1]), ("title+body", lambda r: f"{r[1]}\n{r[2]}")):
        recall[label] = sum(reads_as_question(text(r)) for r in rows) / len(rows)
        part = [r for r in rows if held_out(r[0])]
        recall[f"{label} (held-out part, {len(part)})"] = sum(reads_as_question(text(r)) for r in part) / len(part)
    filled = [r for r in rows if r[2].strip()]
    recall[f"body, the {len(filled)} not empty"] = sum(reads_as_question(r[2]) for r in filled) / len(filled)
    by_signal = Counter(s for r in rows for s in signals(r[2]))
    negative = negatives()
    wrong = [text for text in negative if reads_as_question(text)]
    fpr = len(wrong) / len(negative)
    held = scored(labelled())
    held_fpr = held["false_positives"] / held["negatives"]  # the held-out rate, not the tuned one
    precision = {f"{share:.0%} questions": (share * recall["body"]) / (share * recall["body"] + (1 - share) * held_fpr)
                 if share * recall["body"] + (1 - share) * held_fpr else 1.0 for share in (0.5, 0.3, 0.1)}
    return {"questions": len(rows), "recall": recall, "body_signals": dict(by_signal),
            "non_questions": len(negative), "false_positives": wrong, "false_positive_rate": fpr,
            "precision_body_at": precision,
            "harder_false_positives": sum(reads_as_question(t) for t in negatives(HARDER)),
            "harder_negatives": len(negatives(HARDER)), "held_out": held}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    if not (args.data / "corpus.tsv").exists():
        raise SystemExit(f"no corpus.tsv in {args.data}: the SemEval set is not there")
    result = figures(args.data)
    for label, value in result["recall"].items():  # type: ignore[union-attr]
        print(f"recall  {label:<32} {value:6.1%}")
    print(f"false positives on {result['non_questions']} hand-written non-questions: "
          f"{len(result['false_positives'])} ({result['false_positive_rate']:.1%})")  # type: ignore[arg-type]
    for label, value in result["precision_body_at"].items():  # type: ignore[union-attr]
        print(f"precision (SemEval body recall, held-out false-positive rate) if {label:<14} {value:6.1%}")
    print(f"false positives on {result['harder_negatives']} harder non-questions: {result['harder_false_positives']}")
    held = result["held_out"]
    print(f"held-out hand-written set (30 + 30): precision {held['precision']:.1%}, recall {held['recall']:.1%}, "  # type: ignore[index]
          f"{held['false_positives']} of {held['negatives']} non-questions taken for questions")  # type: ignore[index]
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
