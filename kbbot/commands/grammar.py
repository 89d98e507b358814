"""One command grammar for every platform, parsed once: the commands' types and their argument parsers.

Slack's ``/ask how …``, Teams' ``ask how …`` (after the bot's mention is
stripped) and the console's ``/ask how …`` all reach :func:`parse`. The
parser never raises on user input: anything it cannot read becomes a
:class:`UsageError` naming the catalogue message to show.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, available_timezones

from kbbot.commands import registry
from kbbot.config import MAX_TEXT_LENGTH
from kbbot.text.tags import is_mention, normalise

MAX_TAGS = 10
MAX_PINGS = 50
LOCALES = ("en", "nl")


@dataclass(frozen=True)
class UsageError:
    """Something the person typed that we can't act on; ``key`` names the localised message."""

    key: str
    params: dict[str, str] = field(default_factory=dict)
    verbs_of: str | None = None
    """For an unknown verb: the slash command whose verbs the message lists (``{verbs}``, English in ``params``)."""

    def params_in(self, locale: str) -> dict[str, str]:
        """``params`` for a reader of ``locale``: the verbs they can type, in their language."""
        if self.verbs_of is None:
            return self.params
        return {**self.params, "verbs": registry.usage_verbs(self.verbs_of, locale)}


@dataclass(frozen=True)
class Ask:
    text: str
    tags: tuple[str, ...] = ()
    anonymous: bool = False


@dataclass(frozen=True)
class Search:
    query: str
    include_retired: bool = False
    """``/kb search --all …``: retired answers too, marked (issue 19)."""


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class ShowSettings:
    pass


@dataclass(frozen=True)
class ChangeSettings:
    """Only the fields given change; days are ``mon``…``sun``, times ``HH:MM`` in the person's timezone."""

    locale: str | None = None
    timezone: str | None = None
    prompts: bool | None = None
    digest: bool | None = None
    prompt_day: str | None = None
    prompt_time: str | None = None
    digest_day: str | None = None
    digest_time: str | None = None
    pings: int | None = None
    """Expert invitations a week (0: never); kbbot/routing/budget.py."""


@dataclass(frozen=True)
class ChannelDigest:
    """``/kb digest on|off`` in a channel: whether the channel gets its weekly digest."""

    on: bool


@dataclass(frozen=True)
class ChannelLanguage:
    """``/kb channel language nl|en|auto`` in a channel: the language kbbot posts in there.

    ``locale`` sets it; ``automatic`` goes back to the members' language; neither shows it.
    """

    locale: str | None = None
    automatic: bool = False


@dataclass(frozen=True)
class Stats:
    pass


@dataclass(frozen=True)
class Experts:
    tag: str


@dataclass(frozen=True)
class ExpertiseAdd:
    tags: tuple[str, ...]


@dataclass(frozen=True)
class ExpertiseRemove:
    tags: tuple[str, ...]


@dataclass(frozen=True)
class ExpertiseList:
    pass


@dataclass(frozen=True)
class FlagAnswer:
    answer_id: int
    kind: str
    reason: str | None = None


@dataclass(frozen=True)
class UpvoteAnswer:
    """``/kb upvote 12``: for platforms where people cannot react to each other's messages (Teams)."""

    answer_id: int


@dataclass(frozen=True)
class CloseQuestion:
    """``/kb close 12``: the asker settles their own question (solved elsewhere, no longer relevant)."""

    question_id: int


@dataclass(frozen=True)
class EditQuestion:
    """``/kb edit 12 <new text> [#tag …]``: the asker rewords their own question.

    The new text is read like ``/ask`` reads a question (so trailing ``#tags``
    are the question's tags); tags named here replace the old ones, no tags
    keep them. ``--anon`` is not an option: a name already shown cannot be taken back.
    """

    question_id: int
    text: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class WithdrawQuestion:
    """``/kb withdraw 12``: the asker takes their own question back; it no longer shows anywhere."""

    question_id: int


@dataclass(frozen=True)
class Home:
    """``/kb home``: the home view as a message, where the platform has no home tab."""


@dataclass(frozen=True)
class WhoAmI:
    """``/kb whoami``: what kbbot knows about the person asking."""


Command = (
    Ask | Search | Help | ShowSettings | ChangeSettings | Stats | Experts
    | ExpertiseAdd | ExpertiseRemove | ExpertiseList | FlagAnswer | UpvoteAnswer | Home | ChannelDigest | CloseQuestion
    | EditQuestion | WithdrawQuestion | WhoAmI | ChannelLanguage
)

