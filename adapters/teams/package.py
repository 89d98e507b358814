"""``kbbot teams package``: the Teams app package (.zip) an admin uploads.

The manifest in this folder is a template: the app's ids are placeholders
that :func:`build` replaces with the configured Microsoft app id, so the
uploaded app and the bot registration always agree. The zip holds exactly
what Teams expects at its root: ``manifest.json`` and the two icons.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import kbbot
from kbbot.contract.problems import CommandError

from kbbot_adapters.teams import auth
from kbbot_adapters.teams.settings import TeamsSettings

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.json"
ICONS = ("color.png", "outline.png")
DEFAULT_OUTPUT = Path("kbbot-teams-app.zip")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def _teams(settings: object) -> TeamsSettings:
    """The adapter's settings: given, or read from the environment (the CLI hands over the core's)."""
    return settings if isinstance(settings, TeamsSettings) else TeamsSettings()


def manifest(settings: object = None) -> dict[str, Any]:
    """The manifest with the configured app id (the bot's Microsoft app id) filled in.

    Without a valid app id it raises :class:`CommandError`: ``kbbot teams package`` then says what to set.
    """
    app_id = auth.app_id(_teams(settings))
    if not app_id:
        raise CommandError("set KBBOT_TEAMS_APP_ID to the bot's Microsoft app id (a GUID) to build the Teams package")
    if not _GUID.match(app_id):
        raise CommandError(f"KBBOT_TEAMS_APP_ID={app_id!r} is not a GUID: set it to the bot's Microsoft app id "
                           "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) to build the Teams package")
    document: dict[str, Any] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    document["id"] = app_id
    document["version"] = kbbot.__version__
    document["webApplicationInfo"]["id"] = app_id
    document["webApplicationInfo"]["resource"] = f"api://botid-{app_id}"
    for bot in document["bots"]:
        bot["botId"] = app_id
    for extension in document.get("composeExtensions", []):
        extension["botId"] = app_id  # "Save to kbbot" is served by the same bot
    return document


def build(settings: object = None, output: Path | None = None) -> Path:
    """Write the package to ``output`` (default ``./kbbot-teams-app.zip``) and return its path.

    The zip is built beside ``output`` and renamed over it when complete, so a
    failure half-way never leaves a broken package to be uploaded.
    """
    document = manifest(settings)
    path = output or DEFAULT_OUTPUT
    if path.is_dir():
        raise CommandError(f"cannot write {path}: it is a folder; name a .zip file in it", exit_code=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(document, indent=2, ensure_ascii=False) + "\n")
            for icon in ICONS:
                archive.write(HERE / icon, icon)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
