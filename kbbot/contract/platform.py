"""What the core may assume of a chat platform, and how it finds the platforms that are installed.

The core never asks *which* platform it talks to, only what that platform
can do: a :class:`Capabilities` value says whether people type slash
commands or plain words, whether the bot hears reactions, whether group
chats have threads. Each adapter describes itself once as a
:class:`Platform` and registers it under the ``kbbot.platforms`` entry-point
group (see ``pyproject.toml``), so adding a third platform touches no file
of the core.

A registered object must be cheap to import: it names the platform and its
capabilities and imports its SDK only inside the methods that need it, so
that the core can look up capabilities (for a digest preview, say) without
loading Slack's or Microsoft's libraries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

log = logging.getLogger(__name__)

ENTRY_POINTS = "kbbot.platforms"


@dataclass(frozen=True)
class Capabilities:
    """What a platform lets kbbot do, so that the core words and shapes its replies accordingly.

    The defaults describe the most capable platform; an adapter states only
    where it differs.
    """

    slash_commands: bool = True
    """People type ``/ask …``; when False they type the same words to the bot (``ask …``)."""
    hears_reactions: bool = True
    """The bot hears reactions on people's messages, so ✅ can accept and 👍 upvote."""
    threads_in_group_chats: bool = True
    """Group chats have reply threads; when False an answer there quotes the question's card."""
    home_surface: bool = False
    """A home view of the bot's own (Slack's App Home) that kbbot can publish to."""
    forms: bool = True
    """The platform opens the core's forms (:mod:`kbbot.contract.forms`) from a button: a modal, a task module."""
    max_text: int = 40_000
    """The longest message the platform accepts, in characters."""
    mention_markup: tuple[str, ...] = ()
    """Regular expressions of the platform's own mention markup in people's text, each with a group
    ``label``: the readable part kept when the markup is made inert (see :mod:`kbbot.text.mentions`)."""
    user_mention: str | None = None
    """A regular expression of the platform's markup for one person in people's text, with a group ``id``
    (their platform id) and optionally ``label``, where that markup carries an id rather than a name: kbbot
    shows such a person by name (:func:`kbbot.text.mentions.name_people`), never by id. None where
    mentions already carry the name."""

    @property
    def lacks(self) -> tuple[str, ...]:
        """What the platform cannot do, as the catalogue's variant suffixes (``key@no_reactions``)."""
        missing = [("no_reactions", not self.hears_reactions), ("no_group_threads", not self.threads_in_group_chats),
                   ("words_only", not self.slash_commands), ("no_home", not self.home_surface)]
        return tuple(name for name, lacking in missing if lacking)


@runtime_checkable
class Platform(Protocol):
    """One chat platform as the core and ``kbbot serve`` see it.

    ``name`` and ``capabilities`` must be readable without importing the
    platform's SDK; the methods import it when called. ``web_app`` is the
    shared aiohttp application (typed loosely so the core need not import
    aiohttp); ``sessions`` is the database's sessionmaker, which an adapter
    hands on to the core's ingest path and never queries itself.
    """

    name: str
    capabilities: Capabilities

    def configured(self) -> bool:
        """Whether this machine has the credentials to serve the platform (its own settings, from the environment)."""
        ...

    def attach(self, web_app: Any, settings: Any, sessions: Any) -> Any:
        """Serve the platform from ``web_app``; return its :class:`~kbbot.contract.outbound.Outbound`."""
        ...

    def outbound(self, settings: Any, sessions: Any) -> Any:
        """An :class:`~kbbot.contract.outbound.Outbound` for one-off sends, without serving."""
        ...

    def handler(self, settings: Any, sessions: Any) -> Any:
        """What a worker process does with this platform's accepted events (:class:`kbbot.pipeline.worker.Handler`)."""
        ...


# Optional, looked up with getattr so that a platform offers only what it has:
#   title: str                                   how people call it ("Microsoft Teams"), for help texts
#   add_commands(commands, cli: CommandLine)     its own ``kbbot`` subcommands (``kbbot teams package``)
#   start_locally(settings, sessions) -> int     run kbbot in this terminal when nothing is configured
#   sign_in() -> IdentityProvider | None         its OpenID Connect provider for the web pages (kbbot/contract/sign_in.py)
#   permalink(workspace, conversation, message) -> str | None   a link to a message, by platform ids, for the web pages
#   read_history(path, options) -> History       read the platform's export for ``kbbot import`` (kbbot/contract/history.py)


@dataclass(frozen=True)
class CommandLine:
    """What a platform's own ``kbbot`` subcommands may use from the CLI: the database, and the terminal."""

    sessions: Callable[[Any], Any]
    """Opens the database of the given Settings, refusing one that is not migrated (the error says what to run)."""
    out: Callable[[str], None]


def title(found: Platform) -> str:
    return str(getattr(found, "title", found.name.capitalize()))


@dataclass
class _Registry:
    platforms: dict[str, Platform] = field(default_factory=dict)
    loaded: bool = False


_REGISTRY = _Registry()
DEFAULT = Capabilities()


def register(platform: Platform) -> None:
    """Add a platform by hand (tests, or a program embedding kbbot); entry points are found by themselves."""
    _load()
    _REGISTRY.platforms[platform.name] = platform
    capabilities.cache_clear()


def _load() -> None:
    if _REGISTRY.loaded:
        return
    _REGISTRY.loaded = True
    for point in entry_points(group=ENTRY_POINTS):
        try:
            found: Any = point.load()
        except Exception:  # one broken adapter must not take the others down
            log.exception("platform %s could not be loaded", point.name)
            continue
        _REGISTRY.platforms.setdefault(point.name, found)


def platforms() -> Iterator[Platform]:
    """Every installed platform, in name order."""
    _load()
    return iter(sorted(_REGISTRY.platforms.values(), key=lambda platform: platform.name))


def get(name: str) -> Platform | None:
    _load()
    return _REGISTRY.platforms.get(name)


@cache
def capabilities(name: str) -> Capabilities:
    """What the platform called ``name`` can do; the defaults for one not installed here."""
    found = get(name)
    return found.capabilities if found is not None else DEFAULT
