#!/usr/bin/env python3
"""The README's two screenshots of the web knowledge base, made by headless Chromium from a seeded demo database.

    python bench/web_screenshots.py [--output docs]

Seeds a small demo knowledge base (English and Dutch questions with answers,
votes, a flag, tags, declared experts, an anonymous question) in a temporary
SQLite file through kbbot's storage, starts ``kbbot web`` on it (the local-only
sign-in), signs in there as one colleague with Debian's Chromium driven by
Playwright, and saves a search page (desktop width) and a question page
(phone width) as PNG.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kbbot.search  # noqa: E402,F401 - the index follows the ORM
from kbbot.store.db import make_engine, session_factory, unit_of_work, upgrade  # noqa: E402
from kbbot.store.models import (  # noqa: E402
    Answer, Conversation, ConversationKind, DeclaredExpertise, Flag, FlagKind, Person, Question, QuestionStatus, Tag,
    Vote, Workspace)

CHROMIUM = "/usr/bin/chromium"
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
PEOPLE = {"anna": "Anna de Groot", "ben": "Ben Okafor", "chris": "Chris Lee", "daan": "Daan Visser",
          "eva": "Eva Jansen", "fatima": "Fatima El Amrani"}
QUESTIONS = [  # asker, text, tags, answers as (author, text, accepted, upvoters, flagged), anonymous, days ago
    ("anna", "How do I reset my VPN password when I am locked out on my laptop?", ["vpn", "security"],
     [("ben", "Use the self-service portal (Reset VPN password); the new password reaches the VPN within a minute. "
              "If you are fully locked out, the service desk can send a reset link by SMS.", True,
       ["chris", "daan", "eva"], False),
      ("chris", "Call extension 4000 and ask for a VPN reset.", False, [], True)], False, 6),
    ("daan", "Hoe vraag ik een nieuw VPN-certificaat aan voor mijn thuiswerkplek?", ["vpn"],
     [("ben", "Via het IT-portaal: Aanvragen → Certificaat. Binnen een uur staat het op je laptop.", True,
       ["anna"], False)], False, 5),
    ("eva", "Does the VPN work from a hotel network that blocks UDP?", ["vpn", "travel"],
     [("fatima", "Yes: switch the client to TCP 443 under Settings → Connection.", False, ["ben"], False)], False, 4),
    ("chris", "Is there a confidential counsellor I can talk to about a conflict with my manager?", ["hr"],
     [("fatima", "Yes, Mieke is our confidential counsellor; you can reach her at counsellor@example.org.", True,
       [], False)], True, 3),
    ("fatima", "Which printer on the third floor prints A3 posters?", ["printer"], [], False, 2),
    ("ben", "Waar vind ik het declaratieformulier voor reiskosten?", ["expenses", "travel"],
     [("anna", "In AFAS onder Mijn declaraties; kies Reiskosten woon-werk.", True, ["daan"], False)], False, 1),
]


def seed(url: str) -> None:
    upgrade(url)
    sessions = session_factory(make_engine(url))
    with unit_of_work(sessions) as session:
        space = Workspace(platform="console", external_id="demo", name="Example Org", settings={}, created_at=NOW)
        session.add(space)
        session.flush()
        people = {key: Person(workspace_id=space.id, external_id=key, display_name=name, created_at=NOW)
                  for key, name in PEOPLE.items()}
        channel = Conversation(workspace_id=space.id, external_id="C-help", name="it-help", kind=ConversationKind.CHANNEL,
                               created_at=NOW)
        session.add_all([*people.values(), channel])
        session.flush()
        tags: dict[str, Tag] = {}
        for number, (asker, text, names, answers, anonymous, days) in enumerate(QUESTIONS):
            for name in names:
                tags.setdefault(name, Tag(name=name))
            when = NOW - timedelta(days=days)
            status = QuestionStatus.ACCEPTED if any(a[2] for a in answers) else (
                QuestionStatus.ANSWERED if answers else QuestionStatus.OPEN)
            question = Question(workspace_id=space.id, conversation_id=channel.id, asker_id=people[asker].id,
                                is_anonymous=anonymous, text=text, status=status, created_at=when, updated_at=when)
            question.tags = [tags[name] for name in names]
            session.add(question)
            for position, (author, body, accepted, voters, flagged) in enumerate(answers):
                answer = Answer(question=question, author_id=people[author].id, conversation_id=channel.id,
                                message_id=f"{number}.{position}", text=body, is_accepted=accepted,
                                created_at=when + timedelta(hours=2 + position))
                session.add(answer)
                session.flush()
                session.add_all([Vote(answer_id=answer.id, person_id=people[v].id, created_at=NOW) for v in voters])
                if flagged:
                    session.add(Flag(answer_id=answer.id, person_id=people["anna"].id, kind=FlagKind.OUTDATED,
                                     created_at=NOW))
        session.flush()
        session.add_all([DeclaredExpertise(person_id=people["ben"].id, tag_id=tags["vpn"].id, created_at=NOW),
                         DeclaredExpertise(person_id=people["fatima"].id, tag_id=tags["travel"].id, created_at=NOW)])


def main(argv: Sequence[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--output", default=str(Path(__file__).resolve().parent.parent / "docs"))
    args = parser.parse_args(argv)
    output = Path(args.output)
    with tempfile.TemporaryDirectory(prefix="kbbot-demo-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        seed(url)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("KBBOT_")}, "KBBOT_DATABASE_URL": url}
        kbbot = str(Path(sys.executable).with_name("kbbot"))
        server = subprocess.Popen([kbbot, "web", "--port", str(port)], env=env, cwd=folder,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}/kb"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/sign-in", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=CHROMIUM)
                desktop = browser.new_page(viewport={"width": 960, "height": 760}, locale="en-GB")
                desktop.goto(f"{base}/sign-in")
                desktop.get_by_label("Sign in as").select_option(label="Eva Jansen (Example Org)")
                desktop.get_by_role("button", name="Sign in locally").click()
                desktop.goto(f"{base}/search?q=vpn+password+laptop")
                output.mkdir(parents=True, exist_ok=True)
                desktop.screenshot(path=str(output / "web-search.png"))
                phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1, locale="nl-NL")
                phone.context.add_cookies(desktop.context.cookies())
                phone.goto(f"{base}/q/1")
                phone.screenshot(path=str(output / "web-question.png"))
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    print(f"wrote {output / 'web-search.png'} and {output / 'web-question.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
