"""What an operator sees when a ``kbbot`` command cannot do what was asked: one line saying why, never a traceback.

Each test runs the command line's own entry point (``kbbot.cli.main``) on a
database of each backend; a traceback would be an exception escaping
``main`` and fail the test by itself. ``tests/console/test_cli.py`` runs
the installed command for the same promise end to end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kbbot import cli
from kbbot.config import Settings
from kbbot.store.db import unit_of_work
from kbbot.store.models import Person, Workspace


def kbbot(db_url: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``kbbot --database-url db_url *args``; its exit code, standard output and standard error."""
    code = cli.main(["--database-url", db_url, *args],
                    settings_factory=lambda **values: Settings(_env_file=None, **values))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("kbbot: "), err
    return lines[0]


def usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The error line argparse prints for ``args`` (after its usage line), checking it exits with 2."""
    with pytest.raises(SystemExit) as exited:
        cli.main(list(args))
    assert exited.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.fixture
def asked(chat) -> None:  # type: ignore[no-untyped-def]
    """One question in the console's workspace (id ``local``, called "Local console")."""
    chat("/ask How do I get access to the staging VPN? #vpn")


@pytest.mark.parametrize("command", [["export"], ["report", "adoption"]])
def test_an_unknown_workspace_is_named_with_the_known_ones(db_url: str, capsys: pytest.CaptureFixture[str],
                                                           asked: None, command: list[str]) -> None:
    code, out, err = kbbot(db_url, capsys, *command, "--workspace", "nosuch")
    assert code != 0
    line = one_line(err)
    assert "unknown workspace: nosuch" in line and "local (Local console)" in line
    assert out == ""  # no table of zeros, no empty export


def test_a_workspace_is_found_by_id_or_by_name(db_url: str, capsys: pytest.CaptureFixture[str], asked: None) -> None:
    for workspace in ("local", "Local console"):
        code, out, err = kbbot(db_url, capsys, "export", "--workspace", workspace)
        assert code == 0 and err == ""
        assert "staging VPN" in out


