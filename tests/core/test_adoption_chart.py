"""The adoption chart tells the truth: round axis steps, and small groups drawn as masked, never as a number."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from kbbot.presentation.charts import ticks
from kbbot.services import adoption

SVG = "{http://www.w3.org/2000/svg}"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def test_axis_ticks_are_round_steps_from_zero() -> None:
    assert ticks(6) == [0, 1, 2, 3, 4, 5, 6]
    assert ticks(7) == [0, 2, 4, 6, 8]
    assert ticks(13) == [0, 5, 10, 15]
    assert ticks(40) == [0, 10, 20, 30, 40]
    assert ticks(0) == [0, 1]


@given(st.integers(min_value=1, max_value=10**7))
def test_axis_ticks_cover_the_peak_in_at_most_six_equal_round_steps(peak: int) -> None:
    found = ticks(peak)
    step = found[1]
    assert found == list(range(0, found[-1] + 1, step))
    assert found[-1] >= peak > found[-2]
    assert len(found) <= 7
    assert step // 10 ** int(math.log10(step)) in (1, 2, 5) and step % 10 ** int(math.log10(step)) == 0


def _chart(weeks: list[adoption.Week]) -> ElementTree.Element:
    report = adoption.html(weeks, NOW)
    return ElementTree.fromstring(report[report.index("<svg"):report.index("</svg>") + len("</svg>")])


def _of_class(root: ElementTree.Element, tag: str, name: str) -> list[ElementTree.Element]:
    return [e for e in root.iter(SVG + tag) if name in e.get("class", "").split()]


def test_small_groups_are_drawn_masked_and_do_not_inflate_the_bars() -> None:
    weeks = [adoption.Week("2026-W47", (6, 2, 0), 3, 2, 1), adoption.Week("2026-W48", (4, 0, 1), 1, 0, 0)]
    root = _chart(weeks)

    assert [t.text for t in _of_class(root, "text", "tick")] == ["0", "1", "2", "3", "4", "5", "6"]
    grid = {int(t.text or ""): float(line.get("y1", "")) for t, line in
            zip(_of_class(root, "text", "tick"), _of_class(root, "line", "grid"))}

    tips = [t.text or "" for t in root.iter(SVG + "title")]
    assert "2026-W47 contributing: <3" in tips and "2026-W48 creating: <3" in tips
    assert not [tip for tip in tips if tip.endswith((": 1", ": 2", ": 3"))]  # no masked group claims a number

    bars = _of_class(root, "rect", "bar")
    assert [b.find(SVG + "title").text for b in bars] == ["2026-W47 consuming: 6", "2026-W48 consuming: 4"]  # type: ignore[union-attr]
    for bar, count in zip(bars, (6, 4)):
        assert math.isclose(float(bar.get("height", "")), grid[0] - grid[count], abs_tol=0.2)

    masked = _of_class(root, "rect", "masked")
    assert len(masked) == 2 and all(m.get("fill", "").startswith("url(#") for m in masked)  # hatched
    for placeholder, bar in zip(masked, bars):
        assert float(placeholder.get("y", "")) + float(placeholder.get("height", "")) <= float(bar.get("y", ""))
    assert [t.text for t in _of_class(root, "text", "masked")] == ["<3", "<3"]
