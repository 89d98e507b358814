"""The command registry is the one list of commands: manifests, help, the grammar and dispatch follow it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from console_chat import Chat

from kbbot import commands
from kbbot.commands import registry
from kbbot.services.lookup import help_keys

ROOT = Path(__file__).resolve().parents[2]


def test_the_slack_manifest_registers_exactly_the_slash_commands() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yaml").read_text(encoding="utf-8"))
    declared = {entry["command"].lstrip("/") for entry in manifest["features"]["slash_commands"]}
    assert declared == set(registry.SLASH_COMMANDS)


def test_the_teams_manifest_offers_only_words_kbbot_understands() -> None:
    manifest = json.loads((ROOT / "adapters/teams/manifest.json").read_text(encoding="utf-8"))
    titles = {command["title"] for bot in manifest["bots"] for scope in bot["commandLists"]
              for command in scope["commands"]}
    assert titles and titles <= set(registry.words()), titles - set(registry.words())


@pytest.mark.parametrize("spec", list(registry.specs()), ids=lambda spec: spec.name)
def test_every_verb_of_every_command_reaches_its_handler(spec: registry.Spec) -> None:
    for verb in spec.verbs or ("",):
        parsed = commands.parse(spec.slash, f"{verb} 3 outdated #k8s why?".strip() if verb else "how? #k8s")
        if isinstance(parsed, commands.UsageError):  # this command reads other arguments: its own usage line
            parsed = commands.parse(spec.slash, verb)
        if isinstance(parsed, commands.UsageError):
            continue
        assert registry.by_type(parsed) is spec, (verb, parsed)


def test_help_has_a_line_for_every_command_that_explains_itself() -> None:
    keys = help_keys()
    assert {spec.usage for spec in registry.specs() if spec.usage} <= set(keys)
    assert keys[:2] == ["help.ask", "help.answer"] and len(keys) == len(set(keys))


def test_a_command_declared_twice_or_on_a_taken_verb_is_refused() -> None:
    with pytest.raises(ValueError, match="already taken"):
        registry.command("zoeken", verbs=("zoek",), parse=str, usage="help.search")(lambda turn, parsed: [])
    with pytest.raises(ValueError, match="unknown slash command"):
        registry.command("nope", slash="nope", parse=str, usage="help.search")(lambda turn, parsed: [])


def test_whoami_tells_people_what_kbbot_holds_about_them_in_their_language(chat: Chat) -> None:
    chat("/expertise add kubernetes", "/ask How do I restart a pod? #kubernetes")
    shown = chat("/kb whoami")
    assert "What kbbot knows about you" in shown and "Name: Alice" in shown and "your id on this platform: alice" in shown
    assert "declared #kubernetes" in shown and "1 question(s), 0 answer(s)" in shown
    assert "Only you see this" in shown and "only alice sees this" in shown
    dutch = chat(":as bob nl", ":dm", "wiebenik")  # a plain word to the bot, as on Teams
    assert "Wat kbbot over je weet" in dutch and "Naam: Bob" in dutch and "0 vraag/vragen" in dutch
    assert "/kb whoami: what kbbot knows about you" in chat(":as alice", "/kb help")
