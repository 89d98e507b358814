"""A person's own corner: settings, expertise tags and figures."""

from __future__ import annotations

from kbbot.commands import (
    ChangeSettings,
    ExpertiseAdd,
    ExpertiseList,
    ExpertiseRemove,
    ShowSettings,
    Stats,
    command,
    grammar,
)
from kbbot.i18n import LOCALES, t
from kbbot.contract.replies import Item, ListBlock, Reply, Text
from kbbot.weekly import schedules
from kbbot.services import expertise, routing, stats
from kbbot.routing import budget
from kbbot.routing.policy import policy
from kbbot.store.scheduling import PersonSchedule
from kbbot.services.turn import Turn


def _on_off(turn: Turn, value: bool) -> str:
    return turn.say("settings.on" if value else "settings.off")


def _when(turn: Turn, kind: str) -> str:
    """When this person's prompt or digest comes, whichever level (operator, workspace, own) set it."""
    weekly = schedules.moment(turn.settings, kind, turn.person.timezone, turn.workspace.settings,
                              turn.session.get(PersonSchedule, turn.person.id))
    return turn.say("settings.when", day=turn.say(f"wol.day.{weekly.day}"), time=weekly.at)


def settings_items(turn: Turn) -> list[Item]:
    """The person's settings as shown in ``/kb settings`` and on their home."""
    person = turn.person
    prompts, digest = _on_off(turn, person.prompts_enabled), _on_off(turn, person.digest_enabled)
    return [
        Item(text=turn.say("settings.language", value=turn.say(f"language.{person.locale}"))),
        Item(text=turn.say("settings.timezone", value=person.timezone)),
        Item(text=turn.say("settings.prompts", value=prompts),
             detail=_when(turn, schedules.PROMPT) if person.prompts_enabled else None),
        Item(text=turn.say("settings.digest", value=digest),
             detail=_when(turn, schedules.DIGEST) if person.digest_enabled else None),
        _pings_item(turn),
    ]


def _pings_item(turn: Turn) -> Item:
    """How often kbbot may invite this person to help (their own budget, else the workspace's)."""
    pings = budget.pings_for(turn.session, turn.person.id,
                             policy(turn.session, turn.settings, turn.workspace.id).pings_per_week)
    return Item(text=turn.say("settings.pings", value=pings) if pings else turn.say("settings.pings_never"),
                detail=turn.say("settings.pings_how"))


@command("settings", verbs=("settings", "instellingen"), parse=grammar.settings, usage="help.settings", order=50)
def settings_command(turn: Turn, command: ShowSettings | ChangeSettings) -> list[Reply]:
    """``/kb settings``: shown as they are, or changed where something is given."""
    return change_settings(turn, command) if isinstance(command, ChangeSettings) else show_settings(turn)


def show_settings(turn: Turn) -> list[Reply]:
    """``/kb settings`` without changes: what is set and how to change it."""
    heading = turn.say("settings.heading")
    return [turn.private(heading, [Text(text=heading, style="heading"), ListBlock(items=settings_items(turn)),
                                   Text(text=turn.say("settings.how"), style="context")])]


def change_settings(turn: Turn, command: ChangeSettings) -> list[Reply]:
    """Apply the changes; the confirmation comes in the (possibly new) language."""
    person = turn.person
    if command.locale is not None:
        person.locale, person.locale_chosen = command.locale, True
    if command.timezone is not None:
        person.timezone, person.timezone_chosen = command.timezone, True
    if command.prompts is not None:
        person.prompts_enabled = command.prompts
    if command.digest is not None:
        person.digest_enabled = command.digest
    if command.pings is not None:
        budget.set_pings(turn.session, person.id, command.pings, turn.now)
    for kind in (schedules.PROMPT, schedules.DIGEST):
        day, at = getattr(command, f"{kind}_day"), getattr(command, f"{kind}_time")
        if day is not None or at is not None:
            try:
                schedules.choose(turn.session, person, kind, day, at, turn.now)
            except ValueError:  # a weekend prompt day; the parser already checked the spelling
                return [turn.notice("usage.settings_prompt_weekend")]
    return [turn.private(t(person.locale, "settings.saved"))] + show_settings(turn)


