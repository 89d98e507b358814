"""Reading a question-retrieval set in the AskUbuntu format (Lei et al., NAACL 2016).

``corpus.tsv`` (or ``corpus.tsv.gz``): ``id<TAB>title<TAB>body`` per line.
``dev.txt`` / ``test.txt``: ``query_id<TAB>similar ids<TAB>candidate ids[<TAB>baseline scores]``,
ids separated by spaces. A split file that is absent is simply not evaluated,
so a set with only ``dev.txt`` (such as the SemEval-2016 conversion) runs too.
:func:`hold_out` splits ``dev.txt`` in two by query id, so that what is tuned
on one part can be reported on the other.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

SPLITS = ("dev", "test")
TUNE, HELD_OUT = "tune", "held-out"


@dataclass(frozen=True)
class Query:
    id: str
    similar: tuple[str, ...]
    candidates: tuple[str, ...]
    baseline: tuple[float, ...] | None


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    body: str

    @property
    def text(self) -> str:
        """The question as a colleague would type it: title, then details."""
        return f"{self.title}\n{self.body}".strip()


def read_corpus(directory: Path) -> dict[str, Entry]:
    plain, packed = directory / "corpus.tsv", directory / "corpus.tsv.gz"
    if plain.exists():
        handle = plain.open(encoding="utf-8", errors="replace")
    elif packed.exists():
        handle = gzip.open(packed, "rt", encoding="utf-8", errors="replace")
    else:
        raise FileNotFoundError(f"no corpus.tsv or corpus.tsv.gz in {directory}")
    corpus: dict[str, Entry] = {}
    with handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if not parts or not parts[0].strip():
                continue
            title = parts[1] if len(parts) > 1 else ""
            body = parts[2] if len(parts) > 2 else ""
            corpus[parts[0].strip()] = Entry(parts[0].strip(), title, body)
    return corpus


def read_split(path: Path) -> list[Query]:
    queries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0].strip():
            continue
        baseline = tuple(float(x) for x in parts[3].split()) if len(parts) > 3 and parts[3].strip() else None
        candidates = tuple(parts[2].split())
        if baseline is not None and len(baseline) != len(candidates):
            baseline = None
        queries.append(Query(parts[0].strip(), tuple(parts[1].split()), candidates, baseline))
    return queries


def read_splits(directory: Path) -> dict[str, list[Query]]:
    return {name: read_split(directory / f"{name}.txt") for name in SPLITS if (directory / f"{name}.txt").exists()}


def held_out(query_id: str) -> bool:
    """True for every other query: those whose id has an even number (Q202, Q204, …), a checksum where none.

    Deterministic and independent of the file's order, so every run and
    every backend hold out the same queries.
    """
    digits = "".join(ch for ch in query_id if ch.isdigit())
    number = int(digits) if digits else zlib.crc32(query_id.encode("utf-8"))
    return number % 2 == 0


def hold_out(splits: dict[str, list[Query]]) -> dict[str, list[Query]]:
    """``dev`` split into :data:`TUNE` (odd-numbered queries) and :data:`HELD_OUT` (even-numbered); others kept."""
    if "dev" not in splits:
        return dict(splits)
    dev = splits["dev"]
    rest = {name: queries for name, queries in splits.items() if name != "dev"}
    return {TUNE: [q for q in dev if not held_out(q.id)], HELD_OUT: [q for q in dev if held_out(q.id)], **rest}
