"""The command registry: every command kbbot understands, declared once, beside its handler.

A service declares a command with :func:`command` on the function that
carries it out: the slash command it belongs to, its English and Dutch
verbs, how its arguments are read, the catalogue line that explains it and
who may run it. Everything else is derived from these declarations: the
parser (:func:`kbbot.commands.parse`), the plain words typed to the bot where
a platform has no slash commands, ``/kb help``, and the checks that the Slack
and Teams manifests list exactly these commands (tests/core/test_command_registry.py).

Adding a command is therefore a declaration, a handler and catalogue lines.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, TypeVar

Who = Literal["anyone", "asker", "channel member"]
"""Who may run a command: anyone, only the asker of the question it names, or someone in the channel it is run in.
The service enforces it (it knows the question); the registry says it, for help and for review."""


VERB_LOCALES = ("en", "nl")
"""The languages of a command's verbs, in the order it declares them (``search``, ``zoek``)."""


@dataclass(frozen=True)
class Slash:
    """A top-level command as people type it after ``/`` (``/kb``), with the usage shown for an unknown verb."""

    name: str
    aliases: tuple[str, ...] = ()
    unknown: str = "usage.kb"
    typed: bool = True
    """Whether people type its name as a word too (``expertise add x``); ``kb`` is not: they type ``search x``."""


SLASH_COMMANDS: dict[str, Slash] = {slash.name: slash for slash in (
    Slash("ask", aliases=("vraag",)),
    Slash("kb", unknown="usage.kb", typed=False),
    Slash("experts"),
    Slash("expertise", unknown="usage.expertise_unknown"),
)}
"""The slash commands a platform registers (Slack's manifest); every command below belongs to one."""


@dataclass(frozen=True)
class Spec:
    """One command: where it hangs, its verbs in English then Dutch, its parser, handler and help line."""

    name: str
    slash: str
    verbs: tuple[str, ...]
    parse: Callable[[str], Any]
    handle: Callable[..., Any]
    usage: str
    who: Who = "anyone"
    default: bool = False
    order: int = 100



_SPECS: dict[str, Spec] = {}
F = TypeVar("F", bound=Callable[..., Any])


def command(name: str, *, slash: str = "kb", verbs: tuple[str, ...] = (), parse: Callable[[str], Any],
            usage: str, who: Who = "anyone", default: bool = False, order: int = 100) -> Callable[[F], F]:
    """Declare the decorated function as the handler of command ``name`` (``handler(turn, parsed)``).

    ``verbs`` are the words after the slash command (``search``, ``zoek``);
    none for a slash command that is itself the command (``/ask``).
    ``default`` runs it when the slash command comes with no verb
    (``/kb`` alone is help). ``order`` places its line in ``/kb help``.
    """
    if slash not in SLASH_COMMANDS:
        raise ValueError(f"command {name!r}: unknown slash command /{slash}")

    def register(handler: F) -> F:
        spec = Spec(name, slash, tuple(verb.casefold() for verb in verbs), parse, handler, usage, who, default, order)
        known = _SPECS.get(name)
        if known is not None and known.handle is not handler:
            raise ValueError(f"command {name!r} declared twice")
        taken = {word for other in _SPECS.values() if other.slash == slash and other.name != name for word in other.verbs}
        if taken & set(spec.verbs):
            raise ValueError(f"command {name!r}: verbs {sorted(taken & set(spec.verbs))} already taken under /{slash}")
        _SPECS[name] = spec
        _words.cache_clear()
        _kinds.cache_clear()
        _slashed.cache_clear()
        return handler

    return register


@cache
def _loaded() -> bool:
    """Import every service module once, so that each has declared its commands."""
    services = importlib.import_module("kbbot.services")
    for module in pkgutil.iter_modules(services.__path__):
        importlib.import_module(f"kbbot.services.{module.name}")
    return True


def specs() -> Iterator[Spec]:
    """Every declared command, in the order ``/kb help`` lists them."""
    _loaded()
    return iter(sorted(_SPECS.values(), key=lambda spec: (spec.order, spec.name)))


