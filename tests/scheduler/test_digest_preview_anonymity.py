"""``kbbot digest preview`` is an operator's tool: anonymous stays anonymous there too.

The asker alone sees an anonymous question as theirs, in their own digest;
the operator's preview shows the person as any other reader knows them.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from test_scheduler_support import World, text_of, utc

from kbbot.config import Settings
from kbbot.scheduler import cli


def test_the_preview_never_tells_an_operator_who_asked_anonymously(sessions: sessionmaker[Session],
                                                                   settings: Settings) -> None:
    world = World(sessions, settings, utc(2026, 11, 24, 9, 0))
    for who in ("alice", "bob", "carol"):
        world.join(who)
    world.command("alice", "expertise", "add #python")
    world.command("bob", "expertise", "add #python")
    secret = world.ask("alice", "general", "Is it silly that I never understood #python decorators?", anonymous=True)
    world.accept("alice", world.answer("bob", secret, "Not at all: a decorator wraps a function."))
    world.ask("carol", "general", "How do I profile #python memory?")

    def preview(week: str | None) -> str:
        lines: list[str] = []
        assert cli.preview(sessions, settings, "alice", week, lines.append, clock=world.time) == 0
        return "\n".join(lines)

    world.run_until(utc(2026, 11, 29, 12, 0), step_minutes=120)
    before = preview(None)  # Sunday: the next digest, as it stands
    world.run_until(utc(2026, 11, 30, 9, 30), step_minutes=120)
    sent_week = preview("2026-W49")  # Monday: the digest that went out
    for shown in (before, sent_week):
        assert "2026-W49" in shown and "How do I profile #python memory?" in shown  # the rest of her digest
        assert "decorators" not in shown and "Bob answered" not in shown
        assert "You are consuming · questions asked: 0" in shown  # what anyone else knows of her

    # Alice's own digest keeps her anonymous question: she alone sees it as hers.
    sent = text_of(next(r for r in world.outbound.to("alice") if "kbbot," in r.text))
    assert "never understood #python decorators" in sent and "Bob answered" in sent
    assert "You are contributing · questions asked: 1" in sent
