"""The two Teams app icons, drawn in pure Python and written as PNG.

Teams wants a 192×192 full-colour icon and a 32×32 outline icon that uses
only white on transparency. They are drawn here (a speech bubble with a
light-bulb dot: "ask and share what you know") rather than kept as opaque
binaries nobody can change; ``python -m kbbot_adapters.teams.icons``
rewrites ``color.png`` and ``outline.png`` next to this file.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

Pixel = tuple[int, int, int, int]
HERE = Path(__file__).resolve().parent
ACCENT = (0x4F, 0x52, 0xB2)  # Teams' own indigo, so the icon sits well in its rail
WHITE = (255, 255, 255)


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An 8-bit RGBA PNG of ``width``×``height`` whose pixels come from ``pixel(x, y)``."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            rows.extend(pixel(x, y))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
            + chunk(b"IEND", b""))


def _bubble(x: float, y: float) -> bool:
    """A speech bubble in unit coordinates (0..1): a rounded body and a tail at the lower left."""
    left, top, right, bottom, radius = 0.18, 0.2, 0.82, 0.68, 0.12
    cx = min(max(x, left + radius), right - radius)
    cy = min(max(y, top + radius), bottom - radius)
    if left <= x <= right and top <= y <= bottom and (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2:
        return True
    # The tail: a right triangle under the body, from (0.3, bottom) down to (0.3, 0.84).
    return bottom <= y <= 0.84 and 0.3 <= x <= 0.46 - (y - bottom)


def _dot(x: float, y: float) -> bool:
    return (x - 0.5) ** 2 + (y - 0.44) ** 2 <= 0.085 ** 2


def color_pixel(size: int) -> Callable[[int, int], Pixel]:
    def pixel(px: int, py: int) -> Pixel:
        x, y = (px + 0.5) / size, (py + 0.5) / size
        if _bubble(x, y) and not _dot(x, y):
            return (*WHITE, 255)
        return (*ACCENT, 255)
    return pixel


def outline_pixel(size: int) -> Callable[[int, int], Pixel]:
    def pixel(px: int, py: int) -> Pixel:
        x, y = (px + 0.5) / size, (py + 0.5) / size
        return (*WHITE, 255) if _bubble(x, y) and not _dot(x, y) else (0, 0, 0, 0)
    return pixel


def color_icon() -> bytes:
    return png(192, 192, color_pixel(192))


def outline_icon() -> bytes:
    return png(32, 32, outline_pixel(32))


def main() -> None:
    (HERE / "color.png").write_bytes(color_icon())
    (HERE / "outline.png").write_bytes(outline_icon())


if __name__ == "__main__":
    main()
