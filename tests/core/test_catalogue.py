"""Every user-facing message exists in English and Dutch with the same placeholders."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from kbbot.i18n import LOCALES, MESSAGES, t

ROOT = Path(__file__).resolve().parents[2]
# Adapters keep their platform's own messages beside them (adapters/*/messages.py); they join the catalogue
# when imported, so that the checks below cover them too.
for _messages in sorted(ROOT.glob("adapters/*/messages.py")):
    importlib.import_module(f"kbbot_adapters.{_messages.parent.name}.messages")


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = MESSAGES[key]
    assert set(entry) == set(LOCALES), f"{key} has {sorted(entry)}"
    placeholders = {locale: set(re.findall(r"{(\w*)}", entry[locale])) for locale in LOCALES}
    assert placeholders["en"] == placeholders["nl"], key
    assert all(text.strip() for text in entry.values()), key
    # A message that is identical in both languages is a forgotten translation, unless it is all symbols.
    words = re.sub(r"{\w*}", "", entry["en"])
    if re.search(r"[A-Za-z]{4,}", words):
        assert entry["en"] != entry["nl"], f"{key} is not translated"


def _keys_used_in_code() -> set[str]:
    """String literals passed as the message key to t(), say(), notice() or UsageError()."""
    used: set[str] = set()
    for path in [*ROOT.joinpath("kbbot").rglob("*.py"), *ROOT.joinpath("adapters").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                index = 1 if name == "t" else 0
                if name in {"t", "say", "notice", "UsageError"} and len(node.args) > index:
                    arg = node.args[index]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "." in arg.value:
                        used.add(arg.value)
    return used


def test_every_key_named_in_code_is_in_the_catalogue() -> None:
    missing = sorted(key for key in _keys_used_in_code() if key not in MESSAGES)
    assert not missing, f"keys used in code but missing from the catalogue: {missing}"


def test_dutch_is_chosen_by_locale_and_unknown_locales_fall_back_to_english() -> None:
    assert t("nl", "help.heading") != t("en", "help.heading")
    assert t("fr", "help.heading") == t("en", "help.heading")
    assert "{query}" in t("en", "search.none")  # an unfilled placeholder stays visible, never crashes
