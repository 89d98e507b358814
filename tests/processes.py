"""Watching a ``kbbot serve`` started as a real process: is it up, which processes did it start.

Shared by the tests that run the installed command and by bench/slack_http.py,
which puts this folder on its path.
"""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path


def wait_healthy(port: int, server: subprocess.Popen[bytes], log_tail: Callable[[], str],
                 timeout: float = 60.0) -> None:
    """Return once ``/healthz`` answers; raise with the log's tail if the server exits or never answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"kbbot serve exited: {log_tail()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"kbbot serve did not become healthy in {timeout:g} s")


def children(pid: int, marker: bytes = b"") -> list[int]:
    """Live (not zombie) child processes of ``pid`` whose command line holds ``marker`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == pid and stat[0] != "Z" and marker in cmdline:
            found.append(int(entry.name))
    return found
