"""Benchmark: ``kbbot serve`` in Slack HTTP mode under a fixed request rate, from a second process.

    python bench/slack_http.py --rate 300 --seconds 20 [--postgres URL] [--workers-elsewhere]
        [--workers N] [--http-processes N] [--soak-minutes N --rss-every S]

Starts the fake Slack Web API (its own process), migrates a fresh database,
starts ``kbbot serve`` (its own process) pointed at both, then sends
correctly signed slash commands (``/kb help``) and channel message events at
``--rate`` requests per second for ``--seconds`` seconds (open loop: a slow
answer does not slow the sending). It then waits for the work after the
acks to finish, replays a sample with ``X-Slack-Retry-Num``, and prints:
ack latency (p50, p99, max), sustained requests per second, errors, and
whether every request was recorded exactly once (one ``inbound_events`` row
per accepted request, all processed, none added by the replays).

The target on two cores: p99 ack under 50 ms at 300 requests per second,
nothing lost. Results and what they mean: bench/ACKS.md.

``--soak-minutes N`` sends for N minutes instead of ``--seconds`` and samples
the resident memory (VmRSS, from /proc) of ``kbbot serve`` and each of its
child processes every ``--rss-every`` seconds, printing one row per sample
and a verdict: *levelled* when the total's slope over the last third of the
samples is under a quarter of the first third's (or under 0.5 MB a minute),
else *growing*.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text

HERE = Path(__file__).resolve().parent
# The fake Slack Web API lives with the tests; the benchmark reuses it rather than keeping a copy.
sys.path.insert(0, str(HERE.parent / "tests"))

from kbbot.store.db import make_engine, upgrade  # noqa: E402
from processes import children as live_children  # noqa: E402
from processes import wait_healthy  # noqa: E402
from slack_support.fake_methods import BOT_TOKEN  # noqa: E402

SECRET = "bench-signing-secret"
USERS = [f"U_B{n:03d}" for n in range(20)]



async def open_loop(total: int, rate: float, send: Any) -> None:
    """Start ``send(number)`` for each request at its own moment (open loop: a slow answer does not slow
    the sending), then wait for all of them."""
    begin = time.perf_counter()
    tasks = []
    for number in range(total):
        delay = begin + number / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(number)))
    await asyncio.gather(*tasks)

def _fake_slack(port_out: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    from slack_support.fake_methods import SlackMethods
    from slack_support.fake_web_api import FakeSlack

    methods = SlackMethods()
    for user in USERS:
        methods.workspace.add_user(user, user.lower())
    fake = FakeSlack(methods).start()
    fake.calls_to = lambda *a, **k: []  # type: ignore[method-assign]
    port_out.put(fake.url)
    stop.wait()
    fake.stop()


def _database(postgres: str | None) -> tuple[str, callable]:  # type: ignore[valid-type]
    if postgres is None:
        folder = tempfile.mkdtemp(prefix="kbbot-bench-")
        return f"sqlite:///{folder}/kbbot.db", lambda: shutil.rmtree(folder, ignore_errors=True)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    separator = "&" if "?" in postgres else "?"
    return f"{postgres}{separator}options=-csearch_path%3D{schema}", drop


def _signed(body: str, content_type: str) -> dict[str, str]:
    stamp = str(int(time.time()))
    return {"X-Slack-Request-Timestamp": stamp, "Content-Type": content_type,
            "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)}


def _request(number: int, response_url: str) -> tuple[str, dict[str, str], str]:
    """Every third request a slash command, the others channel messages; each with a unique Slack id."""
    user = USERS[number % len(USERS)]
    if number % 3 == 0:
        body = urlencode({"token": "x", "team_id": "T0001", "team_domain": "kbtest", "channel_id": "C_GENERAL",
                          "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/kb",
                          "text": "help", "api_app_id": "A_KBBOT", "response_url": response_url,
                          "trigger_id": f"bench.{number}"})
        return body, _signed(body, "application/x-www-form-urlencoded"), f"cmd:bench.{number}"
    ts = f"{1700000000 + number}.{number % 1000000:06d}"
    envelope = {"token": "x", "team_id": "T0001", "api_app_id": "A_KBBOT", "type": "event_callback",
                "event_id": f"EvBENCH{number:08d}", "event_time": 1700000000 + number,
                "event": {"type": "message", "user": user, "text": f"status update {number}", "ts": ts,
                          "channel": "C_GENERAL", "channel_type": "channel", "event_ts": ts, "team": "T0001"}}
    body = json.dumps(envelope)
    return body, _signed(body, "application/json"), envelope["event_id"]


async def _load(port: int, rate: float, seconds: float, response_url: str,
                warmup: float) -> tuple[list[float], int, list[str]]:
    url = f"http://127.0.0.1:{port}/slack/events"
    latencies: list[float] = []
    errors = 0
    accepted: list[str] = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def send(number: int) -> None:
            nonlocal errors
            body, headers, key = _request(number, response_url)
            started = time.perf_counter()
            try:
                async with session.post(url, data=body.encode(), headers=headers) as response:
                    await response.read()
                    if number >= first_measured:
                        latencies.append(time.perf_counter() - started)
                    if response.status == 200:
                        accepted.append(key)
                    else:
                        errors += 1
            except aiohttp.ClientError:
                errors += 1

        first_measured = int(rate * warmup)
        total = first_measured + int(rate * seconds)
        begin = time.perf_counter()
        await open_loop(total, rate, send)
        elapsed = time.perf_counter() - begin
    print(f"sent {total} requests in {elapsed:.1f} s: {total / elapsed:.0f} requests/s sustained "
          f"(latency measured after a {warmup:g} s warm-up)")
    return latencies, errors, accepted


async def _replay(port: int, numbers: list[int], response_url: str) -> int:
    """Slack's retries of already-delivered requests; returns how many were answered 200."""
    url = f"http://127.0.0.1:{port}/slack/events"
    ok = 0
    async with aiohttp.ClientSession() as session:
        for number in numbers:
            body, headers, _ = _request(number, response_url)
            headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
            async with session.post(url, data=body.encode(), headers=headers) as response:
                ok += response.status == 200
    return ok


