"""Slack workspace exports built in tests, shaped as Slack documents them ("How to read Slack data exports").

``users.json``, ``channels.json`` (public), ``groups.json`` (private),
``mpims.json`` (group DMs), ``dms.json`` (DMs) at the top of the ZIP; one
folder per conversation (its name; the id for DMs) with one ``YYYY-MM-DD.json``
per day holding that day's messages as the Web API returns them (``ts``,
``thread_ts``, ``reply_count``, ``replies``, ``reactions``, ``edited``,
``files``, ``user_profile``, ``subtype``). A message lands in the day of its
own ``ts`` (UTC), so a late reply sits in a later day's file than its thread.
"""

from __future__ import annotations

import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC).timestamp()


def ts(minutes: float) -> str:
    """A Slack ``ts`` this many minutes after 1 March 2024 09:00 UTC (seconds.microseconds, as Slack writes it)."""
    return f"{T0 + minutes * 60:.6f}"


@dataclass
class SlackExport:
    team: str = "T0ACME"
    users: list[dict[str, Any]] = field(default_factory=list)
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    days: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    raw: dict[str, bytes] = field(default_factory=dict)

    def user(self, uid: str, name: str, *, deleted: bool = False, is_bot: bool = False, locale: str | None = None,
             tz: str = "Europe/Amsterdam") -> None:
        entry: dict[str, Any] = {
            "id": uid, "team_id": self.team, "name": name.lower(), "deleted": deleted, "color": "9f69e7",
            "real_name": name, "tz": tz, "tz_label": "Central European Time", "tz_offset": 3600,
            "profile": {"title": "", "phone": "", "skype": "", "real_name": name, "real_name_normalized": name,
                        "display_name": name, "display_name_normalized": name, "status_text": "",
                        "status_emoji": "", "avatar_hash": "g0123456789a", "first_name": name, "last_name": "",
                        "team": self.team},
            "is_admin": False, "is_owner": False, "is_primary_owner": False, "is_restricted": False,
            "is_ultra_restricted": False, "is_bot": is_bot, "is_app_user": False, "updated": 1700000000,
        }
        if locale:
            entry["locale"] = locale
        self.users.append(entry)

    def conversation(self, kind: str, cid: str, name: str | None, members: list[str]) -> None:
        """``kind``: channels, groups, mpims or dms (the list file it goes into)."""
        entry: dict[str, Any] = {"id": cid, "created": int(T0) - 86400, "members": members}
        if kind == "dms":
            entry["user"] = members[0]
        else:
            entry.update({"name": name, "creator": members[0], "is_archived": False,
                          "is_general": name == "general", "pins": [],
                          "topic": {"value": "", "creator": "", "last_set": 0},
                          "purpose": {"value": "", "creator": "", "last_set": 0}})
        self.lists[f"{kind}.json"].append(entry)

    def _profile(self, uid: str) -> dict[str, Any]:
        user = next((u for u in self.users if u["id"] == uid), None)
        name = user["real_name"] if user else uid
        return {"avatar_hash": "g0123456789a", "image_72": "https://a.slack-edge.com/72.png", "first_name": name,
                "real_name": name, "display_name": name, "team": self.team, "name": name.lower(),
                "is_restricted": False, "is_ultra_restricted": False}

    def message(self, folder: str, at: str, user: str | None, text: str, *, subtype: str | None = None,
                thread_ts: str | None = None, reactions: list[tuple[str, list[str]]] | None = None,
                edited: str | None = None, files: int = 0, bot_id: str | None = None) -> dict[str, Any]:
        message: dict[str, Any] = {"type": "message", "text": text, "ts": at}
        if subtype:
            message["subtype"] = subtype
        if user:
            message["user"] = user
        if bot_id:
            message.update({"bot_id": bot_id, "username": "deploybot",
                            "icons": {"image_48": "https://a.slack-edge.com/48.png"}})
        if user and subtype is None:
            message.update({"client_msg_id": f"{abs(hash((folder, at))):032x}"[:32], "team": self.team,
                            "user_team": self.team, "source_team": self.team, "user_profile": self._profile(user),
                            "blocks": [{"type": "rich_text", "block_id": "b1", "elements": [
                                {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}]})
        if thread_ts:
            message["thread_ts"] = thread_ts
            if thread_ts != at:
                message["parent_user_id"] = "?"
        if reactions:
            message["reactions"] = [{"name": name, "users": users, "count": len(users)} for name, users in reactions]
        if edited:
            message["edited"] = {"user": user, "ts": edited}
        if files:
            message["files"] = [{"id": f"F{n:08d}", "created": int(float(at)), "name": f"screenshot{n}.png",
                                 "title": f"screenshot{n}.png", "mimetype": "image/png", "filetype": "png",
                                 "user": user, "size": 12345, "mode": "hosted", "is_external": False,
                                 "url_private": f"https://files.slack.com/files-pri/{self.team}-F{n}/s.png"}
                                for n in range(files)]
        day = datetime.fromtimestamp(float(at), UTC).date().isoformat()
        self.days[f"{folder}/{day}.json"].append(message)
        return message

    def thread(self, folder: str, at: str, user: str | None, text: str,
               replies: list[tuple[str, str | None, str, dict[str, Any]]], **extra: Any) -> dict[str, Any]:
        """A message with its replies: the parent carries ``reply_count``, ``replies`` and ``latest_reply``."""
        parent = self.message(folder, at, user, text, thread_ts=at, **extra)
        parent.update({"reply_count": len(replies), "reply_users_count": len({r[1] for r in replies}),
                       "latest_reply": max(r[0] for r in replies), "reply_users": sorted({r[1] or "" for r in replies}),
                       "replies": [{"user": r[1], "ts": r[0]} for r in replies], "is_locked": False,
                       "subscribed": False})
        for reply_ts, reply_user, reply_text, options in replies:
            reply = self.message(folder, reply_ts, reply_user, reply_text, thread_ts=at, **options)
            reply["parent_user_id"] = user
        return parent

    def write(self, path: Path) -> Path:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("users.json", json.dumps(self.users, indent=4))
            for name in ("channels.json", "groups.json", "mpims.json", "dms.json"):
                archive.writestr(name, json.dumps(self.lists.get(name, []), indent=4))
            archive.writestr("integration_logs.json", json.dumps({"logs": []}))
            for name, messages in sorted(self.days.items()):
                if name not in self.raw:
                    archive.writestr(name, json.dumps(sorted(messages, key=lambda m: float(m["ts"])), indent=4))
            for name, data in self.raw.items():
                archive.writestr(name, data)
        return path
