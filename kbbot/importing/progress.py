"""A progress bar on standard error for a long import: a redrawn line in a terminal, a line per tenth otherwise.

Standard error, so a summary on standard output can be piped or saved
without bars in it. No dependency: one line of text redrawn a few times a
second is all a person watching needs.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

WIDTH = 30
EVERY = 0.2
"""Seconds between redraws in a terminal."""


class Bar:
    """Call with (done, total, messages) as often as you like; it draws at most every :data:`EVERY` seconds."""

    def __init__(self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream or sys.stderr
        self.clock = clock
        self.started = clock()
        self.drawn = 0.0
        self.tenth = -1
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, done: int, total: int, messages: int) -> None:
        share = min(done / total, 1.0) if total else 1.0
        now = self.clock()
        if self.live:
            if now - self.drawn < EVERY and share < 1.0:
                return
            self.drawn = now
            filled = int(share * WIDTH)
            self.stream.write(f"\r[{'#' * filled}{'.' * (WIDTH - filled)}] {share:4.0%}  "
                              f"{messages:,} messages  {self._elapsed(now)}")
            self.stream.flush()
        elif int(share * 10) > self.tenth:
            self.tenth = int(share * 10)
            self.stream.write(f"{share:4.0%}  {messages:,} messages  {self._elapsed(now)}\n")
            self.stream.flush()

    def _elapsed(self, now: float) -> str:
        seconds = int(now - self.started)
        return f"{seconds // 60}:{seconds % 60:02d}"

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()
