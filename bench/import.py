"""``kbbot import slack`` on a generated workspace export: time and peak memory, SQLite and PostgreSQL.

The export is shaped as Slack documents it (see tests/slack_support/export_builder.py) and
generated one day file at a time, so generating 1,000,000 messages needs no more memory than
importing them: two years of history in public and private channels (plus group DMs and DMs,
which a default import leaves out), threads whose replies arrive up to three days later (in a
later day's file), reactions (👍, the asker's ✅, ❤️, 🎉, 👀, 👎), edits, files, integrations'
posts and channel joins, a few deleted people, and questions in English and Dutch, with and
without a question mark, among announcements.

Each import runs in a child process of its own, so its peak resident memory (``VmHWM``) is
the import's alone; run two sizes to see whether memory grows with the export.

    python bench/import.py                       # 1,000,000 messages, both backends
    python bench/import.py --messages 100000 --backend sqlite
    python bench/import.py --messages 1000000 --messages 100000   # two sizes, one after the other

PostgreSQL needs ``--postgres-url`` or ``KBBOT_TEST_POSTGRES_URL``; each run uses a schema of
its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from knowledge import fresh_database  # noqa: E402
from synthetic import Vocabulary  # noqa: E402

TEAM = "T0BENCH"
START = datetime(2023, 1, 2, tzinfo=UTC)
DAYS = 730
QUESTIONS = ("How do I", "Where can I find", "Why does", "Anyone know how to", "Is there a way to", "What is the",
             "Hoe kan ik", "Waar vind ik", "Weet iemand hoe", "Wie weet waarom", "Kan iemand uitleggen hoe")
STATEMENTS = ("Deployed", "FYI", "Heads up:", "Released", "Shared the notes on", "Vandaag uitgerold:", "Let op:",
              "Thanks all for", "Finished", "Bijgewerkt:")
REACTIONS = ("+1", "+1", "+1", "heart", "tada", "eyes", "100", "-1", "raised_hands")


class Generator:
    """Writes one export; holds one channel's pending replies at a time, never the export."""

    def __init__(self, messages: int, seed: int, vocabulary: int = 20_000) -> None:
        self.rng = random.Random(seed)
        self.vocabulary = Vocabulary(self.rng, size=vocabulary)
        self.budget = messages
        self.users = [f"U{n:07d}" for n in range(max(50, min(3000, messages // 400)))]
        self.deleted = set(self.rng.sample(self.users, k=max(1, len(self.users) // 50)))
        self.stamps: set[str] = set()
        self.written = 0
        self.counts: dict[str, int] = defaultdict(int)

    def _words(self, low: int, high: int) -> str:
        return " ".join(self.vocabulary.draw(self.rng.randint(low, high)))

    def _ts(self, day: int, after: float | None = None) -> str:
        while True:
            if after is None:
                seconds = (START + timedelta(days=day)).timestamp() + self.rng.uniform(8 * 3600, 18 * 3600)
            elif self.rng.random() < 0.04:
                seconds = after + self.rng.uniform(86_400, 3 * 86_400)  # answered days later, in a later day's file
            else:
                seconds = after + self.rng.expovariate(1 / 1800)
            stamp = f"{seconds:.6f}"
            if stamp not in self.stamps:
                self.stamps.add(stamp)
                return stamp

    def _message(self, at: str, user: str, text: str, **extra: Any) -> dict[str, Any]:
        message = {"type": "message", "text": text, "user": user, "ts": at, "team": TEAM, "user_team": TEAM,
                   "source_team": TEAM, "client_msg_id": f"{self.rng.getrandbits(128):032x}",
                   "user_profile": {"avatar_hash": "g0123456789a", "first_name": user, "real_name": user,
                                    "display_name": user, "team": TEAM, "name": user.lower(),
                                    "is_restricted": False, "is_ultra_restricted": False},
                   "blocks": [{"type": "rich_text", "block_id": "b", "elements": [
                       {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}]}
        message.update(extra)
        rng = self.rng
        if rng.random() < 0.08:
            message["edited"] = {"user": user, "ts": f"{float(at) + 120:.6f}"}
        if rng.random() < 0.05:
            message["files"] = [{"id": f"F{rng.getrandbits(40):010X}", "name": "screenshot.png", "mimetype": "image/png",
                                 "filetype": "png", "size": rng.randint(10_000, 900_000), "user": user,
                                 "url_private": f"https://files.slack.com/files-pri/{TEAM}/screenshot.png"}]
        return message

    def _reactions(self, members: Sequence[str], asker: str | None = None) -> list[dict[str, Any]]:
        rng = self.rng
        found: dict[str, list[str]] = {}
        for _ in range(rng.choice((1, 1, 2, 3))):
            name = rng.choice(REACTIONS)
            people = found.setdefault(name, [])
            for person in rng.sample(members, k=min(len(members), rng.randint(1, 4))):
                if person not in people:
                    people.append(person)
        if asker is not None:
            found.setdefault("white_check_mark", []).append(asker)
        return [{"name": name, "users": people, "count": len(people)} for name, people in found.items()]

    def _thread(self, day: int, members: Sequence[str]) -> list[dict[str, Any]]:
        rng = self.rng
        asker = rng.choice(members)
        if rng.random() < 0.45:
            text = f"{rng.choice(QUESTIONS)} {self._words(4, 14)}{'?' if rng.random() < 0.8 else ''}"
            self.counts["question_threads"] += 1
        else:
            text = f"{rng.choice(STATEMENTS)} {self._words(4, 14)}"
        root_ts = self._ts(day)
        replies: list[dict[str, Any]] = []
        at = float(root_ts)
        accepted = rng.randrange(6) if rng.random() < 0.25 else -1
        for index in range(min(self.budget - 1, max(1, int(rng.expovariate(1 / 2.5))))):
            reply_ts = self._ts(day, after=at)
            at = float(reply_ts)
            if rng.random() < 0.03:
                replies.append({"type": "message", "subtype": "bot_message", "text": self._words(5, 12),
                                "ts": reply_ts, "bot_id": "B0000001", "username": "deploybot", "thread_ts": root_ts})
                continue
            author = asker if rng.random() < 0.1 else rng.choice(members)
            extra: dict[str, Any] = {"thread_ts": root_ts, "parent_user_id": asker}
            if rng.random() < 0.35 or index == accepted:
                extra["reactions"] = self._reactions(members, asker if index == accepted else None)
            replies.append(self._message(reply_ts, author, self._words(8, 40), **extra))
        root = self._message(root_ts, asker, text, thread_ts=root_ts, reply_count=len(replies),
                             reply_users_count=len({r.get("user") for r in replies}),
                             latest_reply=replies[-1]["ts"] if replies else root_ts,
                             reply_users=sorted({r.get("user", "") for r in replies}),
                             replies=[{"user": r.get("user"), "ts": r["ts"]} for r in replies],
                             is_locked=False, subscribed=False)
        if rng.random() < 0.2:
            root["reactions"] = self._reactions(members)
        self.budget -= 1 + len(replies)
        self.counts["threads"] += 1
        return [root, *replies]

    def _single(self, day: int, members: Sequence[str]) -> dict[str, Any]:
        rng = self.rng
        self.budget -= 1
        roll = rng.random()
        at = self._ts(day)
        user = rng.choice(members)
        if roll < 0.06:
            return {"type": "message", "subtype": "channel_join", "user": user, "ts": at,
                    "text": f"<@{user}> has joined the channel"}
        if roll < 0.12:
            return {"type": "message", "subtype": "bot_message", "text": f"Build {rng.randint(1, 99999)} passed",
                    "ts": at, "bot_id": "B0000001", "username": "ci"}
        message = self._message(at, user, self._words(3, 30))
        if rng.random() < 0.15:
            message["reactions"] = self._reactions(members)
        return message

    def channel(self, archive: zipfile.ZipFile, folder: str, members: Sequence[str], budget: int) -> None:
        """One conversation's day files, in order; replies that fall on a later day wait for that day's file."""
        self.budget, leftover = budget, self.budget - budget
        active = sorted(self.rng.sample(range(DAYS), k=min(DAYS, max(1, budget // 25))))
        per_day = max(1, budget // len(active))
        files: dict[date, list[dict[str, Any]]] = defaultdict(list)
        for day in active:
            quota = per_day
            while quota > 0 and self.budget > 0:
                if self.rng.random() < 0.3 and self.budget > 1:
                    made = self._thread(day, members)
                else:
                    made = [self._single(day, members)]
                quota -= len(made)
                for message in made:
                    files[datetime.fromtimestamp(float(message["ts"]), UTC).date()].append(message)
            today = (START + timedelta(days=day)).date()
            for when in sorted(d for d in files if d <= today):
                self._write(archive, folder, when, files.pop(when))
        for when in sorted(files):
            self._write(archive, folder, when, files.pop(when))
        self.budget = leftover + self.budget

    def _write(self, archive: zipfile.ZipFile, folder: str, when: date, messages: list[dict[str, Any]]) -> None:
        messages.sort(key=lambda m: float(m["ts"]))
        archive.writestr(f"{folder}/{when.isoformat()}.json", json.dumps(messages, ensure_ascii=False, indent=4))
        self.written += len(messages)

    def export(self, path: Path) -> dict[str, int]:
        rng = self.rng
        total = self.budget
        conversations = max(8, min(400, total // 3000))
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            archive.writestr("users.json", json.dumps([
                {"id": u, "team_id": TEAM, "name": u.lower(), "deleted": u in self.deleted, "real_name": f"Person {u}",
                 "tz": rng.choice(["Europe/Amsterdam", "Europe/London", "America/New_York"]), "is_bot": False,
                 "profile": {"real_name": f"Person {u}", "display_name": f"person{u[-4:]}", "team": TEAM}}
                for u in self.users] + [{"id": "U0CIBOT", "team_id": TEAM, "name": "ci", "is_bot": True,
                                         "deleted": False, "profile": {"real_name": "CI"}}], indent=4))
            lists: dict[str, list[dict[str, Any]]] = defaultdict(list)
            plan = []
            for n in range(conversations):
                kind = "dms" if n % 20 == 19 else "mpims" if n % 20 == 18 else "groups" if n % 5 == 1 else "channels"
                size = 2 if kind == "dms" else 3 if kind == "mpims" else rng.randint(8, min(200, len(self.users)))
                members = rng.sample(self.users, k=size)
                cid = {"channels": "C", "groups": "G", "mpims": "G", "dms": "D"}[kind] + f"{n:08d}"
                name = None if kind == "dms" else (f"mpdm-{'--'.join(members)}-1" if kind == "mpims" else f"topic-{n}")
                lists[f"{kind}.json"].append({"id": cid, "name": name, "created": int(START.timestamp()),
                                              "members": members, "is_archived": False})
                plan.append((name or cid, members))
            for name in ("channels.json", "groups.json", "mpims.json", "dms.json"):
                archive.writestr(name, json.dumps(lists[name], indent=4))
            share = total // len(plan)
            for index, (folder, members) in enumerate(plan):
                self.channel(archive, folder, members, share + (total - share * len(plan) if index == 0 else 0))
        return {"messages": self.written, **self.counts, "conversations": len(plan), "people": len(self.users)}


def child(url: str, export: str, cached_words: int | None = None) -> None:
    """The import alone, in this process: seconds, peak memory and the summary, as one JSON line."""
    from kbbot.contract.history import HistoryOptions
    from kbbot.importing import run
    from kbbot.importing.writer import ImportOptions
    from kbbot.store.db import make_engine, session_factory
    from kbbot_adapters.slack.export import read

    from kbbot_adapters.slack.archive import Archive

    if cached_words is not None:
        run.CACHED_WORDS = cached_words
    sessions = session_factory(make_engine(url))
    archive = Archive(export)
    files = archive.count
    archive.close()
    start = peak_mb()  # the interpreter with kbbot, SQLAlchemy and the stemmers loaded: what importing adds to
    started = time.perf_counter()
    history = read(export, HistoryOptions())
    summary = run.run(history, sessions, ImportOptions(platform="slack", source=Path(export).name),
                      datetime.now(UTC))
    seconds = time.perf_counter() - started
    from kbbot.search import analysis

    print(json.dumps({"seconds": round(seconds, 1), "peak_mb": round(peak_mb(), 1), "start_mb": round(start, 1),
                      "cached_words": analysis.primary_forms.cache_info().currsize, "cache_limit": run.CACHED_WORDS,
                      "files": files, "counts": dict(summary.counts), "skipped": dict(summary.skipped)}))


def peak_mb() -> float:
    """This process's peak resident memory in MB.

    Linux's ``VmHWM`` belongs to the program now running; ``ru_maxrss`` also keeps the peak of
    the process it was forked from (here the generator, whose memory is not the import's).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(backend: str, export: Path, postgres_url: str | None, cached_words: int | None = None) -> dict[str, Any]:
    with fresh_database(backend, postgres_url) as url:
        extra = ["--cached-words", str(cached_words)] if cached_words is not None else []
        done = subprocess.run([sys.executable, __file__, "--child", url, str(export), *extra], capture_output=True,
                              text=True,
                              check=False)
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, action="append", help="messages in the export (default 1,000,000); "
                        "give it twice to compare sizes")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("KBBOT_TEST_POSTGRES_URL"))
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--exports", type=Path, help="keep generated exports in this folder and reuse them "
                        "(export-<messages>.zip, same seed) instead of generating each run")
    parser.add_argument("--vocabulary", type=int, default=20_000, help="distinct words the messages are drawn from "
                        "(default 20,000; a real workspace's names, ids and typos make far more)")
    parser.add_argument("--cached-words", type=int, help="the import's bound on the search analyser's word caches "
                        "(default kbbot.importing.run.CACHED_WORDS; 200000 is the analyser's own bound)")
    parser.add_argument("--child", nargs=2, metavar=("URL", "EXPORT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child, cached_words=args.cached_words)
        return 0
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    if "postgresql" in backends and not args.postgres_url:
        print("PostgreSQL skipped: set --postgres-url or KBBOT_TEST_POSTGRES_URL", file=sys.stderr)
        backends = tuple(b for b in backends if b != "postgresql")
    for size in args.messages or [1_000_000]:
        with tempfile.TemporaryDirectory(prefix="kbbot-import-bench-") as folder:
            export = (args.exports or Path(folder)) / (f"export-{size}.zip" if args.exports else "export.zip")
            if args.exports and (args.seed != 14 or args.vocabulary != 20_000):
                export = export.with_name(f"export-{size}-seed{args.seed}-words{args.vocabulary}.zip")
            started = time.perf_counter()
            if export.exists():
                print(f"export: {export} (kept from an earlier run), {export.stat().st_size / 1e6:.0f} MB zipped",
                      flush=True)
            else:
                made = Generator(size, args.seed, args.vocabulary).export(export)
                print(f"export: {made['messages']:,} messages, {made['threads']:,} threads "
                      f"({made['question_threads']:,} started with a question), {made['conversations']} "
                      f"conversations, {made['people']:,} people; {export.stat().st_size / 1e6:.0f} MB zipped, "
                      f"generated in {time.perf_counter() - started:.0f} s", flush=True)
            for backend in backends:
                result = measure(backend, export, args.postgres_url, args.cached_words)
                counts = result["counts"]
                print(f"{backend:<10} {size:>9,} messages, {result['files']:,} files: {result['seconds']:>7.1f} s, "
                      f"peak {result['peak_mb']:.0f} MB ({result['peak_mb'] - result['start_mb']:+.0f} MB over the "
                      f"{result['start_mb']:.0f} MB loaded before the import); "
                      f"{counts.get('questions', 0):,} questions, {counts.get('answers', 0):,} answers "
                      f"({counts.get('accepted', 0):,} accepted), {counts.get('votes', 0):,} votes", flush=True)
                print(json.dumps({"backend": backend, "size": size, **result}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