_TAG_TOKEN = re.compile(r"^#[^\s#][^\s]*$")
# "--anon", "-a", "--": options; "-5 degrees" or "—" start a question.
_FLAG_TOKEN = re.compile(r"^(--?[A-Za-z][A-Za-z-]*|--)$")
_ON = {"on", "aan", "yes", "ja", "true", "1"}
_OFF = {"off", "uit", "no", "nee", "false", "0"}


def _too_long(text: str) -> UsageError | None:
    if len(text) > MAX_TEXT_LENGTH:
        return UsageError("error.too_long", {"limit": str(MAX_TEXT_LENGTH), "length": str(len(text))})
    return None


def parse(command: str, text: str) -> Command | UsageError:
    """Parse a slash command (``ask``, ``kb``, ``experts``, ``expertise``) and its text, by the registry."""
    if error := _too_long(text):
        return error
    text = text.strip()
    slash = registry.slash(command.strip().lstrip("/"))
    if slash is None:
        return UsageError("error.unknown_command", {"command": command[:40]})
    if not registry.has_verbs(slash.name):
        spec = registry.under(slash.name, "")
        assert spec is not None, f"/{slash.name} has no command"
        return spec.parse(text)  # type: ignore[no-any-return]
    verb, rest = _verb(text)
    spec = registry.under(slash.name, verb)
    if spec is None:
        return UsageError(slash.unknown, {"command": verb[:40], "verbs": registry.usage_verbs(slash.name, "en")},
                          verbs_of=slash.name)
    return spec.parse(rest)  # type: ignore[no-any-return]


def _verb(text: str) -> tuple[str, str]:
    """The first word and the rest, split on any whitespace (a tab or line break too)."""
    parts = text.strip().split(maxsplit=1)
    return (parts[0], parts[1].strip()) if len(parts) == 2 else (parts[0] if parts else "", "")


def parse_message(text: str) -> Command | UsageError:
    """Parse a plain message addressed to the bot: ``ask …``, ``zoek …``, ``help``."""
    if error := _too_long(text):
        return error
    verb, rest = _verb(text)
    found = registry.by_word(verb)
    if found is None:
        return UsageError("error.unknown_command", {"command": verb[:40]})
    slash, verb_included = found
    return parse(slash, f"{verb} {rest}".strip() if verb_included else rest)


def ask(text: str) -> Ask | UsageError:
    """``/ask [--anon] <question> [#tag …]``."""
    tokens = text.split()
    anonymous = False
    while tokens and _FLAG_TOKEN.match(tokens[0]):
        flag = tokens.pop(0)
        if flag in ("--anon", "--anonymous", "-a", "--anoniem"):
            anonymous = True
        elif flag == "--":
            break
        else:
            return UsageError("usage.ask_flag", {"flag": flag[:40]})
    return _question(text, tokens, anonymous)


def _question(text: str, tokens: list[str], anonymous: bool) -> Ask | UsageError:
    """A question and its tags from ``tokens`` (what is left of ``text`` after any options)."""
    trailing: list[str] = []
    while tokens and _TAG_TOKEN.match(tokens[-1]) and not _ends_in_punctuation(tokens[-1]):
        trailing.insert(0, tokens.pop())
    if trailing and not (tokens and _ends_in_punctuation(tokens[-1])):
        # "How do I restart #kubernetes": the tag is the question's object, so it stays in the text.
        tokens += trailing
    tags = list(dict.fromkeys(tag for tag in map(_tag, trailing) if tag))
    # Inline #tags ("how do I restart #kubernetes pods?") count too but stay in the text.
    for token in tokens:
        if _TAG_TOKEN.match(token):
            tag = _tag(token.rstrip("?!.,;:)"))
            if tag and tag not in tags:
                tags.append(tag)
    question = " ".join(tokens).strip()
    if not question:
        return UsageError("usage.ask")
    if len(tags) > MAX_TAGS:
        return UsageError("error.too_many_tags", {"limit": str(MAX_TAGS)})
    return Ask(text=_keep_original_spacing(text, question), tags=tuple(tags), anonymous=anonymous)


def _ends_in_punctuation(token: str) -> bool:
    return token[-1] in "?!.:)"


def _tag(token: str) -> str | None:
    """A tag from ``#token``; "#1234" is an issue or PR number, not a topic."""
    tag = normalise(token)
    return None if tag is None or tag.isdigit() else tag


def _keep_original_spacing(original: str, question: str) -> str:
    """Prefer the text as typed (line breaks included) when only flags and trailing tags were cut."""
    words = question.split()
    start = original.find(words[0])
    end = original.rfind(words[-1]) + len(words[-1])
    candidate = original[start:end] if 0 <= start < end else question
    return candidate if candidate.split() == words else question


