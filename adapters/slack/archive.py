"""A ZIP archive read one entry at a time, without holding its whole directory: what a large export needs.

Python's :class:`zipfile.ZipFile` reads the archive's whole central directory
when it opens and keeps one :class:`zipfile.ZipInfo` per file, about 600 bytes
each (measured: bench/RESULTS.md). A Slack export has one file per channel
per day, so a large workspace's export holds hundreds of thousands of files,
and the directory alone would make an import's memory grow with the export.
Here the directory is walked record by record (:meth:`Archive.entries`) and an
entry is found again by where its record starts (:meth:`Archive.entry_at`),
so a caller keeps two integers per file it wants, or nothing at all.

Only what exports use is read: stored and deflated entries, ZIP64 sizes and
offsets, UTF-8 and CP437 names. Anything else (encryption, another
compression method, a checksum that does not match, an entry cut short) is
an :class:`EntryError` for that entry alone, so the rest can still be read.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

_END = struct.Struct("<IHHHHIIH")
_END_SIGNATURE = 0x06054B50
_END64_LOCATOR = struct.Struct("<IIQI")
_END64_LOCATOR_SIGNATURE = 0x07064B50
_END64 = struct.Struct("<IQHHIIQQQQ")
_END64_SIGNATURE = 0x06064B50
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_CENTRAL_SIGNATURE = 0x02014B50
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIGNATURE = 0x04034B50
_ZIP64_EXTRA = 0x0001
_STORED, _DEFLATED = 0, 8
_ENCRYPTED, _UTF8 = 0x1, 0x800
_MAX_COMMENT = 0xFFFF
_CHUNK = 1 << 20


class NotAnArchive(Exception):
    """The file is not a ZIP archive, or its directory is cut short or damaged: nothing in it can be found."""


class EntryError(Exception):
    """One entry cannot be read (damaged, cut short, encrypted, or compressed in a way not read here)."""


@dataclass(frozen=True)
class Entry:
    """One file of the archive as its central directory record describes it."""

    name: str
    position: int
    """Where its central directory record starts: :meth:`Archive.entry_at` finds it again from this alone."""
    method: int
    flags: int
    crc: int
    compressed: int
    size: int
    offset: int

    def is_dir(self) -> bool:
        return self.name.endswith("/")


class Archive:
    """An open ZIP file; :meth:`entries` walks its directory, :meth:`read` one entry's bytes."""

    def __init__(self, path: str) -> None:
        self.handle: BinaryIO = open(path, "rb")  # noqa: SIM115 (closed by close())
        try:
            self.directory, self.count, self.shift = self._end()
        except (OSError, struct.error, NotAnArchive):
            self.handle.close()
            raise

    def _end(self) -> tuple[int, int, int]:
        """The directory's start, its number of records, and how far entries moved (data before the archive)."""
        handle = self.handle
        handle.seek(0, 2)
        size = handle.tell()
        tail_start = max(0, size - _END.size - _MAX_COMMENT)
        handle.seek(tail_start)
        tail = handle.read()
        at = tail.rfind(struct.pack("<I", _END_SIGNATURE))
        if at < 0 or len(tail) - at < _END.size:
            raise NotAnArchive("no end of central directory record")
        _, _, _, _, count, length, start, _ = _END.unpack_from(tail, at)
        end = tail_start + at
        records_before = end
        if count == 0xFFFF or length == 0xFFFFFFFF or start == 0xFFFFFFFF:
            if end < _END64_LOCATOR.size:
                raise NotAnArchive("ZIP64 locator missing")
            handle.seek(end - _END64_LOCATOR.size)
            signature, _, where, _ = _END64_LOCATOR.unpack(handle.read(_END64_LOCATOR.size))
            if signature != _END64_LOCATOR_SIGNATURE:
                raise NotAnArchive("ZIP64 locator missing")
            records_before = end - _END64_LOCATOR.size - _END64.size
            handle.seek(records_before)
            record = handle.read(_END64.size)
            if len(record) < _END64.size or _END64.unpack(record)[0] != _END64_SIGNATURE:
                handle.seek(where)
                record = handle.read(_END64.size)
                records_before = where
                if len(record) < _END64.size or _END64.unpack(record)[0] != _END64_SIGNATURE:
                    raise NotAnArchive("ZIP64 end of central directory record missing")
            _, _, _, _, _, _, _, count, length, start = _END64.unpack(record)
        shift = records_before - length - start
        if shift < 0 or start + shift + length > size:
            raise NotAnArchive("central directory outside the file (cut short?)")
        return start + shift, count, shift

    def entries(self) -> Iterator[Entry]:
        """Every record of the central directory, in the archive's order; raises :class:`NotAnArchive` if damaged.

        The directory is read in chunks of its own; :meth:`read` and
        :meth:`entry_at` may be called between two entries.
        """
        position = self.directory
        buffer = b""
        buffer_start = position
        for _ in range(self.count):
            offset = position - buffer_start
            if len(buffer) - offset < _CENTRAL.size:
                buffer, buffer_start, offset = self._chunk(position, _CENTRAL.size), position, 0
            fixed = _CENTRAL.unpack_from(buffer, offset)
            record = _CENTRAL.size + fixed[10] + fixed[11] + fixed[12]
            if len(buffer) - offset < record:
                buffer, buffer_start, offset = self._chunk(position, record), position, 0
            yield self._entry(buffer, offset, position, fixed)
            position += record

    def _chunk(self, position: int, needed: int) -> bytes:
        """The directory from ``position`` on, a megabyte at a time (at least the ``needed`` bytes of a record)."""
        self.handle.seek(position)
        data = self.handle.read(max(_CHUNK, needed))
        if len(data) < needed:
            raise NotAnArchive("central directory cut short")
        return data

    def entry_at(self, position: int) -> Entry:
        """The entry whose central directory record starts at ``position`` (from :attr:`Entry.position`)."""
        self.handle.seek(position)
        head = self.handle.read(_CENTRAL.size)
        if len(head) < _CENTRAL.size:
            raise EntryError("central directory cut short")
        fixed = _CENTRAL.unpack(head)
        rest = self.handle.read(fixed[10] + fixed[11] + fixed[12])
        return self._entry(head + rest, 0, position, fixed)

    def _entry(self, data: bytes, at: int, position: int, fixed: tuple[int, ...]) -> Entry:
        (signature, _, _, flags, method, _, _, crc, compressed, size, name_length, extra_length, _, _, _, _,
         offset) = fixed
        if signature != _CENTRAL_SIGNATURE:
            raise NotAnArchive("damaged central directory record")
        start = at + _CENTRAL.size
        raw = data[start:start + name_length]
        name = raw.decode("utf-8", "replace") if flags & _UTF8 else raw.decode("cp437")
        if 0xFFFFFFFF in (compressed, size, offset):
            size, compressed, offset = _zip64(data[start + name_length:start + name_length + extra_length],
                                              size, compressed, offset)
        return Entry(name=name, position=position, method=method, flags=flags, crc=crc, compressed=compressed,
                     size=size, offset=offset + self.shift)

    def read(self, entry: Entry, limit: int) -> bytes:
        """The entry's bytes, checked against its checksum; :class:`EntryError` if that cannot be done.

        Never more than ``limit`` bytes are inflated, whatever the entry claims.
        """
        if entry.flags & _ENCRYPTED:
            raise EntryError("encrypted")
        if entry.method not in (_STORED, _DEFLATED):
            raise EntryError(f"compression method {entry.method} is not supported")
        if entry.size > limit:
            raise EntryError(f"larger than {limit:,} bytes")
        self.handle.seek(entry.offset)
        head = self.handle.read(_LOCAL.size)
        if len(head) < _LOCAL.size or _LOCAL.unpack(head)[0] != _LOCAL_SIGNATURE:
            raise EntryError("bad local file header")
        local = _LOCAL.unpack(head)
        self.handle.seek(entry.offset + _LOCAL.size + local[9] + local[10])
        data = self.handle.read(entry.compressed)
        if len(data) < entry.compressed:
            raise EntryError("cut short")
        if entry.method == _DEFLATED:
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                data = inflater.decompress(data, limit + 1)
            except zlib.error as error:
                raise EntryError(f"damaged ({error})") from None
            if len(data) > limit:
                raise EntryError(f"larger than {limit:,} bytes")
        if len(data) != entry.size or zlib.crc32(data) != entry.crc:
            raise EntryError("damaged (checksum or size does not match)")
        return data

    def close(self) -> None:
        self.handle.close()


def _zip64(extra: bytes, size: int, compressed: int, offset: int) -> tuple[int, int, int]:
    """The sizes and offset a record keeps in its ZIP64 extra field (only those its fixed part marks 0xFFFFFFFF)."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, at)
        if kind == _ZIP64_EXTRA:
            values = iter(struct.unpack_from(f"<{length // 8}Q", extra, at + 4))
            try:
                if size == 0xFFFFFFFF:
                    size = next(values)
                if compressed == 0xFFFFFFFF:
                    compressed = next(values)
                if offset == 0xFFFFFFFF:
                    offset = next(values)
            except StopIteration:
                raise NotAnArchive("damaged ZIP64 extra field") from None
            return size, compressed, offset
        at += 4 + length
    raise NotAnArchive("ZIP64 sizes missing")