def processed(database_url: str, expected: int, timeout: float = 120, platform: str = "slack") -> tuple[int, int]:
    """(inbound events of ``platform`` recorded, of which done) once ``expected`` are done or ``timeout`` passed.

    Shared with bench/teams_http.py, which counts Teams activities the same way.
    """
    engine = make_engine(database_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as connection:
                rows = connection.execute(text(
                    "SELECT count(*), sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END) "
                    "FROM inbound_events WHERE platform = :platform"), {"platform": platform}).one()
            if (rows[1] or 0) >= expected or time.monotonic() > deadline:
                return int(rows[0]), int(rows[1] or 0)
            time.sleep(0.5)
    finally:
        engine.dispose()


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("--rate", type=float, default=300)
    args.add_argument("--seconds", type=float, default=20)
    args.add_argument("--warmup", type=float, default=2, help="seconds at the same rate before measuring")
    args.add_argument("--port", type=int, default=3917)
    args.add_argument("--postgres", help="PostgreSQL base URL (a private schema is created and dropped)")
    args.add_argument("--workers", type=int, help="KBBOT_WORKERS for kbbot serve (default: its own default)")
    args.add_argument("--http-processes", type=int, help="KBBOT_HTTP_PROCESSES (default: kbbot serve's own)")
    args.add_argument("--workers-elsewhere", action="store_true",
                      help="kbbot serve only acknowledges (KBBOT_EXTERNAL_WORKERS); a `kbbot worker` is started "
                           "after the measured window, standing in for workers on other machines")
    args.add_argument("--soak-minutes", type=float,
                      help="send for this many minutes (instead of --seconds) and watch the RSS of kbbot serve")
    args.add_argument("--rss-every", type=float, default=30, help="seconds between RSS samples in a soak")
    options = args.parse_args()
    if options.soak_minutes is not None:
        options.seconds = 60 * options.soak_minutes

    database_url, cleanup = _database(options.postgres)
    upgrade(database_url)
    urls: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    stop = multiprocessing.Event()
    fake = multiprocessing.Process(target=_fake_slack, args=(urls, stop), daemon=True)
    fake.start()
    api_url = urls.get(timeout=10)
    response_url = api_url.replace("/api/", "/response/bench")
    env = {**os.environ, "KBBOT_DATABASE_URL": database_url, "KBBOT_SLACK_BOT_TOKEN": BOT_TOKEN,
           "KBBOT_SLACK_SIGNING_SECRET": SECRET, "KBBOT_SLACK_API_URL": api_url, "KBBOT_SLACK_SOCKET_MODE": "false",
           "KBBOT_SCHEDULER_ENABLED": "false", "KBBOT_HOST": "127.0.0.1", "KBBOT_PORT": str(options.port)}
    if options.workers is not None:
        env["KBBOT_WORKERS"] = str(options.workers)
    if options.http_processes is not None:
        env["KBBOT_HTTP_PROCESSES"] = str(options.http_processes)
    if options.workers_elsewhere:
        env.update(KBBOT_EXTERNAL_WORKERS="true", KBBOT_WORKERS="0")
    kbbot = shutil.which("kbbot") or str(Path(sys.executable).parent / "kbbot")
    log = tempfile.TemporaryFile()  # kbbot serve logs every request; a pipe nobody reads would block it
    server = subprocess.Popen([kbbot, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        try:
            wait_healthy(options.port, server, lambda: _tail(log), timeout=30)
        except RuntimeError as error:
            raise SystemExit(str(error)) from None
        backend = "PostgreSQL" if options.postgres else "SQLite"
        workers = options.workers if options.workers is not None else (1 if options.postgres else 0)
        where = "workers elsewhere" if options.workers_elsewhere else f"{workers} worker processes"
        print(f"kbbot serve (Slack HTTP mode, {backend}, {where}) at {options.rate:.0f} "
              f"requests/s for {options.seconds:.0f} s")
        print(f"machine speed: 10 million Python additions take {machine_speed():.2f} s (to compare runs "
              f"across machines; the figures in bench/ACKS.md name theirs)")
        cpu_before = _cpu_seconds(server.pid)
        ack_cpu_before = _cpu_seconds(server.pid, children=False)
        sampler = _RssSampler(server.pid, options.rss_every, database_url) if options.soak_minutes is not None else None
        latencies, errors, accepted = asyncio.run(_load(options.port, options.rate, options.seconds, response_url,
                                                           options.warmup))
        if sampler is not None:
            sampler.finish()
        latencies.sort()
        millis = [1000 * v for v in latencies]
        p99 = millis[min(len(millis) - 1, int(len(millis) * 0.99))]
        print(f"ack latency: p50 {statistics.median(millis):.1f} ms, p99 {p99:.1f} ms, max {millis[-1]:.1f} ms")
        print(f"errors: {errors}")
        acked = time.perf_counter()
        ack_cpu = _cpu_seconds(server.pid, children=False) - ack_cpu_before
        if options.workers_elsewhere:
            elsewhere = subprocess.Popen([kbbot, "worker"], env={**env, "KBBOT_WORKER_NICE": "0"},
                                         stdout=subprocess.DEVNULL, stderr=log)
        rows, done = processed(database_url, len(accepted))
        cpu = _cpu_seconds(server.pid) - cpu_before
        if options.workers_elsewhere:
            cpu += _cpu_seconds(elsewhere.pid)
            elsewhere.send_signal(signal.SIGTERM)
            elsewhere.wait(20)
        print(f"work after the acks finished {time.perf_counter() - acked:.1f} s after the last ack; the "
              f"acknowledging process used {1000 * ack_cpu / max(1, len(accepted)):.2f} ms of CPU per request")
        print(f"kbbot serve and its workers used {cpu:.1f} s of CPU: {1000 * cpu / max(1, len(accepted)):.2f} ms "
              f"per request (ack and work); machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        replays = list(range(0, len(accepted), max(1, int(options.rate))))
        replayed_ok = asyncio.run(_replay(options.port, replays, response_url))
        rows_after, done_after = processed(database_url, len(accepted), timeout=5)
        exactly_once = rows == len(set(accepted)) == done and rows_after == rows and replayed_ok == len(replays)
        print(f"recorded: {rows} events for {len(accepted)} acknowledged requests, {done} processed; "
              f"{len(replays)} retries acknowledged and ignored: {rows_after == rows}")
        print(f"every event recorded exactly once: {'yes' if exactly_once else 'NO'}")
        return 0 if exactly_once and errors == 0 else 1
    finally:
        shut_down(server, stop, fake, cleanup, grace=10)


def shut_down(server: subprocess.Popen[bytes], stop: Any, fake: multiprocessing.Process, cleanup: Any,
              grace: float) -> None:
    """Stop ``kbbot serve`` as an operator would (SIGINT, then a kill after ``grace`` s), the fake, the database.

    Shared with bench/teams_http.py.
    """
    server.send_signal(signal.SIGINT)
    try:
        server.wait(grace)
    except subprocess.TimeoutExpired:
        server.kill()
    stop.set()
    fake.join(5)
    cleanup()


def _rss_mb(pid: int) -> float | None:
    """Resident set size of a live process in MB (VmRSS from /proc), None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


class _RssSampler:
    """Samples the RSS of ``kbbot serve`` and its children every ``every`` seconds on a thread, printing rows."""

    def __init__(self, pid: int, every: float, database_url: str) -> None:
        self.pid = pid
        self.every = every
        self.samples: list[tuple[float, float, dict[int, float]]] = []  # (seconds, serve MB, {child: MB})
        self._engine = make_engine(database_url)
        self._stop = threading.Event()
        self._begin = time.monotonic()
        print(f"{'time':>7}  {'serve MB':>9}  {'children MB':<30}  {'total MB':>9}  {'behind':>7}  (events "
              f"accepted, not yet done)", flush=True)
        self._sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def _sample(self) -> None:
        serve = _rss_mb(self.pid) or 0.0
        children = {c: mb for c in sorted(live_children(self.pid)) if (mb := _rss_mb(c)) is not None}
        at = time.monotonic() - self._begin
        self.samples.append((at, serve, children))
        listed = " ".join(f"{pid}:{mb:.0f}" for pid, mb in children.items()) or "-"
        try:
            with self._engine.connect() as connection:
                behind = str(connection.execute(text(
                    "SELECT count(*) FROM inbound_events WHERE status = 'pending'")).scalar())
        except Exception:  # a busy SQLite file: the RSS matters more than this column
            behind = "?"
        print(f"{at:6.0f}s  {serve:9.1f}  {listed:<30}  {serve + sum(children.values()):9.1f}  {behind:>7}",
              flush=True)

    def finish(self) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self._engine.dispose()
        print(rss_verdict([(at, serve + sum(children.values())) for at, serve, children in self.samples]))


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope in MB per minute of (seconds, MB) points."""
    if len(points) < 2:
        return 0.0
    mean_t = statistics.fmean(t for t, _ in points)
    mean_m = statistics.fmean(m for _, m in points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    return 60 * sum((t - mean_t) * (m - mean_m) for t, m in points) / spread if spread else 0.0


def rss_verdict(points: list[tuple[float, float]]) -> str:
    """Growing or levelled: the last third's slope against the first third's (MB over seconds)."""
    if len(points) < 6:
        return f"RSS: too few samples ({len(points)}) for a verdict; sample more often or soak longer"
    third = len(points) // 3
    first, last = _slope(points[:third + 1]), _slope(points[-third - 1:])
    levelled = last < 0.5 or last < first / 4
    return (f"RSS {points[0][1]:.0f} -> {points[-1][1]:.0f} MB (peak {max(m for _, m in points):.0f}); slope "
            f"{first:+.2f} MB/min over the first third, {last:+.2f} MB/min over the last: "
            f"{'levelled' if levelled else 'growing'}")


def machine_speed() -> float:
    """Seconds for a fixed pure-Python loop: machines of the same core count differed threefold here."""
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.perf_counter() - started


def _tail(log: Any) -> str:
    log.seek(0)
    return str(log.read().decode()[-2000:])


def _cpu_seconds(pid: int, children: bool = True) -> float:
    """User plus system CPU time of a process and its live children (its workers), from Linux /proc."""
    total = 0.0
    for process in [pid, *(live_children(pid) if children else [])]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


if __name__ == "__main__":
    raise SystemExit(main())
