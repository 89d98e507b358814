"""The Teams app package: a manifest Teams accepts, with the configured ids and two valid icons."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from kbbot_adapters.teams.settings import TeamsSettings
from kbbot_adapters.teams import package

APP_ID = "b0b0b0b0-0000-4000-8000-000000000001"


def _settings(**values: str) -> TeamsSettings:
    return TeamsSettings(_env_file=None, **values)  # type: ignore[call-arg]


def _png(data: bytes) -> tuple[int, int, list[tuple[int, int, int, int]]]:
    """Width, height and RGBA pixels of an unfiltered 8-bit RGBA PNG (what icons.py writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks = 8, {}
    idat = b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind = data[offset + 4:offset + 8]
        body = data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, kind
        chunks[kind] = body
        idat += body if kind == b"IDAT" else b""
        offset += 12 + length
    width, height, depth, colour, _, _, _ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour) == (8, 6)
    raw = zlib.decompress(idat)
    stride = width * 4 + 1
    pixels = []
    for y in range(height):
        row = raw[y * stride:(y + 1) * stride]
        assert row[0] == 0
        pixels.extend(tuple(row[1 + x * 4:5 + x * 4]) for x in range(width))  # type: ignore[misc]
    return width, height, pixels


def test_the_package_holds_the_manifest_with_the_configured_ids_and_both_icons(tmp_path: Path) -> None:
    path = package.build(_settings(app_id=APP_ID, app_password="secret"), tmp_path / "app.zip")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = _png(archive.read("color.png"))
        outline = _png(archive.read("outline.png"))

    assert manifest["manifestVersion"] == "1.29" and manifest["$schema"].endswith("/v1.29/MicrosoftTeams.schema.json")
    assert manifest["id"] == APP_ID and manifest["webApplicationInfo"]["id"] == APP_ID
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    by_scope = {tuple(lst["scopes"]): [c["title"] for c in lst["commands"]] for lst in bot["commandLists"]}
    for scope in (("personal",), ("team",), ("groupChat",)):
        assert {"ask", "search", "experts", "help"} <= set(by_scope[scope])
    for command_list in bot["commandLists"]:
        assert len(command_list["commands"]) <= 10
        for command in command_list["commands"]:
            assert len(command["title"]) <= 32 and len(command["description"]) <= 128
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    # Replies in a channel's reply chain reach the bot without an @mention only with this permission.
    names = {p["name"] for p in manifest["authorization"]["permissions"]["resourceSpecific"]}
    assert "ChannelMessage.Read.Group" in names

    assert color[:2] == (192, 192) and all(alpha == 255 for *_, alpha in color[2])
    assert outline[:2] == (32, 32)
    assert set(outline[2]) == {(255, 255, 255, 255), (0, 0, 0, 0)}  # white on transparent only


def test_a_managed_identity_app_is_packaged_with_its_client_id(tmp_path: Path) -> None:
    path = package.build(_settings(managed_identity_client_id=APP_ID, tenant_id="t"), tmp_path / "m.zip")
    with zipfile.ZipFile(path) as archive:
        assert json.loads(archive.read("manifest.json"))["bots"][0]["botId"] == APP_ID


@pytest.mark.parametrize("app_id", [None, "not-a-guid"])
def test_no_package_without_a_valid_app_id(tmp_path: Path, app_id: str | None) -> None:
    with pytest.raises(ValueError, match="KBBOT_TEAMS_APP_ID"):
        package.build(_settings(**({"app_id": app_id} if app_id else {})), tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()