def switch(turn: Turn, what: str, value: str) -> None:
    """Set prompts or digest to the state the button carried ("on"/"off").

    The button says what to set, not "flip": a double click or a stale home
    view then cannot turn a setting the wrong way.
    """
    if value not in ("on", "off"):
        return
    if what == "prompts":
        turn.person.prompts_enabled = value == "on"
    elif what == "digest":
        turn.person.digest_enabled = value == "on"


def set_language(turn: Turn, locale: str) -> None:
    """The language button: an explicit choice, so platform hints no longer override it."""
    if locale in LOCALES:
        turn.person.locale, turn.person.locale_chosen = locale, True


@command("stats", verbs=("stats", "statistieken"), parse=grammar.nothing_more(Stats), usage="help.stats", order=60)
def stats_command(turn: Turn, _command: Stats) -> list[Reply]:
    """``/kb stats``: a person's own figures and stage, shown to them alone."""
    figures = stats.for_person(turn.session, turn.person)
    heading = turn.say("stats.heading")
    items = [
        Item(text=turn.say("stats.questions", count=figures.questions)),
        Item(text=turn.say("stats.answers", count=figures.answers)),
        Item(text=turn.say("stats.accepted", count=figures.accepted_answers)),
        Item(text=turn.say("stats.upvotes", count=figures.upvotes_received)),
        *routing.stats_items(turn),
    ]
    stage = turn.say(f"stage.{figures.stage}")
    return [turn.private(heading, [
        Text(text=heading, style="heading"), ListBlock(items=items),
        Text(text=turn.say("stats.stage", stage=stage)), Text(text=turn.say(f"stage.next.{figures.stage}"),
                                                              style="context")])]


@command("expertise add", slash="expertise", verbs=("add", "toevoegen"), parse=grammar.expertise_add,
         usage="help.expertise", order=40)
def expertise_add(turn: Turn, command: ExpertiseAdd) -> list[Reply]:
    """Declare tags; they count at once for ``/experts`` and for bringing people into questions.

    Tags already declared are named apart: declaring them again changes nothing.
    """
    added, already = expertise.declare(turn.session, turn.person, command.tags, turn.now)
    lines = [turn.say(key, tags=" ".join(f"#{n}" for n in names))
             for key, names in (("expertise.added", added), ("expertise.already", already)) if names]
    return [turn.private("\n".join(lines), [Text(text=line) for line in lines])]


@command("expertise remove", slash="expertise", verbs=("remove", "verwijderen"), parse=grammar.expertise_remove,
         usage="help.expertise", order=40)
def expertise_remove(turn: Turn, command: ExpertiseRemove) -> list[Reply]:
    """Stop being named for tags one no longer wants to answer about."""
    removed = expertise.undeclare(turn.session, turn.person, command.tags)
    if not removed:
        return [turn.notice("expertise.none_removed")]
    return [turn.notice("expertise.removed", tags=" ".join(f"#{n}" for n in removed))]


@command("expertise list", slash="expertise", verbs=("list", "lijst"), parse=grammar.nothing_more(ExpertiseList),
         usage="help.expertise", default=True, order=40)
def expertise_list(turn: Turn, _command: ExpertiseList) -> list[Reply]:
    """Declared tags and the ones earned by accepted answers, side by side."""
    declared = expertise.declared(turn.session, turn.person)
    earned = expertise.earned(turn.session, turn.person)
    if not declared and not earned:
        return [turn.notice("expertise.empty")]
    heading = turn.say("expertise.heading")
    items = [Item(text=turn.say("expertise.declared", tags=" ".join(f"#{n}" for n in declared) or "–"))]
    items.append(Item(text=turn.say("expertise.earned", tags=", ".join(
        turn.say("expertise.earned_tag", tag=name, count=count) for name, count in earned) or "–")))
    return [turn.private(heading, [Text(text=heading, style="heading"), ListBlock(items=items)])]
