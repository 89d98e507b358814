"""Benchmark: faults under a steady load, ``kbbot serve`` in Slack HTTP mode on its own PostgreSQL.

    python bench/faults.py [--rate 50] [--seconds 20] [--only db_outage,worker_kill,...]

Starts a throwaway PostgreSQL cluster (bench/pg_cluster.py: initdb in a temporary
folder, trust auth, a free port on 127.0.0.1, deleted at the end, also on Ctrl-C)
and the fake Slack Web API (its own process). Per scenario it migrates a fresh
schema, starts ``kbbot serve`` (its defaults on PostgreSQL: 2 acknowledging
HTTP processes and 1 worker), sends signed slash commands (``/kb help``, each
with its own ``response_url``) and channel message events at ``--rate`` for
``--seconds`` from another process, open loop, and does one harm mid-run:

1. ``db_outage``: the database stopped (``pg_ctl stop -m fast``) for 4 s, then started;
2. ``worker_kill``: the worker process SIGKILLed (kbbot serve starts it again);
3. ``ack_kill``: an acknowledging process (a sibling) SIGKILLed;
4. ``rate_limit_storm``: 6 s in which the fake answers every ``response_url``
   post and ``chat.*`` call with 429 and ``Retry-After: 1``;
5. ``second_replica``: a second ``kbbot serve`` (same database, another port)
   started, given half the requests for 10 s, then taken out of rotation and stopped.

The load generator behaves like Slack: an event answered with an error, a
refused connection or no answer within 3 s is sent again with
``X-Slack-Retry-Num`` (after 1, 3 and 6 s: Slack's 1 and 5 minutes, compressed);
a failed slash command is not retried (Slack shows the person an error).

Printed, one JSON object per scenario and a summary line: sent, acknowledged,
recorded once (one ``inbound_events`` row, handled), lost (acknowledged but never
recorded or handled, or a command acknowledged whose reply never reached the fake's
``response_url``), duplicated (recorded twice, or a reply posted twice). Exit status
1 if anything was lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from sqlalchemy import text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from pg_cluster import PgCluster, free_port  # noqa: E402
from slack_http import SECRET, USERS, _database, _request, _tail, machine_speed, open_loop  # noqa: E402 (puts tests/ on the path)

from kbbot.store.db import make_engine, upgrade  # noqa: E402
from processes import children, wait_healthy  # noqa: E402
from slack_support.fake_methods import BOT_TOKEN  # noqa: E402

RETRY_AFTER = (1.0, 3.0, 6.0)  # Slack retries an event three times (at once-ish, 1 min, 5 min); compressed
ACK_TIMEOUT = 3.0  # Slack's
STORM_METHODS = ("response_url", "chat.")


# ----------------------------------------------------------------------------- the fake Slack, with controls
def _fake_slack(conn: Any) -> None:
    """The fake Web API in its own process: counts calls per ``response_url`` name; a 429 storm on request."""
    from slack_support.fake_methods import SlackMethods
    from slack_support.fake_web_api import FakeSlack, _Programmed

    class CountingFake(FakeSlack):
        def __init__(self, methods: SlackMethods) -> None:
            self._local = threading.local()
            self.counts: Counter[tuple[str, str, bool]] = Counter()
            self.storm_until = 0.0
            self.throttled = 0
            super().__init__(methods)

        def _handler_class(self) -> Any:
            base = super()._handler_class()
            local = self._local

            class Handler(base):  # type: ignore[valid-type,misc]
                def _serve(self) -> None:
                    local.path = self.path
                    super()._serve()

            return Handler

        def _take(self, method: str) -> Any:
            if time.time() < self.storm_until and method.startswith(STORM_METHODS):
                with self._lock:
                    self.throttled += 1
                return _Programmed(1, 429, {"Retry-After": "1"}, {"ok": False, "error": "ratelimited"})
            return super()._take(method)

        def _record(self, call: Any) -> None:  # counted, not kept: thousands of calls per scenario
            path = urlsplit(getattr(self._local, "path", "")).path
            name = path.removeprefix("/response/") if path.startswith("/response/") else ""
            with self._lock:
                self.counts[(call.method, name, call.ok)] += 1

    methods = SlackMethods()
    for user in USERS:
        methods.workspace.add_user(user, user.lower())
    fake = CountingFake(methods).start()
    conn.send(fake.url)
    while True:
        command, argument = conn.recv()
        if command == "stop":
            break
        with fake._lock:
            if command == "clear":
                fake.counts.clear()
                fake.throttled = 0
                conn.send(None)
            elif command == "storm":
                fake.storm_until = time.time() + argument
                conn.send(None)
            elif command == "counts":
                conn.send((dict(fake.counts), fake.throttled))
    fake.stop()


class FakeControl:
    def __init__(self) -> None:
        self._conn, child = multiprocessing.Pipe()
        self.process = multiprocessing.Process(target=_fake_slack, args=(child,), daemon=True)
        self.process.start()
        if not self._conn.poll(15):
            raise RuntimeError("the fake Slack Web API did not start")
        self.url: str = self._conn.recv()
        self._lock = threading.Lock()

    def ask(self, command: str, argument: Any = None) -> Any:
        with self._lock:
            self._conn.send((command, argument))
            return self._conn.recv()

    def close(self) -> None:
        try:
            with self._lock:
                self._conn.send(("stop", None))
        except OSError:
            pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()


# ----------------------------------------------------------------------------- the load generator (own process)
async def _load(ports: list[int], extra: Any, rate: float, seconds: float, base: str) -> dict[str, Any]:
    """Send ``rate * seconds`` requests open loop; retry events like Slack. Returns what happened per request."""
    acked: dict[str, int] = {}  # key -> attempts it took
    failed: dict[str, str] = {}  # key -> last failure (not acknowledged)
    kinds: dict[str, str] = {}
    attempts = Counter[str]()
    timeout = aiohttp.ClientTimeout(total=ACK_TIMEOUT)
    # A new connection per request, as from many Slack senders: the kernel spreads them over the
    # acknowledging processes (SO_REUSEPORT), so a killed one has requests in flight and queued.
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        async def send(number: int) -> None:
            body, headers, key = _request(number, f"{base}/response/bench.{number}")
            command = key.startswith("cmd:")
            kinds[key] = "command" if command else "event"
            reason = ""
            for attempt in range(len(RETRY_AFTER) + 1):
                if attempt:
                    await asyncio.sleep(RETRY_AFTER[attempt - 1])
                    body, headers, _ = _request(number, f"{base}/response/bench.{number}")  # fresh timestamp
                    headers.update({"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": reason})
                # Round robin over the replicas in rotation (a load balancer); a retry may land elsewhere.
                live = ports + ([extra.value] if extra.value else [])
                port = live[(number + attempt) % len(live)]
                attempts["total"] += 1
                try:
                    async with session.post(f"http://127.0.0.1:{port}/slack/events", data=body.encode(),
                                            headers=headers) as response:
                        await response.read()
                        if response.status == 200:
                            acked[key] = attempt + 1
                            failed.pop(key, None)
                            return
                        reason = "http_error"
                        failed[key] = f"http {response.status}"
                except TimeoutError:
                    reason, failed[key] = "http_timeout", "timeout"
                except aiohttp.ClientError as error:
                    reason, failed[key] = "connection_failed", type(error).__name__
                if command:
                    return  # Slack does not retry slash commands; the person sees an error

        total = int(rate * seconds)
        await open_loop(total, rate, send)
    return {"sent": total, "kinds": kinds, "acked": acked, "failed": failed, "attempts": attempts["total"]}


def _load_process(ports: list[int], extra: Any, rate: float, seconds: float, base: str, out: Any) -> None:
    out.put(asyncio.run(_load(ports, extra, rate, seconds, base)))


# ----------------------------------------------------------------------------- one scenario
@dataclass
class Run:
    """What a fault needs: the cluster, the server, how to start another, when the load began."""

    cluster: PgCluster
    fake: FakeControl
    env: dict[str, str]
    server: subprocess.Popen[bytes]
    extra: Any  # multiprocessing.Value: the port of a second replica in rotation, 0 for none
    began: float = 0.0
    notes: list[str] = field(default_factory=list)
    killed: set[int] = field(default_factory=set)
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def at(self, second: float) -> None:
        """Sleep until ``second`` seconds after the load began."""
        time.sleep(max(0.0, self.began + second - time.monotonic()))

    def note(self, what: str) -> None:
        self.notes.append(f"{time.monotonic() - self.began:.1f}s {what}")


def _kill_child(run: Run, marker: bytes, what: str) -> None:
    found = children(run.server.pid, marker)
    if not found:
        run.note(f"no {what} found to kill")
        return
    os.kill(found[0], signal.SIGKILL)
    run.note(f"SIGKILL {what} pid {found[0]}")
    run.killed.add(found[0])


def _wait_replaced(run: Run, marker: bytes, what: str, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [pid for pid in children(run.server.pid, marker) if pid not in run.killed]
        if found:
            run.note(f"{what} running again (pid {found[0]})")
            return
        time.sleep(0.1)
    run.note(f"no {what} running {timeout:g} s after the kill")


def db_outage(run: Run, seconds: float) -> None:
    run.at(seconds * 0.3)
    run.cluster.stop("fast")
    run.note("database stopped (pg_ctl stop -m fast)")
    time.sleep(4)
    run.cluster.start()
    run.note("database started")


def worker_kill(run: Run, seconds: float) -> None:
    run.at(seconds * 0.35)
    _kill_child(run, b"worker", "worker")
    _wait_replaced(run, b"worker", "worker")


def ack_kill(run: Run, seconds: float) -> None:
    run.at(seconds * 0.35)
    _kill_child(run, b"--sibling", "acknowledging sibling")
    _wait_replaced(run, b"--sibling", "acknowledging sibling")


def rate_limit_storm(run: Run, seconds: float) -> None:
    run.at(seconds * 0.25)
    run.fake.ask("storm", 6.0)
    run.note("429 storm for 6 s (response_url, chat.*)")


def second_replica(run: Run, seconds: float) -> None:
    run.at(seconds * 0.2)
    port = free_port()
    log = tempfile.TemporaryFile()
    replica = subprocess.Popen([_kbbot(), "serve"], env={**run.env, "KBBOT_PORT": str(port)},
                               stdout=subprocess.DEVNULL, stderr=log)

    def stop_replica() -> None:
        if replica.poll() is None:
            replica.kill()
            replica.wait(10)
    run.cleanups.append(stop_replica)
    wait_healthy(port, replica, lambda: _tail(log), timeout=30)
    run.extra.value = port
    run.note(f"second replica on port {port} in rotation")
    run.at(seconds * 0.7)
    run.extra.value = 0
    time.sleep(0.5)  # the load balancer has stopped sending new requests to it
    replica.send_signal(signal.SIGTERM)
    try:
        code = replica.wait(30)
        run.note(f"second replica out of rotation and stopped (SIGTERM, exit {code})")
    except subprocess.TimeoutExpired:
        run.note("second replica did not stop in 30 s after SIGTERM; killed")
        replica.kill()


SCENARIOS: dict[str, Callable[[Run, float], None]] = {
    "db_outage": db_outage, "worker_kill": worker_kill, "ack_kill": ack_kill,
    "rate_limit_storm": rate_limit_storm, "second_replica": second_replica}


def _kbbot() -> str:
    return str(Path(sys.executable).parent / "kbbot")


def _tally(database_url: str) -> dict[str, tuple[int, int]]:
    """event_key -> (rows, handled rows), for every Slack event recorded."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT event_key, count(*), sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END) "
                "FROM inbound_events WHERE platform = 'slack' GROUP BY event_key")).all()
    finally:
        engine.dispose()
    return {key: (int(count), int(done or 0)) for key, count, done in rows}


