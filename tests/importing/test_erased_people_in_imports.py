"""Someone erased from kbbot stays erased when an old export is imported again.

Ann's team imported its Slack export. Carla asked a question there, answered one and reacted to
answers; then she asked kbbot to forget her. Months later the operator imports the same export
again, and then a newer one that overlaps it: both still list Carla in users.json, carry her
messages and her 👍s, and the newer one has a question she asked and a colleague's note that
mentions her. kbbot must not create her again, nor name her anywhere, nor count her reactions;
her knowledge reads as a former colleague's (or is left out, where the workspace deletes an
erased person's knowledge), and the operator's summary counts her without naming her.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from privacy_support import traces
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from kbbot import cli
from kbbot.config import Settings
from kbbot.store.db import unit_of_work
from kbbot.store.models import Person
from slack_support.acme_export import ask_kbbot, build, run_import
from slack_support.export_builder import SlackExport, ts

CARLA = ("U0CAR", "Carla")


def later() -> SlackExport:
    """The export taken a month later: the rotate thread grew by Dan's note naming Carla, and Carla asked again."""
    export = build()
    parent = next(m for m in export.days["general/2024-03-01.json"] if m["ts"] == ts(5))
    export.message("general", ts(60 * 48), "U0DAN", "Note: <@U0CAR> put the billing-admin role in the runbook",
                   thread_ts=ts(5))
    parent["reply_count"] += 1
    parent["latest_reply"] = ts(60 * 48)
    export.thread("general", ts(60 * 48 + 60), "U0CAR", "How do I renew the TLS certificate of the office VPN?", [
        (ts(60 * 48 + 65), "U0BOB", "Run certbot renew on vpn-gw-1 and reload openvpn",
         {"reactions": [("+1", ["U0CAR", "U0DAN"])]}),
    ])
    return export


def found(sessions: sessionmaker[Session], settings: Settings, who: str, query: str, needle: str) -> list[str]:
    """The search result holding ``needle``, as ``who`` sees it: its heading, detail and answer lines."""
    shown = json.loads(ask_kbbot(sessions, settings, who, "kb", f"search {query}"))
    items = [item for reply in shown for block in reply.get("blocks") or [] for item in block.get("items") or []]
    hits = [item for item in items if needle in json.dumps(item, ensure_ascii=False)]
    return [line for hit in hits for line in (hit["text"], hit.get("detail") or "", *(hit.get("lines") or []))]


def forget(settings: Settings, person: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--database-url", settings.database_url, "people", "forget", person, "--yes"],
                    settings_factory=lambda **kw: Settings(_env_file=None, **kw)) == 0
    capsys.readouterr()


def imported(db_url: str, path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert run_import(db_url, path) == 0
    return capsys.readouterr().out


def test_an_old_export_does_not_bring_back_someone_erased_and_her_knowledge_stays_a_former_colleagues(
        db_url: str, sessions: sessionmaker[Session], settings: Settings, engine: Engine, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    first = build().write(tmp_path / "first.zip")
    imported(db_url, first, capsys)
    assert traces(engine, *CARLA), "the import must have stored her to begin with"
    eve = next(line for line in found(sessions, settings, "U0DAN", "rotate postgres credentials", "rotate")
               if "DBA team" in line)
    assert "👍 3" in eve  # Dan, Carla and Bob

    forget(settings, "U0CAR", capsys)
    assert traces(engine, *CARLA) == []

    out = imported(db_url, first, capsys)
    assert "People: 0 new" in out, out
    assert "Erased people: 1 in the export, not created again; 0 of their messages imported as a former " \
           "colleague's; 0 of their reactions not counted." in out, out
    assert "Carla" not in out and "U0CAR" not in out
    assert traces(engine, *CARLA) == []

    out = imported(db_url, later().write(tmp_path / "later.zip"), capsys)
    assert "Questions created: 1; answers created: 2 (1 accepted); votes from reactions: 1." in out, out
    assert "Erased people: 1 in the export, not created again; 1 of their messages imported as a former " \
           "colleague's; 2 of their reactions not counted." in out, out
    assert "Carla" not in out and "U0CAR" not in out
    assert traces(engine, *CARLA) == []

    rotate = found(sessions, settings, "U0DAN", "rotate postgres credentials", "rotate")
    assert any("a former colleague" in line and "rotation date in the runbook" in line for line in rotate), rotate
    assert any("@a former colleague put the billing-admin role" in line for line in rotate), rotate
    assert "👍 3" in next(line for line in rotate if "DBA team" in line), rotate  # her old vote, anonymous; no new one
    vpn = found(sessions, settings, "U0DAN", "renew TLS certificate VPN", "certbot")
    assert any("a former colleague" in line for line in vpn), vpn
    assert "👍 1" in next(line for line in vpn if "certbot" in line), vpn  # Dan's; hers is not a vote
    assert "kluis Productie" in "".join(found(sessions, settings, "U0ANN", "sleutel productie vault", "sleutel"))
    with unit_of_work(sessions) as session:
        assert session.scalar(select(Person).where(Person.external_id == "U0CAR")) is None


def test_where_the_workspace_deletes_an_erased_persons_knowledge_an_import_leaves_hers_out(
        db_url: str, sessions: sessionmaker[Session], settings: Settings, engine: Engine, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    first = build().write(tmp_path / "first.zip")
    imported(db_url, first, capsys)
    admin = settings.model_copy(update={"admins": "U0ANN"})
    assert "erasure is now delete" in ask_kbbot(sessions, admin, "U0ANN", "kb", "admin set erasure delete")
    forget(settings, "U0CAR", capsys)

    imported(db_url, first, capsys)
    out = imported(db_url, later().write(tmp_path / "later.zip"), capsys)
    assert "Questions created: 0; answers created: 1 (0 accepted); votes from reactions: 0." in out, out
    assert "by erased people (the workspace deletes an erased person's knowledge)" in out, out
    assert "Erased people: 1 in the export, not created again; 0 of their messages imported" in out, out
    assert "Carla" not in out and "U0CAR" not in out
    assert traces(engine, *CARLA) == []

    rotate = found(sessions, settings, "U0DAN", "rotate postgres credentials", "rotate")
    assert not any("rotation date in the runbook" in line for line in rotate), rotate
    assert any("@a former colleague put the billing-admin role" in line for line in rotate), rotate
    assert found(sessions, settings, "U0DAN", "renew TLS certificate VPN", "certbot") == []
    assert "kluis Productie" not in ask_kbbot(sessions, settings, "U0ANN", "kb", "search sleutel productie vault")


def test_someone_erased_who_uses_kbbot_again_is_a_new_person_whom_imports_of_history_do_not_touch(
        db_url: str, sessions: sessionmaker[Session], settings: Settings, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    imported(db_url, build().write(tmp_path / "first.zip"), capsys)
    forget(settings, "U0CAR", capsys)
    ask_kbbot(sessions, settings, "U0CAR", "kb", "search vault")  # she rejoined and uses kbbot live

    out = imported(db_url, later().write(tmp_path / "later.zip"), capsys)
    assert "Erased people: 1 in the export" in out, out
    with unit_of_work(sessions) as session:
        again = session.scalars(select(Person).where(Person.external_id == "U0CAR")).one()
        assert again.display_name is None  # not renamed "Carla" from the old users.json
    vpn = found(sessions, settings, "U0DAN", "renew TLS certificate VPN", "certbot")
    assert any("a former colleague" in line for line in vpn), vpn