def get(name: str) -> Spec:
    _loaded()
    return _SPECS[name]


def slash(name: str) -> Slash | None:
    """The slash command typed as ``name`` (an alias too: ``/vraag`` is ``/ask``)."""
    name = name.casefold()
    return next((s for s in SLASH_COMMANDS.values() if name == s.name or name in s.aliases), None)


def under(slash_name: str, verb: str) -> Spec | None:
    """The command ``verb`` of ``/slash_name``; the slash command's default for no verb."""
    verb = verb.casefold()
    for spec in specs():
        if spec.slash == slash_name and ((verb and verb in spec.verbs) or (not verb and spec.default)):
            return spec
    return None


def usage_verbs(slash_name: str, locale: str) -> str:
    """The verbs of ``/slash_name`` in ``locale`` (English where unknown), as a usage line lists them:
    ``help|search|settings|…``, in the order of ``/kb help``. Every declared command is in it."""
    index = VERB_LOCALES.index(locale) if locale in VERB_LOCALES else 0
    return "|".join(spec.verbs[min(index, len(spec.verbs) - 1)]
                    for spec in specs() if spec.slash == slash_name and spec.verbs)


def has_verbs(slash_name: str) -> bool:
    return any(spec.slash == slash_name and spec.verbs for spec in specs())


@cache
def _words() -> dict[str, tuple[str, bool]]:
    words: dict[str, tuple[str, bool]] = {}
    for slash_command in SLASH_COMMANDS.values():
        if slash_command.typed:
            for name in (slash_command.name, *slash_command.aliases):
                words[name] = (slash_command.name, False)
        else:
            for spec in specs():
                if spec.slash == slash_command.name:
                    words.update({verb: (spec.slash, True) for verb in spec.verbs})
    return words


def by_word(word: str) -> tuple[str, bool] | None:
    """What a plain message starting with ``word`` runs: the slash command, and whether ``word`` is its verb
    (``zoek …`` is ``/kb zoek …``; ``expertise add …`` is ``/expertise add …``)."""
    return _words().get(word.casefold())


def words() -> list[str]:
    """Every word that starts a command in a plain message."""
    return sorted(_words())


def by_type(parsed: object) -> Spec | None:
    """The command that handles ``parsed``: the one whose handler takes its type (its second parameter)."""
    return _kinds().get(type(parsed))


@cache
def _kinds() -> dict[type, Spec]:
    kinds: dict[type, Spec] = {}
    for spec in specs():
        hints = typing.get_type_hints(spec.handle)
        names = [name for name in inspect.signature(spec.handle).parameters if name != "return"]
        if len(names) < 2 or names[1] not in hints:
            raise TypeError(f"command {spec.name!r}: its handler must be handler(turn, parsed: <command type>)")
        hint = hints[names[1]]
        for kind in typing.get_args(hint) or (hint,):
            if kind in kinds:
                raise TypeError(f"{kind.__name__} is handled by both {kinds[kind].name!r} and {spec.name!r}")
            kinds[kind] = spec
    return kinds


@cache
def _slashed() -> re.Pattern[str]:
    # "/kb search x" is "search x" without slashes; "/ask x" is "ask x" (the slash command is a word itself).
    prefixed = [re.escape(s.name) for s in SLASH_COMMANDS.values() if not by_word(s.name)]
    bare = sorted({name for s in SLASH_COMMANDS.values() for name in (s.name, *s.aliases) if by_word(name)},
                  key=len, reverse=True)
    parts = [rf"(?:{'|'.join(prefixed)})\s+(?=[a-z])"] if prefixed else []
    parts.append(rf"(?=(?:{'|'.join(map(re.escape, bare))})\b)")
    return re.compile(r"(?<![\w/])/(?:" + "|".join(parts) + ")")


def as_words(text: str) -> str:
    """``text`` with every slash command spelled as the words typed where there are no slash commands."""
    return _slashed().sub("", text)
