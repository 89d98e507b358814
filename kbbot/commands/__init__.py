"""Commands: their grammar (:mod:`.grammar`) and the registry that declares each one once (:mod:`.registry`).

Slack's ``/ask how …``, Teams' ``ask how …`` (after the bot's mention is
stripped) and the console's ``/ask how …`` all reach :func:`parse`. The
parser never raises on user input: anything it cannot read becomes a
:class:`UsageError` naming the catalogue message to show.
"""

from kbbot.commands import registry
from kbbot.commands.grammar import (
    LOCALES,
    MAX_TAGS,
    Ask,
    ChangeSettings,
    ChannelDigest,
    CloseQuestion,
    Command,
    EditQuestion,
    ExpertiseAdd,
    ExpertiseList,
    ExpertiseRemove,
    Experts,
    FlagAnswer,
    Help,
    Home,
    Search,
    ShowSettings,
    Stats,
    UpvoteAnswer,
    UsageError,
    WhoAmI,
    WithdrawQuestion,
    parse,
    parse_message,
    small_int,
)
from kbbot.commands.registry import command

__all__ = [
    "LOCALES", "MAX_TAGS", "Ask", "ChangeSettings", "ChannelDigest", "CloseQuestion", "Command", "EditQuestion",
    "ExpertiseAdd", "ExpertiseList", "ExpertiseRemove", "Experts", "FlagAnswer", "Help", "Home", "Search",
    "ShowSettings", "Stats", "UpvoteAnswer", "UsageError", "WhoAmI", "WithdrawQuestion", "command", "parse",
    "parse_message", "registry", "small_int",
]
