"""The processes ``kbbot serve`` starts beside itself, and keeps running.

A deployment stays one command per replica: ``kbbot serve`` acknowledges on
its port and supervises ``kbbot worker`` children that do the work (see
kbbot/pipeline/worker.py for why they are separate processes) and, where asked,
more acknowledging processes sharing its port (``SO_REUSEPORT``: the kernel
spreads connections over them, so acknowledgements are not bound to one
interpreter's GIL). A child that dies is
started again after a growing pause; on shutdown children get SIGTERM and
finish the event in hand, and whatever they leave pending is picked up by
any replica's worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Mapping, Sequence

log = logging.getLogger(__name__)

SUPERVISED = "KBBOT_SUPERVISED_BY"
"""Set in a child's environment to its parent's pid, so the child can follow the parent out."""

MAX_RESTART_PAUSE = 30.0
STEADY_AFTER = 60.0
STOP_GRACE = 15.0


class Supervisor:
    """Keeps ``count`` ``kbbot <command>`` processes alive (workers, or more HTTP processes)."""

    def __init__(self, count: int, env: Mapping[str, str] | None = None,
                 command: Sequence[str] = ("worker",)) -> None:
        self.count = count
        self.command = tuple(command)
        self.env = {**os.environ, **(env or {}), SUPERVISED: str(os.getpid())}
        self.children: list[asyncio.subprocess.Process | None] = [None] * count
        self._pauses = [1.0] * count
        self._started = [0.0] * count
        self._restart_at: list[float | None] = [None] * count
        self._watch: asyncio.Task[None] | None = None

    async def _spawn(self, slot: int) -> None:
        self.children[slot] = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kbbot.cli", *self.command, env=self.env, stdin=asyncio.subprocess.DEVNULL)
        self._started[slot] = time.monotonic()
        log.info("%s %d started (pid %d)", self.command[0], slot, self.children[slot].pid)  # type: ignore[union-attr]

    async def start(self) -> None:
        for slot in range(self.count):
            await self._spawn(slot)
        self._watch = asyncio.get_running_loop().create_task(self._supervise())

    async def _supervise(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            for slot, child in enumerate(self.children):
                if child is not None and child.returncode is not None:
                    # A child that ran a good while before dying starts again at once; one that keeps
                    # dying waits longer each time, so a broken configuration does not spin.
                    if time.monotonic() - self._started[slot] > STEADY_AFTER:
                        self._pauses[slot] = 1.0
                    pause = self._pauses[slot]
                    log.error("%s %d (pid %d) exited with %s; starting it again in %.0f s",
                              self.command[0], slot, child.pid, child.returncode, pause)
                    self.children[slot] = None
                    self._restart_at[slot] = time.monotonic() + pause
                    self._pauses[slot] = min(MAX_RESTART_PAUSE, pause * 2)
                restart_at = self._restart_at[slot]
                if self.children[slot] is None and restart_at is not None and time.monotonic() >= restart_at:
                    self._restart_at[slot] = None
                    await self._spawn(slot)

    async def stop(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        running = [child for child in self.children if child is not None and child.returncode is None]
        for child in running:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGTERM)
        for child in running:
            try:
                await asyncio.wait_for(child.wait(), STOP_GRACE)
            except TimeoutError:
                log.warning("%s pid %d did not stop in %.0f s; killing it", self.command[0], child.pid, STOP_GRACE)
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
                await child.wait()


def follow_parent_out() -> None:
    """In a supervised child: end with the parent, even when it was killed without a chance to stop us.

    An orphaned worker is harmless (it takes work like any other), but an
    orphaned ``--sibling`` would keep answering on the port with old code
    and make a restarted ``kbbot serve`` find the port taken. Linux can send
    a signal when the parent dies (``PR_SET_PDEATHSIG``); elsewhere a thread
    watches for the parent's pid to change.
    """
    parent = os.environ.get(SUPERVISED)
    if not parent:
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, signal.SIGTERM, 0, 0, 0) == 0:  # PR_SET_PDEATHSIG
            if os.getppid() != int(parent):  # the parent died before the call
                os.kill(os.getpid(), signal.SIGTERM)
            return
    except (OSError, AttributeError, ValueError):
        pass
    import threading

    def watch() -> None:
        while os.getppid() == int(parent):
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="kbbot-parent-watch", daemon=True).start()
