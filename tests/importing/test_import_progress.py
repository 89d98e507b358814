"""The import's progress on standard error: a bar redrawn in place in a terminal, a line per tenth in a log."""

from __future__ import annotations

import io

from kbbot.importing.progress import Bar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_line_redrawn_at_most_five_times_a_second() -> None:
    now = [0.0]
    screen = Terminal()
    bar = Bar(screen, clock=lambda: now[0])
    for step in range(1, 101):
        now[0] += 0.01
        bar(step, 100, step * 1000)
    bar.close()
    frames = screen.getvalue().split("\r")[1:]
    assert 1 < len(frames) <= 7 and "\n" not in "".join(frames[:-1])
    assert frames[-1].startswith("[" + "#" * 30 + "] 100%") and "100,000 messages" in frames[-1]


def test_a_log_gets_a_line_per_tenth() -> None:
    log = io.StringIO()
    bar = Bar(log, clock=lambda: 0.0)
    for step in range(0, 1001):
        bar(step, 1000, step)
    lines = log.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == [f"{n}%" for n in range(0, 101, 10)]