def nothing_more(kind: type[Command]) -> Callable[[str], Command]:
    """A command that takes no arguments (anything typed after it is ignored, as it always was)."""

    def parse_it(_rest: str) -> Command:
        return kind()

    return parse_it


_ALL = {"--all", "--alles", "-a"}


def search(rest: str) -> Search | UsageError:
    """``[--all] <words>``: ``--all`` (``--alles``) lists retired answers too."""
    first, more = _verb(rest)
    if first.casefold() in _ALL:
        return Search(query=more, include_retired=True) if more else UsageError("usage.search_all")
    return Search(query=rest) if rest else UsageError("usage.search")


def _numbered(kind: Callable[[int], Command], usage: str, strip: str = "#Qq") -> Callable[[str], Command | UsageError]:
    """A command that names one answer or question by number (``12``, ``#12``, ``Q12``)."""

    def parse_it(rest: str) -> Command | UsageError:
        number = small_int(rest.lstrip(strip)) if rest else None
        return kind(number) if number is not None else UsageError(usage)

    return parse_it


def upvote(rest: str) -> UpvoteAnswer | UsageError:
    return _numbered(UpvoteAnswer, "usage.upvote", "#")(rest)  # type: ignore[return-value]


def close(rest: str) -> CloseQuestion | UsageError:
    return _numbered(CloseQuestion, "usage.close")(rest)  # type: ignore[return-value]


def withdraw(rest: str) -> WithdrawQuestion | UsageError:
    return _numbered(WithdrawQuestion, "usage.withdraw")(rest)  # type: ignore[return-value]


def channel_digest(rest: str) -> ChannelDigest | UsageError:
    flag = _on_off(rest.casefold())
    return ChannelDigest(flag) if flag is not None else UsageError("usage.channel_digest")


_AUTOMATIC = {"auto", "automatic", "automatisch"}


def channel(rest: str) -> ChannelLanguage | UsageError:
    """``language [en|nl|auto]`` (``taal …``): nothing after ``language`` shows the channel's language."""
    tokens = rest.casefold().split()
    if not tokens:
        return ChannelLanguage()
    if tokens[0] not in ("language", "taal", "locale") or len(tokens) > 2:
        return UsageError("usage.channel")
    if len(tokens) == 1:
        return ChannelLanguage()
    if tokens[1] in LOCALES:
        return ChannelLanguage(locale=tokens[1])
    return ChannelLanguage(automatic=True) if tokens[1] in _AUTOMATIC else UsageError("usage.channel")


def edit(rest: str) -> EditQuestion | UsageError:
    """``12 <new text>``: the new text must pass what ``/ask`` asks of a question (not empty, few tags).

    Nothing in the text is an option, so a question that starts with "--" stays as typed.
    """
    number_token, text = _verb(rest)
    number = small_int(number_token.lstrip("#Qq"))
    if number is None:
        return UsageError("usage.edit")
    asked = _question(text, text.split(), anonymous=False)
    if isinstance(asked, UsageError):
        return UsageError("usage.edit") if asked.key == "usage.ask" else asked
    return EditQuestion(question_id=number, text=asked.text, tags=asked.tags)


def settings(rest: str) -> ShowSettings | ChangeSettings | UsageError:
    tokens = rest.split()
    if not tokens:
        return ShowSettings()
    if len(tokens) % 2:
        return UsageError("usage.settings")
    changes: dict[str, object] = {}
    for key, value in zip(tokens[::2], tokens[1::2]):
        key, lowered = key.casefold(), value.casefold()
        if key in ("language", "taal", "locale"):
            if lowered not in LOCALES:
                return UsageError("usage.settings_language", {"value": value[:40]})
            changes["locale"] = lowered
        elif key in ("timezone", "tijdzone", "tz"):
            zone = _timezone(value)
            if zone is None:
                return UsageError("usage.settings_timezone", {"value": value[:64]})
            changes["timezone"] = zone
        elif key in ("prompts", "prompt"):
            if (flag := _on_off(lowered)) is None:
                return UsageError("usage.settings")
            changes["prompts"] = flag
        elif key in ("digest", "samenvatting"):
            if (flag := _on_off(lowered)) is None:
                return UsageError("usage.settings")
            changes["digest"] = flag
        elif key in ("pings", "ping", "uitnodigingen"):
            number = small_int(value)
            if number is None or number > MAX_PINGS:
                return UsageError("usage.settings_pings", {"value": value[:40]})
            changes["pings"] = number
        elif key in _SCHEDULE_KEYS:
            field_name = _SCHEDULE_KEYS[key]
            parsed = _day(lowered) if field_name.endswith("_day") else _clock_time(value)
            if parsed is None:
                return UsageError("usage.settings_schedule", {"value": value[:40]})
            if field_name == "prompt_day" and parsed in ("sat", "sun"):
                return UsageError("usage.settings_prompt_weekend")
            changes[field_name] = parsed
        else:
            return UsageError("usage.settings")
    return ChangeSettings(**changes)  # type: ignore[arg-type]


