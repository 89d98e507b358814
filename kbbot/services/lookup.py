"""Looking things up: ``/kb search``, ``/experts`` and ``/kb help``."""

from __future__ import annotations

from kbbot.presentation import cards
from kbbot.commands import Experts, Help, Search, command, grammar, registry
from kbbot.search.render import post_item
from kbbot.contract.replies import Item, ListBlock, Reply, Text
from kbbot.services import activity, expertise, rechecks, search, tagging, verification
from kbbot.services.turn import Turn

RESULT_LIMIT = 5
ANSWERS_PER_RESULT = 3
"""Answers listed under each question found (by number, so any of them can be upvoted or flagged)."""
ANSWERING_HELP = (15, "help.answer")
"""Answering is no command (people reply in the thread), but help explains it right after asking."""


@command("search", verbs=("search", "zoek"), parse=grammar.search, usage="help.search", order=20)
def search_command(turn: Turn, command: Search) -> list[Reply]:
    """``/kb search``: only what the searcher may see, and the search is logged as consumption."""
    days = turn.settings.verification_interval_days
    hits = search.find(turn.session, turn.person, command.query, limit=RESULT_LIMIT,
                       include_retired=command.include_retired, now=turn.now, verification_days=days)
    activity.log(turn.session, turn.person, "searched", turn.now)
    if not hits:
        return [turn.notice("search.none", query=cards.snippet(command.query, 80))]
    heading = turn.say("search.heading", count=len(hits), query=cards.snippet(command.query, 80))
    found = [hit for hit in hits if isinstance(hit, search.Hit)]
    rechecks.note_shown(turn.session, [hit.accepted for hit in found], "search", turn.now, days)
    items = [cards.hit_item(hit.question, hit.accepted, turn.locale, answers=ANSWERS_PER_RESULT,
                            standing=verification.hit_standing(turn.session, hit.accepted, turn.now, days, turn.locale),
                            show_retired=command.include_retired)
             if isinstance(hit, search.Hit)
             else post_item(hit.post, turn.locale) for hit in hits]
    return [turn.private(heading, [Text(text=heading, style="heading"), ListBlock(items=items)])]


@command("experts", slash="experts", parse=grammar.experts, usage="help.experts", default=True, order=30)
def experts_command(turn: Turn, command: Experts) -> list[Reply]:
    """``/experts``: people ranked on what the asker may see, with why each is listed."""
    tag = tagging.canonical(turn.session, command.tag) or command.tag
    ranked = expertise.rank(turn.session, turn.person, [tag], limit=RESULT_LIMIT)
    if not ranked:
        return [turn.notice("experts.none", tag=tag)]
    heading = turn.say("experts.heading", tag=tag)
    items = []
    for rank in ranked:
        parts = []
        if rank.declared:
            parts.append(turn.say("experts.declared"))
        if rank.accepted:
            parts.append(turn.say("experts.accepted", count=rank.accepted))
        if rank.upvotes:
            parts.append(turn.say("experts.upvotes", count=rank.upvotes))
        if rank.posts:
            parts.append(turn.say("experts.posts", count=rank.posts))
        if rank.person.is_guest:  # a guest expert (a retired colleague, say): sees only where they are invited
            parts.append(turn.say("experts.guest"))
        items.append(Item(text=cards.name(rank.person), detail=" · ".join(parts)))
    return [turn.private(heading, [Text(text=heading, style="heading"), ListBlock(items=items)])]


def help_keys() -> list[str]:
    """One line per command, from the registry, in its order (commands that share a line show it once)."""
    lines = sorted([(spec.order, spec.usage) for spec in registry.specs() if spec.usage] + [ANSWERING_HELP])
    return list(dict.fromkeys(key for _, key in lines))


@command("help", verbs=("help", "hulp"), parse=grammar.nothing_more(Help), usage="", default=True, order=0)
def help_command(turn: Turn, _command: Help) -> list[Reply]:
    """``/kb help`` in the person's language."""
    heading = turn.say("help.heading")
    items = [Item(text=turn.say(key)) for key in help_keys()]
    return [turn.private(heading, [Text(text=heading, style="heading"), ListBlock(items=items)])]
