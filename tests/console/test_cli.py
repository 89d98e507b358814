"""The installed ``kbbot`` command, run as a newcomer would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

KBBOT = str(Path(sys.executable).with_name("kbbot"))

SCRIPT = """\
/ask How do I get access to the staging VPN? #vpn
:as bob nl
:reply 1 Vraag het aan via de IT-portal, formulier 'VPN staging'.
:as alice
:react 2 ✅
:as mallory
/ask --anon Do we really have to use the VPN for Jira? #vpn
:as bob nl
/kb help
/kb zoek vpn
:quit
/ask this line is never read
"""


def run(tmp_path: Path, *args: str, stdin: str = "", url: str | None = None,
        **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KBBOT_")}
    env["KBBOT_DATABASE_URL"] = url or f"sqlite:///{tmp_path / 'kbbot.db'}"
    env.update(extra_env)
    return subprocess.run([KBBOT, *args], input=stdin, capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=120)


def test_console_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    result = run(tmp_path, "console")
    assert result.returncode == 3
    assert "Run: kbbot db upgrade" in result.stderr


def test_a_scripted_console_conversation_then_exports(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    result = run(tmp_path, "console", stdin=SCRIPT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "alice in #general> /ask How do I get access to the staging VPN? #vpn" in out  # script lines echoed
    assert "Alice accepted the answer by Bob" in out
    assert "Wat kbbot kan" in out  # Bob's platform language is Dutch
    assert "never read" not in out

    exported = run(tmp_path, "export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    questions = json.loads(exported.stdout)["questions"]
    assert [q["status"] for q in questions] == ["accepted", "open"]
    assert questions[0]["answers"][0]["author"] == "Bob" and questions[0]["answers"][0]["accepted"]
    assert questions[1]["asker"] is None and questions[1]["anonymous"]
    assert "mallory" not in exported.stdout.lower()

    markdown = run(tmp_path, "export", "--format", "markdown", "--output", "kb.md")
    assert markdown.returncode == 0
    document = (tmp_path / "kb.md").read_text(encoding="utf-8")
    assert document.startswith("# kbbot knowledge export")
    assert "Asked by anonymous" in document and "mallory" not in document.lower()
    assert "✅ accepted" in document


def test_serve_without_credentials_says_how_to_configure(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    result = run(tmp_path, "serve")
    assert result.returncode == 2
    assert "KBBOT_SLACK_BOT_TOKEN" in result.stdout and "KBBOT_TEAMS_APP_ID" in result.stdout
    assert "kbbot console" in result.stdout


def test_a_database_that_is_down_is_reported_not_hidden(tmp_path: Path) -> None:
    result = run(tmp_path, "console", url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert result.returncode == 3
    assert "cannot use the database" in result.stderr


@pytest.mark.parametrize("args", [["export", "--format", "pdf"], ["frobnicate"]])
def test_bad_arguments_get_usage(tmp_path: Path, args: list[str]) -> None:
    result = run(tmp_path, *args)
    assert result.returncode == 2 and "usage: kbbot" in result.stderr


@pytest.mark.parametrize("args", [["teams", "package", "-o", "x.zip"],
                                  ["export", "--format", "json", "-o", "/nonexistent/x.json"],
                                  ["report", "adoption", "-o", "/nonexistent/r.html"]])
def test_a_command_that_cannot_run_says_why_in_one_line(tmp_path: Path, args: list[str]) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    result = run(tmp_path, *args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("kbbot: "), result.stderr
    assert not (tmp_path / "x.zip").exists()


def fake_sentence_transformers(folder: Path, body: str) -> str:
    """A ``sentence_transformers`` package that behaves as ``body`` says, found before any installed one."""
    package = folder / "sentence_transformers"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(body, encoding="utf-8")
    return os.pathsep.join([str(folder), *filter(None, [os.environ.get("PYTHONPATH")])])


NOT_INSTALLED = 'raise ModuleNotFoundError("No module named \'sentence_transformers\'")\n'
NO_SUCH_MODEL = """\
class SentenceTransformer:
    def __init__(self, name, **options):
        assert options.get("local_files_only"), "kbbot must never download a model"
        raise OSError(f"We couldn't connect to 'https://huggingface.co' to load the files, and couldn't find them\\n"
                      f"in the cached files. Check your internet connection or see how to run the library in\\n"
                      f"offline mode at 'https://huggingface.co/docs/transformers/installation#offline-mode'.")
"""


@pytest.mark.parametrize(("body", "says"), [
    (NOT_INSTALLED, "KBBOT_SEMANTIC_MODEL is set but the [semantic] extra is not installed: search stays lexical"),
    (NO_SUCH_MODEL, "KBBOT_SEMANTIC_MODEL=no-such/model is not on this machine"),
])
def test_a_semantic_model_that_cannot_be_used_is_announced_at_start(tmp_path: Path, body: str, says: str) -> None:
    pythonpath = fake_sentence_transformers(tmp_path / "site", body)
    assert run(tmp_path, "db", "upgrade").returncode == 0
    result = run(tmp_path, "console", stdin="/ask How do I get access to the staging VPN?\n:quit\n",
                 KBBOT_SEMANTIC_MODEL="no-such/model", PYTHONPATH=pythonpath)
    assert result.returncode == 0, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert says in result.stderr and "search stays lexical" in result.stderr
    assert "staging VPN" in result.stdout  # kbbot runs on, lexically

    # Commands that never search do not load the model, so they have nothing to say about it.
    quiet = run(tmp_path, "export", KBBOT_SEMANTIC_MODEL="no-such/model", PYTHONPATH=pythonpath)
    assert quiet.returncode == 0 and quiet.stderr == ""