_SCHEDULE_KEYS = {
    "prompt-day": "prompt_day", "vraagdag": "prompt_day", "prompt-time": "prompt_time", "vraagtijd": "prompt_time",
    "digest-day": "digest_day", "samenvattingsdag": "digest_day",
    "digest-time": "digest_time", "samenvattingstijd": "digest_time",
}
_DAYS = {"mon": "mon", "monday": "mon", "ma": "mon", "maandag": "mon", "tue": "tue", "tuesday": "tue",
         "di": "tue", "dinsdag": "tue", "wed": "wed", "wednesday": "wed", "wo": "wed", "woensdag": "wed",
         "thu": "thu", "thursday": "thu", "do": "thu", "donderdag": "thu", "fri": "fri", "friday": "fri",
         "vr": "fri", "vrijdag": "fri", "sat": "sat", "saturday": "sat", "za": "sat", "zaterdag": "sat",
         "sun": "sun", "sunday": "sun", "zo": "sun", "zondag": "sun"}
_TIME_OF_DAY = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def _day(value: str) -> str | None:
    return _DAYS.get(value)


def _clock_time(value: str) -> str | None:
    match = _TIME_OF_DAY.match(value)
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else None


def _on_off(value: str) -> bool | None:
    return True if value in _ON else False if value in _OFF else None


def _timezone(value: str) -> str | None:
    """The IANA name as the tz database spells it, matched case-insensitively."""
    if "/" not in value and value.upper() != "UTC":
        return None
    zone = _zones().get(value.casefold())
    if zone is None:
        return None
    ZoneInfo(zone)
    return zone


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    return {zone.casefold(): zone for zone in available_timezones()}


def flag(rest: str) -> FlagAnswer | UsageError:
    parts = rest.split(maxsplit=2)
    if len(parts) < 2 or small_int(parts[0].lstrip("#")) is None:
        return UsageError("usage.flag")
    kind = {"outdated": "outdated", "verouderd": "outdated", "incorrect": "incorrect", "onjuist": "incorrect"}.get(
        parts[1].casefold()
    )
    if kind is None:
        return UsageError("usage.flag")
    reason = parts[2].strip() if len(parts) > 2 else None
    return FlagAnswer(answer_id=int(parts[0].lstrip("#")), kind=kind, reason=reason or None)


def small_int(text: str) -> int | None:
    """An id typed or clicked by a person: ASCII digits that fit a database integer, else ``None``.

    ``str.isdigit`` alone accepts "²" and 40-digit numbers, which would crash
    ``int()`` or overflow PostgreSQL's integer.
    """
    if text.isascii() and text.isdecimal() and len(text) <= 9:
        return int(text)
    return None


def experts(text: str) -> Experts | UsageError:
    tag = normalise(text) if text and len(text.split()) == 1 else None
    return Experts(tag=tag) if tag else UsageError("usage.experts")


def _expertise_tags(rest: str) -> tuple[str, ...] | UsageError:
    """The tags named in ``rest``; mentions (``@here``, ``<!channel>``) are left out, they are not topics."""
    typed = [raw for raw in re.split(r"[\s,]+", rest) if raw]
    tags = tuple(dict.fromkeys(t for t in map(normalise, typed) if t))
    if not tags and any(map(is_mention, typed)):
        return UsageError("usage.expertise_mentions")
    if not tags:
        return UsageError("usage.expertise", {"verbs": registry.usage_verbs("expertise", "en")}, verbs_of="expertise")
    if len(tags) > MAX_TAGS:
        return UsageError("error.too_many_tags", {"limit": str(MAX_TAGS)})
    return tags


def expertise_add(rest: str) -> ExpertiseAdd | UsageError:
    tags = _expertise_tags(rest)
    return tags if isinstance(tags, UsageError) else ExpertiseAdd(tags)


def expertise_remove(rest: str) -> ExpertiseRemove | UsageError:
    tags = _expertise_tags(rest)
    return tags if isinstance(tags, UsageError) else ExpertiseRemove(tags)