def test_without_any_workspace_the_message_says_so(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = kbbot(db_url, capsys, "export", "--workspace", "nosuch")
    assert code != 0
    assert "unknown workspace: nosuch" in one_line(err) and "no workspace yet" in err


@pytest.mark.parametrize("command", [["export", "--format", "json"], ["report", "adoption"]])
@pytest.mark.parametrize("target", ["missing/out.file", "."])
def test_an_output_that_cannot_be_written_is_one_line_and_nothing_is_left(
        db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, asked: None, command: list[str],
        target: str) -> None:
    before = sorted(tmp_path.rglob("*"))
    output = tmp_path / target
    code, out, err = kbbot(db_url, capsys, *command, "--output", str(output))
    assert code != 0
    assert str(output) in one_line(err)
    assert out == ""
    assert sorted(tmp_path.rglob("*")) == before  # nothing half-written, no temporary file left behind


@pytest.mark.parametrize("command", [["export", "--format", "markdown"], ["report", "adoption"]])
def test_an_output_is_written_whole(db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, asked: None,
                                    command: list[str]) -> None:
    output = tmp_path / "out.file"
    output.write_text("an older export", encoding="utf-8")
    code, out, err = kbbot(db_url, capsys, *command, "--output", str(output))
    assert code == 0 and err == ""
    assert f"to {output}" in out
    assert "older" not in output.read_text(encoding="utf-8")
    assert [path.name for path in tmp_path.iterdir() if path.name.startswith(("out.file", ".out.file"))] == ["out.file"]


@pytest.mark.parametrize("weeks", ["0", "105", "100000", "-3"])
def test_weeks_out_of_range_say_the_range(capsys: pytest.CaptureFixture[str], weeks: str) -> None:
    line = usage_error(capsys, "report", "adoption", "--weeks", weeks)
    assert "must be between 1 and 104" in line
    assert "1, 2, 3" not in line


def test_weeks_that_are_not_a_number_say_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert "a whole number between 1 and 104" in usage_error(capsys, "report", "adoption", "--weeks", "many")


def test_an_unknown_person_is_one_line_on_stderr(db_url: str, capsys: pytest.CaptureFixture[str], asked: None) -> None:
    code, out, err = kbbot(db_url, capsys, "digest", "preview", "--person", "nosuch")
    assert code != 0 and out == ""
    assert "nosuch" in one_line(err)


def test_a_person_in_two_workspaces_is_one_line_naming_both(db_url: str, capsys: pytest.CaptureFixture[str],
                                                             sessions: sessionmaker[Session], asked: None) -> None:
    """Alice uses kbbot in a second workspace under the same user id: the preview asks which Alice."""
    now = datetime.now(UTC)
    with unit_of_work(sessions) as session:
        other = Workspace(platform="elsewhere", external_id="T2", name="Other", settings={}, created_at=now)
        session.add(other)
        session.flush()
        session.add(Person(workspace_id=other.id, external_id="alice", display_name="Alice", created_at=now))
    code, out, err = kbbot(db_url, capsys, "digest", "preview", "--person", "alice")
    assert code != 0 and out == ""
    line = one_line(err)
    assert "alice matches several people" in line and "local" in line and "elsewhere T2" in line


@pytest.mark.parametrize(("week", "says"), [("2026-W60", "2026 has weeks 1 to 53"),
                                            ("2025-W53", "2025 has weeks 1 to 52"),
                                            ("next week", "expected YYYY-Www")])
def test_a_week_that_does_not_exist_says_why(capsys: pytest.CaptureFixture[str], week: str, says: str) -> None:
    line = usage_error(capsys, "digest", "preview", "--person", "alice", "--week", week)
    assert "argument --week" in line and says in line


def test_an_unknown_migration_is_one_line(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = kbbot(db_url, capsys, "db", "upgrade", "nosuchrevision")
    assert code != 0
    assert "nosuchrevision" in one_line(err)


@pytest.mark.parametrize("url", ["not a url", "mysql://db.example/kbbot"])
@pytest.mark.parametrize("command", [["status"], ["db", "upgrade"]])
def test_a_database_url_kbbot_cannot_use_is_one_line(capsys: pytest.CaptureFixture[str], url: str,
                                                     command: list[str]) -> None:
    code, _, err = kbbot(url, capsys, *command)
    assert code == 3
    assert "database" in one_line(err)


def test_a_setting_that_is_not_valid_is_named(db_url: str, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBBOT_PORT", "eighty")
    code, _, err = kbbot(db_url, capsys, "status")
    assert code != 0
    line = one_line(err)
    assert "KBBOT_PORT" in line and "eighty" in line


@pytest.mark.parametrize(("app_id", "says"), [(None, "set KBBOT_TEAMS_APP_ID"),
                                              ("my-bot", "KBBOT_TEAMS_APP_ID='my-bot' is not a GUID")])
def test_a_teams_package_without_a_valid_app_id_says_what_to_set(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_id: str | None,
        says: str) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in ("KBBOT_TEAMS_APP_ID", "KBBOT_TEAMS_MANAGED_IDENTITY_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    if app_id:
        monkeypatch.setenv("KBBOT_TEAMS_APP_ID", app_id)
    code, _, err = kbbot("sqlite://", capsys, "teams", "package", "-o", "x.zip")
    assert code != 0
    assert says in one_line(err)
    assert list(tmp_path.iterdir()) == []


def test_a_teams_package_into_a_folder_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KBBOT_TEAMS_APP_ID", "00000000-0000-0000-0000-000000000001")
    (tmp_path / "out").mkdir()
    code, _, err = kbbot("sqlite://", capsys, "teams", "package", "-o", "out")
    assert code != 0
    assert "out: it is a folder" in one_line(err)
    assert list((tmp_path / "out").iterdir()) == []