def scenario(name: str, cluster: PgCluster, fake: FakeControl, rate: float, seconds: float,
             port: int, drain: float) -> dict[str, Any]:
    database_url, drop = _database(cluster.url)
    upgrade(database_url)
    fake.ask("clear")
    base = fake.url.removesuffix("/api/")
    env = {**os.environ, "KBBOT_DATABASE_URL": database_url, "KBBOT_SLACK_BOT_TOKEN": BOT_TOKEN,
           "KBBOT_SLACK_SIGNING_SECRET": SECRET, "KBBOT_SLACK_API_URL": fake.url,
           "KBBOT_SLACK_SOCKET_MODE": "false", "KBBOT_SCHEDULER_ENABLED": "false", "KBBOT_HOST": "127.0.0.1",
           "KBBOT_PORT": str(port)}
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([_kbbot(), "serve"], env=env, stdout=subprocess.DEVNULL, stderr=log)
    extra = multiprocessing.Value("i", 0)
    run = Run(cluster, fake, env, server, extra)
    started = time.monotonic()
    try:
        wait_healthy(port, server, lambda: _tail(log), timeout=30)
        time.sleep(1.0)  # let the siblings and the worker come up too
        out: multiprocessing.Queue[dict[str, Any]] = multiprocessing.Queue()
        load = multiprocessing.Process(target=_load_process, args=([port], extra, rate, seconds, base, out),
                                       daemon=True)
        run.began = time.monotonic()
        load.start()
        SCENARIOS[name](run, seconds)
        result = out.get(timeout=seconds + sum(RETRY_AFTER) + 4 * ACK_TIMEOUT + 30)
        load.join(5)
        run.note("load finished")
        acked = result["acked"]
        commands = [key for key in acked if result["kinds"][key] == "command"]

        def replies() -> Counter[str]:
            counts, _ = fake.ask("counts")
            posted: Counter[str] = Counter()
            for (method, name, ok), count in counts.items():
                if method == "response_url" and ok:
                    posted[name] += count
            return posted

        # Wait for the work after the acks: every acknowledged event handled, every command answered.
        deadline = time.monotonic() + drain
        while True:
            tally = _tally(database_url)
            posted = replies()
            pending = sum(1 for key in acked if tally.get(key, (0, 0))[1] < 1)
            unanswered = sum(1 for key in commands if posted[key.removeprefix("cmd:")] < 1)
            if (pending == 0 and unanswered == 0) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        settled = time.monotonic() - run.began - seconds
        time.sleep(3.0)  # late duplicates (a second sweep, a retried post) show up in this window
        tally = _tally(database_url)
        counts, throttled = fake.ask("counts")
        posted = replies()
        methods: Counter[str] = Counter()
        for (method, _name, ok), count in counts.items():
            methods[f"{method} {'ok' if ok else 'refused'}"] += count

        lost_events = [key for key in acked if tally.get(key, (0, 0))[1] < 1]
        duplicated_events = [key for key, (rows, _) in tally.items() if rows > 1]
        lost_replies = [key for key in commands if posted[key.removeprefix("cmd:")] < 1]
        duplicated_replies = [name for name, count in posted.items() if count > 1]
        recorded_once = sum(1 for key in acked if tally.get(key) == (1, 1))
        unacked = result["failed"]
        report = {
            "scenario": name,
            "sent": result["sent"],
            "acknowledged": len(acked),
            "recorded_once": recorded_once,
            "lost": len(lost_events) + len(lost_replies),
            "duplicated": len(duplicated_events) + len(duplicated_replies),
            "lost_events": len(lost_events), "lost_replies": len(lost_replies),
            "duplicated_events": len(duplicated_events), "duplicated_replies": len(duplicated_replies),
            "replies_posted": sum(posted.values()), "commands_acknowledged": len(commands),
            "http_attempts": result["attempts"],
            "acknowledged_after_retry": sum(1 for tries in acked.values() if tries > 1),
            "not_acknowledged": len(unacked),
            "not_acknowledged_commands": sum(1 for key in unacked if result["kinds"][key] == "command"),
            "not_acknowledged_events": sum(1 for key in unacked if result["kinds"][key] == "event"),
            "recorded_though_not_acknowledged": sum(1 for key in unacked if key in tally),
            "recorded_not_handled": sum(1 for rows, done in tally.values() if done < rows),
            "throttled_429": throttled,
            "web_api_calls": dict(sorted(methods.items())),
            "settled_s_after_last_send": round(settled, 1),
            "server_restarts_logged": _tail_all(log).count("starting it again"),
            "timeline": run.notes,
        }
        if lost_events or lost_replies or duplicated_events or duplicated_replies:
            report["examples"] = {"lost_events": lost_events[:5], "lost_replies": lost_replies[:5],
                                  "duplicated_events": duplicated_events[:5],
                                  "duplicated_replies": duplicated_replies[:5]}
            report["server_log_tail"] = _tail(log)[-800:]
        report["wall_s"] = round(time.monotonic() - started, 1)
        return report
    finally:
        for cleanup in run.cleanups:
            cleanup()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
        try:
            if not cluster.running():
                cluster.start()
            try:
                drop()
            except Exception:  # noqa: BLE001 - a pooled connection from before an outage; once more
                drop()
        except Exception as error:  # noqa: BLE001 - the whole cluster is deleted at the end anyway
            print(f"(could not drop the scenario's schema: {error})", file=sys.stderr)


