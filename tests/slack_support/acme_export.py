"""Ann's team's Slack export, the story the import tests share, and how its people then use kbbot.

The export is built exactly as Slack documents it (:mod:`slack_support.export_builder`):
public and private channels, a group DM and a DM, threads with late replies in later day files,
reactions, edits, files, a deleted user, a bot, a join, a reply from someone the export does not
list and a damaged day file. ``run_import`` runs ``kbbot import slack`` as an operator would;
``ask_kbbot`` and ``react`` are people using kbbot afterwards, through the core as the adapters
deliver their commands and reactions.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from kbbot.cli import main
from kbbot.config import Settings
from kbbot.contract.events import Actor, CommandInvoked, Place, ReactionAdded, ReactionRemoved
from kbbot.pipeline import dispatch
from kbbot.store.db import unit_of_work
from slack_support.export_builder import SlackExport, ts

TEAM = "T0ACME"
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
_events = count()


def build() -> SlackExport:
    export = SlackExport(team=TEAM)
    export.user("U0ANN", "Ann", locale="en-US")
    export.user("U0BOB", "Bob")
    export.user("U0CAR", "Carla", locale="nl-NL")
    export.user("U0DAN", "Dan")
    export.user("U0EVE", "Eve", deleted=True)
    export.user("U0BOT", "Deploy Bot", is_bot=True)
    everyone = ["U0ANN", "U0BOB", "U0CAR", "U0DAN", "U0EVE"]
    export.conversation("channels", "C0GENERAL", "general", everyone)
    export.conversation("groups", "G0SECRET", "security", ["U0ANN", "U0CAR"])
    export.conversation("mpims", "G0MPIM", "mpdm-ann--bob-1", ["U0ANN", "U0BOB"])
    export.conversation("dms", "D0ANNBOB", None, ["U0ANN", "U0BOB"])

    export.message("general", ts(0), "U0DAN", "<@U0DAN> has joined the channel", subtype="channel_join")
    # A question in a public channel: Bob's answer (edited, with a file) gets Ann's ✅, Eve's gets more 👍s,
    # a bot chimes in, someone the export does not list replies, and Carla adds a reply the next day.
    export.thread("general", ts(5), "U0ANN", "How do I rotate the #postgres credentials for the billing service?", [
        (ts(10), "U0BOB", "Run the rotate-secrets job in Jenkins, then restart the billing pods",
         {"reactions": [("white_check_mark", ["U0ANN"]), ("+1", ["U0DAN"])], "edited": ts(12), "files": 1}),
        (ts(11), "U0EVE", "Ask the DBA team to do it with vault",
         {"reactions": [("+1", ["U0DAN", "U0CAR", "U0BOB"])]}),
        (ts(12), None, "Reminder: change freeze on Friday", {"subtype": "bot_message", "bot_id": "B0DEPLOY"}),
        (ts(13), "U0GHOST", "we did this last year too", {}),
        (ts(14), "U0ANN", "thanks, trying it now", {}),
        (ts(15), "U0DAN", "log output: " + "x" * 45_000, {}),
        (ts(60 * 24 + 30), "U0CAR", "Also update the rotation date in the runbook afterwards", {}),
    ])
    # Not a question: congratulations are not knowledge.
    export.thread("general", ts(20), "U0BOB", "Deployed billing v2 to production 🎉", [
        (ts(21), "U0ANN", "nice work!", {"reactions": [("tada", ["U0CAR"])]}),
    ])
    export.message("general", ts(25), "U0CAR", "Lunch is in the kitchen")
    # A Dutch question without a question mark, in the private channel; no ✅, the most-reacted reply wins.
    export.thread("security", ts(30), "U0CAR", "Weet iemand waar de sleutel voor de productie-vault staat", [
        (ts(31), "U0ANN", "In 1Password, kluis Productie-vault", {"reactions": [("+1", ["U0CAR"])]}),
    ])
    export.thread("mpdm-ann--bob-1", ts(40), "U0ANN", "Where is the vault recovery sheet?", [
        (ts(41), "U0BOB", "In the safe, top shelf", {}),
    ])
    export.thread("D0ANNBOB", ts(45), "U0BOB", "Can you share the vault audit log?", [
        (ts(46), "U0ANN", "Sent it by mail", {}),
    ])
    export.raw["general/2024-03-04.json"] = b'[{"type": "message", "text": "cut off'
    return export


def run_import(db_url: str, path: Path, *options: str) -> int:
    settings = Settings(_env_file=None, database_url=db_url, default_locale="en", default_timezone="Europe/Amsterdam")
    return main(["import", "slack", str(path), *options], settings_factory=lambda **_: settings)


def ask_kbbot(sessions: sessionmaker[Session], settings: Settings, person: str, command: str, text: str) -> str:
    """``/<command> <text>`` typed by ``person`` in their DM with kbbot; everything kbbot shows them, as JSON."""
    event = CommandInvoked(platform="slack", workspace_id=TEAM, event_id=f"cmd:{next(_events)}",
                           actor=Actor(id=person), conversation=Place(id=f"D{person}", kind="dm"),
                           command=command, text=text, occurred_at=NOW)
    with unit_of_work(sessions) as session:
        replies = dispatch.handle(session, event, NOW, settings)
    return json.dumps([reply.model_dump(mode="json") for reply in replies], ensure_ascii=False)


def react(sessions: sessionmaker[Session], settings: Settings, person: str, channel: str, message: str, emoji: str,
          *, removed: bool = False) -> str:
    """``person`` adds (or removes) ``emoji`` on a message in a channel, live; what kbbot shows them, as JSON."""
    kind = ReactionRemoved if removed else ReactionAdded
    event = kind(platform="slack", workspace_id=TEAM, event_id=f"reaction:{next(_events)}", actor=Actor(id=person),
                 conversation=Place(id=channel, kind="channel"), message_id=message, reaction=emoji, occurred_at=NOW)
    with unit_of_work(sessions) as session:
        replies = dispatch.handle(session, event, NOW, settings)
    return json.dumps([reply.model_dump(mode="json") for reply in replies], ensure_ascii=False)
