"""Sending at a pace platforms accept: spaced per conversation and per workspace, paused on request.

Slack allows about one message per second per conversation and answers 429
with ``Retry-After`` when a workspace sends too fast; Teams throttles
similarly. A weekly batch for thousands of people is therefore spread out:
each conversation waits ``per_conversation`` seconds between messages, each
workspace ``per_workspace`` seconds, and a :class:`~kbbot.contract.outbound.RetryLater`
pauses the whole workspace for its ``retry_after``.

Time comes in through ``monotonic`` and ``sleep`` so tests run without waiting.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

PER_CONVERSATION = 1.0
PER_WORKSPACE = 0.1


class Pacer:
    """Decides how long to wait before the next message to a conversation of a workspace."""

    def __init__(self, per_conversation: float = PER_CONVERSATION, per_workspace: float = PER_WORKSPACE,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_conversation = per_conversation
        self.per_workspace = per_workspace
        self.monotonic = monotonic
        self.sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def delay(self, workspace: str, conversation: str) -> float:
        """Seconds to wait before sending to ``conversation`` in ``workspace`` (0 when it may go now)."""
        now = self.monotonic()
        with self._lock:
            ready = max(self._next.get(f"w:{workspace}", now), self._next.get(f"c:{workspace}:{conversation}", now))
        return max(0.0, ready - now)

    def wait(self, workspace: str, conversation: str) -> float:
        """Sleep until a message may go, then book its slot; returns the seconds slept."""
        waited = 0.0
        while (pause := self.delay(workspace, conversation)) > 0:
            self.sleep(pause)
            waited += pause
        now = self.monotonic()
        with self._lock:
            self._next[f"w:{workspace}"] = now + self.per_workspace
            self._next[f"c:{workspace}:{conversation}"] = now + self.per_conversation
        return waited

    def back_off(self, workspace: str, seconds: float) -> None:
        """The platform said "retry later": nothing more to this workspace for ``seconds``."""
        until = self.monotonic() + max(0.0, seconds)
        with self._lock:
            key = f"w:{workspace}"
            self._next[key] = max(self._next.get(key, until), until)