def _tail_all(log: Any) -> str:
    log.seek(0)
    return str(log.read().decode(errors="replace"))


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("--rate", type=float, default=50)
    args.add_argument("--seconds", type=float, default=20)
    args.add_argument("--drain", type=float, default=90, help="seconds to wait for the work after the last send")
    args.add_argument("--only", help=f"comma-separated subset of: {', '.join(SCENARIOS)}")
    options = args.parse_args()
    names = options.only.split(",") if options.only else list(SCENARIOS)
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        raise SystemExit(f"unknown scenarios: {unknown}; known: {list(SCENARIOS)}")

    print(json.dumps({"machine": {"cpus": os.cpu_count(), "load_average": round(os.getloadavg()[0], 2),
                                  "python_loop_s": round(machine_speed(), 2)},
                      "rate": options.rate, "seconds": options.seconds}), flush=True)
    results = []
    fake = FakeControl()
    try:
        with PgCluster() as cluster:
            for name in names:
                report = scenario(name, cluster, fake, options.rate, options.seconds, free_port(), options.drain)
                results.append(report)
                print(json.dumps(report), flush=True)
    finally:
        fake.close()
    summary = {"summary": True, "scenarios": len(results),
               "sent": sum(r["sent"] for r in results), "acknowledged": sum(r["acknowledged"] for r in results),
               "recorded_once": sum(r["recorded_once"] for r in results),
               "lost": sum(r["lost"] for r in results), "duplicated": sum(r["duplicated"] for r in results),
               "not_acknowledged": sum(r["not_acknowledged"] for r in results),
               "ok": all(r["lost"] == 0 and r["duplicated"] == 0 for r in results),
               "load_average_after": round(os.getloadavg()[0], 2)}
    print(json.dumps(summary), flush=True)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
