"""The export's ZIP read entry by entry (adapters/slack/archive.py), as Python's zipfile reads it, without its cost.

A large workspace's export has hundreds of thousands of day files; the import walks the
archive's directory record by record rather than holding a ``ZipInfo`` per file. These hold
that reader to what ``zipfile`` (the reference) reads, on the archives exports come as:
deflated or stored, ZIP64 (more than 65,535 files), with bytes before the archive, and with
entries that are damaged, encrypted or inflate beyond what is read.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from kbbot.contract.history import HistoryOptions, Thread, Unreadable
from kbbot_adapters.slack.archive import Archive, EntryError, NotAnArchive
from kbbot_adapters.slack.export import read
from slack_support.export_builder import SlackExport, ts


def small_export() -> SlackExport:
    export = SlackExport()
    for uid, name in (("U1", "Ann"), ("U2", "Bob")):
        export.user(uid, name)
    export.conversation("channels", "C1", "général", ["U1", "U2"])  # a name that needs UTF-8 in the archive
    export.thread("général", ts(0), "U1", "How do we restart the queue workers?", [
        (ts(5), "U2", "kubectl rollout restart deploy/workers", {})])
    return export


def same_as_zipfile(path: Path) -> None:
    with zipfile.ZipFile(path) as reference:
        archive = Archive(str(path))
        try:
            entries = list(archive.entries())
            assert [e.name for e in entries] == reference.namelist()
            for entry in entries:
                assert entry.position == archive.entry_at(entry.position).position
                assert archive.read(archive.entry_at(entry.position), 1 << 20) == reference.read(entry.name)
        finally:
            archive.close()


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_entries_and_their_bytes_are_what_zipfile_reads(tmp_path: Path, method: int) -> None:
    path = small_export().write(tmp_path / "e.zip")
    again = tmp_path / "again.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(again, "w", method) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
    same_as_zipfile(again)


def test_an_archive_after_other_bytes_is_read(tmp_path: Path) -> None:
    path = small_export().write(tmp_path / "e.zip")
    prefixed = tmp_path / "prefixed.zip"
    prefixed.write_bytes(b"#!/bin/sh\necho self-extracting\n" * 10 + path.read_bytes())
    same_as_zipfile(prefixed)
    threads = [t for t in read(str(prefixed), HistoryOptions()).items if isinstance(t, Thread)]
    assert [t.start.text for t in threads] == ["How do we restart the queue workers?"]


def test_a_zip64_export_with_more_than_65535_files_is_read(tmp_path: Path) -> None:
    path = small_export().write(tmp_path / "e.zip")
    with zipfile.ZipFile(path, "a") as archive:
        for n in range(65_536):  # files Slack exports hold too (canvases, attachments): not day files, ignored
            archive.writestr(f"attachments/{n}.txt", b"")
    with zipfile.ZipFile(path) as reference:
        assert len(reference.infolist()) > 0xFFFF
        files = len(reference.infolist())
    archive = Archive(str(path))
    assert archive.count == files
    archive.close()
    threads = [t for t in read(str(path), HistoryOptions()).items if isinstance(t, Thread)]
    assert [t.replies[0].text for t in threads] == ["kubectl rollout restart deploy/workers"]


def test_an_entry_with_a_zip64_extra_field_is_read(tmp_path: Path) -> None:
    path = tmp_path / "e.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("users.json", "w", force_zip64=True) as handle:
            handle.write(b"[]")
    same_as_zipfile(path)


def test_an_entry_that_inflates_past_the_limit_is_refused_not_inflated(tmp_path: Path) -> None:
    path = tmp_path / "e.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.json", b" " * 5_000_000)
    data = bytearray(path.read_bytes())
    # Make the directory claim a small size, as a crafted archive would.
    at = data.rfind(struct.pack("<I", 0x02014B50))
    struct.pack_into("<I", data, at + 24, 10)
    path.write_bytes(bytes(data))
    archive = Archive(str(path))
    (entry,) = archive.entries()
    with pytest.raises(EntryError, match="larger than"):
        archive.read(entry, 1_000)
    archive.close()


def test_an_encrypted_day_file_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    export = small_export()
    export.message("général", ts(60 * 24), "U1", "next day")
    path = export.write(tmp_path / "e.zip")
    data = bytearray(path.read_bytes())
    # Set the encryption bit in the file's central directory record.
    archive = Archive(str(path))
    position = next(e.position for e in archive.entries() if e.name == "général/2024-03-02.json")
    archive.close()
    flags = struct.unpack_from("<H", data, position + 8)[0]
    struct.pack_into("<H", data, position + 8, flags | 0x1)
    path.write_bytes(bytes(data))
    found = list(read(str(path), HistoryOptions()).items)
    assert any(isinstance(u, Unreadable) and u.reason == "unreadable" and u.source == "général/2024-03-02.json"
               and "encrypted" in u.detail for u in found)
    assert [t.start.text for t in found if isinstance(t, Thread)] == ["How do we restart the queue workers?"]


def test_what_is_not_an_archive_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.zip"
    text.write_text("these are my notes")
    with pytest.raises(NotAnArchive):
        Archive(str(text))
    path = small_export().write(tmp_path / "e.zip")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(path.read_bytes()[:-30])  # the end record half gone
    with pytest.raises(NotAnArchive):
        Archive(str(cut))
