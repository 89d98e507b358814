"""Reading Slack's export file by file: what is damaged is reported where it is, and the rest is still read.

These read the export through the Slack adapter alone (adapters/slack/export.py), without a
database: grouping replies under their thread across day files, damaged members of the archive,
folders no list names, Enterprise Grid's ``org_users.json``, and the rules that pick the
accepted answer and the votes from reactions (kbbot/importing/threads.py).
"""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from kbbot.contract.history import HistoryOptions, Member, Reaction, Room, Said, Thread, Unreadable
from kbbot.contract.problems import CommandError
from kbbot.importing import threads as rules
from kbbot_adapters.slack.export import read
from slack_support.export_builder import SlackExport, ts


def small_export() -> SlackExport:
    export = SlackExport()
    for uid, name in (("U1", "Ann"), ("U2", "Bob"), ("U3", "Carla")):
        export.user(uid, name)
    export.conversation("channels", "C1", "general", ["U1", "U2", "U3"])
    export.conversation("channels", "C2", "random", ["U1", "U2"])
    export.thread("general", ts(0), "U1", "How do we restart the queue workers?", [
        (ts(5), "U2", "kubectl rollout restart deploy/workers", {"reactions": [("+1::skin-tone-3", ["U3"])]}),
        (ts(60 * 24 * 3), "U3", "There is a runbook for it now", {}),  # three days later, in another day's file
    ])
    export.message("general", ts(60 * 24 * 5), "U2", "a reply to a thread the export does not have",
                   thread_ts=ts(-60 * 24 * 30))
    for n in range(30):
        export.message("random", ts(n), "U1", f"message {n} of a busy day")
    return export


def items(path: Path, **options: object) -> list[object]:
    return list(read(str(path), HistoryOptions(**options)).items)  # type: ignore[arg-type]


def test_replies_in_later_day_files_join_their_thread(tmp_path: Path) -> None:
    found = items(small_export().write(tmp_path / "e.zip"))
    assert {m.id for m in found if isinstance(m, Member)} == {"U1", "U2", "U3"}
    assert [r.name for r in found if isinstance(r, Room)] == ["general", "random"]
    (thread,) = [t for t in found if isinstance(t, Thread)]
    assert thread.room == "C1" and [r.author for r in thread.replies] == ["U2", "U3"]
    assert thread.replies[0].reactions == (Reaction(emoji="👍", people=("U3",)),)
    orphan = [u for u in found if isinstance(u, Unreadable) and u.reason == "orphan_reply"]
    assert [u.source for u in orphan] == ["general/2024-03-06.json"]


def test_a_damaged_file_in_the_archive_is_reported_and_the_others_read(tmp_path: Path) -> None:
    path = small_export().write(tmp_path / "e.zip")
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("random/2024-03-01.json")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 5, start + info.compress_size - 5):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))
    found = items(path)
    problems = {(u.source, u.reason) for u in found if isinstance(u, Unreadable)}
    assert ("random/2024-03-01.json", "unreadable") in problems or ("random/2024-03-01.json", "not_json") in problems
    assert [t.start.text for t in found if isinstance(t, Thread)] == ["How do we restart the queue workers?"]


def test_folders_no_list_names_are_reported(tmp_path: Path) -> None:
    export = small_export()
    export.raw["mystery/2024-03-01.json"] = b"[]"
    found = items(export.write(tmp_path / "e.zip"))
    assert Unreadable("mystery/", "unknown_conversation", 1) in found


def test_enterprise_grid_exports_list_people_in_org_users(tmp_path: Path) -> None:
    path = small_export().write(tmp_path / "e.zip")
    grid = tmp_path / "grid.zip"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(grid, "w") as target:
        for info in source.infolist():
            name = "org_users.json" if info.filename == "users.json" else info.filename
            target.writestr(name, source.read(info))
    history = read(str(grid), HistoryOptions())
    assert history.workspace_id == "T0ACME"
    assert len([m for m in history.items if isinstance(m, Member)]) == 3


def test_an_export_whose_members_name_no_workspace_is_refused(tmp_path: Path) -> None:
    export = small_export()
    for user in export.users:
        del user["team_id"]
    with pytest.raises(CommandError, match="names no workspace"):
        read(str(export.write(tmp_path / "e.zip")), HistoryOptions())


def test_since_skips_earlier_days_without_reading_them(tmp_path: Path) -> None:
    found = items(small_export().write(tmp_path / "e.zip"), since=date(2024, 3, 2))
    assert not [t for t in found if isinstance(t, Thread)]
    assert any(isinstance(u, Unreadable) and u.reason == "before_since" for u in found)


def said(sid: str, author: str, *reactions: tuple[str, tuple[str, ...]]) -> Said:
    from datetime import UTC, datetime

    return Said(id=sid, author=author, text="x", at=datetime(2024, 3, 1, tzinfo=UTC),
                reactions=tuple(Reaction(emoji=e, people=p) for e, p in reactions))


def test_the_askers_check_mark_wins_over_the_crowd() -> None:
    answers = [said("1", "B", ("✅", ("A",))), said("2", "C", ("👍", ("D", "E", "F")))]
    assert rules.accepted_reply(answers, "A") is answers[0]


def test_the_most_approved_reply_is_accepted_only_when_it_is_clearly_ahead() -> None:
    assert rules.accepted_reply([said("1", "B", ("👍", ("D",))), said("2", "C", ("❤", ("E", "F")))], "A").id == "2"
    assert rules.accepted_reply([said("1", "B", ("👍", ("D",))), said("2", "C", ("🎉", ("E",)))], "A") is None
    assert rules.accepted_reply([said("1", "B", ("👎", ("D", "E")))], "A") is None
    assert rules.accepted_reply([said("1", "B", ("👍", ("B",)))], "A") is None  # one's own reaction counts for nothing


def test_votes_come_from_approving_reactions_of_others() -> None:
    reply = said("1", "B", ("👍", ("C", "B")), ("👀", ("D",)), ("✅", ("A",)), ("❤", ("C", "E")))
    assert rules.voters(reply, asker="A") == ["C", "E"]
    assert rules.voters(reply) == ["C", "A", "E"]
