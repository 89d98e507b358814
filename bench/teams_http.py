"""Benchmark: ``kbbot serve``'s Teams endpoint on both Microsoft SDKs, side by side, at a fixed rate.

    python bench/teams_http.py --rate 100 --seconds 20 [--sdk agents --sdk botbuilder] [--postgres URL]

For each SDK in turn (``KBBOT_TEAMS_SDK``: the Microsoft 365 Agents SDK and
botbuilder), on a fresh database: starts the fake Microsoft (OpenID metadata,
keys, Azure AD, Bot Connector: the tests' own, in a process of its own) and
``kbbot serve`` (its own process) pointed at it, then POSTs activities with a
correctly signed channel token to ``/api/messages`` at ``--rate`` per second
for ``--seconds`` seconds (open loop: a slow answer does not slow the
sending): every third one a personal "help" (answered with a card through
the fake Bot Connector), the others channel messages. Each token is checked
by the SDK as in production (the signing keys are fetched once, then held).
Afterwards it waits for the work after the answers, replays a sample (Teams
delivers again when unsure) and checks that every accepted activity was
recorded and handled exactly once.

Prints, per SDK: sustained activities per second, response time (p50, p99,
max), errors, CPU per activity, exactly-once; then both side by side. Target
on two cores: p99 under 50 ms at 100 activities/s, nothing lost. Results:
bench/ACKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the fake Microsoft and the fixtures live with the tests

from kbbot.store.db import upgrade  # noqa: E402
from processes import wait_healthy  # noqa: E402
from slack_http import _cpu_seconds, _database, _tail, machine_speed, open_loop, processed, shut_down  # noqa: E402
from teams_support import ids  # noqa: E402
from teams_support.harness import load  # noqa: E402

USERS = [(f"29:1bench-user-{n:02d}", f"Bench User {n}") for n in range(20)]


def _fake_microsoft(out: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    from teams_support.fake_microsoft import FakeMicrosoft

    with FakeMicrosoft() as fake:
        out.put({"service_url": fake.service_url, "openid": fake.openid_metadata_url,
                 "login": fake.login_authority, "ca": fake.ca_bundle_path, "app_id": fake.app_id,
                 "password": fake.app_password, "authorization": fake.channel_auth_header(expires_in=7200)})
        stop.wait()


def _activity(number: int, service_url: str) -> tuple[dict[str, Any], str]:
    """Every third activity a personal "help", the others channel messages; each with its own Teams id."""
    user, name = USERS[number % len(USERS)]
    activity_id = str(1_750_000_000_000 + number)
    if number % 3 == 0:
        activity = load("personal_message", id=activity_id, text="help")
        activity["conversation"] = {**activity["conversation"], "id": f"a:1bench-chat-{number % len(USERS):02d}"}
    else:
        activity = load("channel_reply", id=activity_id, text=f"status update {number}", replyToId="1750000000000")
        activity["conversation"] = {**activity["conversation"], "id": f"{ids.CHANNEL_ID};messageid=1750000000000"}
    activity["from"] = {"id": user, "name": name, "aadObjectId": f"00000000-0000-4000-8000-{number % 20:012d}"}
    activity["serviceUrl"] = service_url
    return activity, activity_id


@dataclass
class Run:
    sdk: str
    sent: int
    rate: float
    p50: float
    p99: float
    worst: float
    errors: int
    cpu_ms: float
    exactly_once: bool


async def _load(port: int, rate: float, seconds: float, warmup: float, service_url: str,
                authorization: str) -> tuple[list[float], dict[str, int], list[int], float]:
    url = f"http://127.0.0.1:{port}/api/messages"
    headers = {"Content-Type": "application/json", "Authorization": authorization}
    latencies: list[float] = []
    errors: dict[str, int] = {}  # what went wrong, and how often
    accepted: list[int] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     timeout=aiohttp.ClientTimeout(total=60)) as session:
        async def send(number: int) -> None:
            activity, _ = _activity(number, service_url)
            body = json.dumps(activity).encode()
            started = time.perf_counter()
            try:
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    if number >= first_measured:
                        latencies.append(time.perf_counter() - started)
                    if 200 <= response.status < 300:
                        accepted.append(number)
                    else:
                        errors[str(response.status)] = errors.get(str(response.status), 0) + 1
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1

        first_measured = int(rate * warmup)
        total = first_measured + int(rate * seconds)
        begin = time.perf_counter()
        await open_loop(total, rate, send)
        elapsed = time.perf_counter() - begin
    return latencies, errors, accepted, total / elapsed


async def _replay(port: int, numbers: list[int], service_url: str, authorization: str) -> int:
    """Teams delivering again activities it already delivered; returns how many were answered 2xx."""
    ok = 0
    async with aiohttp.ClientSession() as session:
        for number in numbers:
            activity, _ = _activity(number, service_url)
            async with session.post(f"http://127.0.0.1:{port}/api/messages", data=json.dumps(activity).encode(),
                                    headers={"Content-Type": "application/json",
                                             "Authorization": authorization}) as response:
                ok += 200 <= response.status < 300
    return ok


def measure(sdk: str, options: argparse.Namespace) -> Run:
    database_url, cleanup = _database(options.postgres)
    upgrade(database_url)
    found: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    stop = multiprocessing.Event()
    fake = multiprocessing.Process(target=_fake_microsoft, args=(found, stop), daemon=True)
    fake.start()
    microsoft = found.get(timeout=20)
    env = {**os.environ, "KBBOT_DATABASE_URL": database_url, "KBBOT_TEAMS_SDK": sdk,
           "KBBOT_TEAMS_APP_ID": microsoft["app_id"], "KBBOT_TEAMS_APP_PASSWORD": microsoft["password"],
           "KBBOT_TEAMS_OPENID_METADATA_URL": microsoft["openid"], "KBBOT_TEAMS_OAUTH_ENDPOINT": microsoft["login"],
           "REQUESTS_CA_BUNDLE": microsoft["ca"], "KBBOT_SCHEDULER_ENABLED": "false", "KBBOT_HOST": "127.0.0.1",
           "KBBOT_PORT": str(options.port)}
    for name in [name for name in env if name.startswith("KBBOT_SLACK_")]:
        del env[name]  # Teams alone
    kbbot = shutil.which("kbbot") or str(Path(sys.executable).parent / "kbbot")
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([kbbot, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        try:
            wait_healthy(options.port, server, lambda: _tail(log), timeout=60)
        except RuntimeError as error:
            raise SystemExit(str(error)) from None
        cpu_before = _cpu_seconds(server.pid)
        latencies, errors, accepted, sustained = asyncio.run(_load(
            options.port, options.rate, options.seconds, options.warmup, microsoft["service_url"],
            microsoft["authorization"]))
        rows, done = processed(database_url, len(accepted), platform="teams")
        cpu = _cpu_seconds(server.pid) - cpu_before
        replays = sorted(accepted)[::max(1, int(options.rate))]  # activities Teams got an answer for
        replayed_ok = asyncio.run(_replay(options.port, replays, microsoft["service_url"], microsoft["authorization"]))
        rows_after, _ = processed(database_url, len(accepted), timeout=5, platform="teams")
        millis = sorted(1000 * value for value in latencies)
        p99 = millis[min(len(millis) - 1, int(len(millis) * 0.99))] if millis else float("nan")
        exactly_once = rows == len(set(accepted)) == done and rows_after == rows and replayed_ok == len(replays)
        failed = sum(errors.values())
        run = Run(sdk, len(accepted) + failed, sustained, statistics.median(millis) if millis else float("nan"), p99,
                  millis[-1] if millis else float("nan"), failed, 1000 * cpu / max(1, len(accepted)), exactly_once)
        print(f"{sdk:>10}: {run.sent} activities at {run.rate:.0f}/s sustained; response p50 {run.p50:.1f} ms, "
              f"p99 {run.p99:.1f} ms, max {run.worst:.1f} ms; errors {errors or 0}; {run.cpu_ms:.2f} ms CPU per "
              f"activity (answer and work); recorded {rows}, done {done}, {len(replays)} replays ignored: "
              f"{rows_after == rows}; exactly once: {'yes' if exactly_once else 'NO'}", flush=True)
        return run
    finally:
        shut_down(server, stop, fake, cleanup, grace=15)


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("--rate", type=float, default=100)
    args.add_argument("--seconds", type=float, default=20)
    args.add_argument("--warmup", type=float, default=2, help="seconds at the same rate before measuring")
    args.add_argument("--port", type=int, default=3918)
    args.add_argument("--sdk", action="append", choices=("agents", "botbuilder"),
                      help="which SDK(s) to measure, in this order (default: both)")
    args.add_argument("--postgres", help="PostgreSQL base URL (a private schema is created and dropped)")
    options = args.parse_args()
    backend = "PostgreSQL" if options.postgres else "SQLite"
    print(f"kbbot serve, Teams endpoint ({backend}) at {options.rate:.0f} activities/s for {options.seconds:g} s "
          f"after a {options.warmup:g} s warm-up; machine speed: 10 million Python additions take "
          f"{machine_speed():.2f} s", flush=True)
    runs = [measure(sdk, options) for sdk in options.sdk or ("agents", "botbuilder")]
    print()
    print("| SDK | activities/s | p50 | p99 | max | errors | CPU per activity | exactly once |")
    print("|---|---|---|---|---|---|---|---|")
    for run in runs:
        print(f"| {run.sdk} | {run.rate:.0f} | {run.p50:.1f} ms | {run.p99:.1f} ms | {run.worst:.1f} ms | "
              f"{run.errors} | {run.cpu_ms:.2f} ms | {'yes' if run.exactly_once else 'NO'} |")
    return 0 if all(run.exactly_once and run.errors == 0 for run in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
