"""Looking things up: ``/kb search``, ``/experts`` and ``/kb help``."""

from __future__ import annotations

from kbbot.presentation import cards
from kbbot.commands import Experts, Search
from kbbot.search.render import post_item
from kbbot.contract.replies import Item, ListBlock, Reply, Text
from kbbot.services import activity, expertise, search, tagging
from kbbot.services.turn import Turn

RESULT_LIMIT = 5
HELP_KEYS = ("help.ask", "help.answer", "help.search", "help.experts", "help.expertise", "help.settings",
             "help.stats", "help.upvote", "help.flag", "help.close", "help.edit", "help.withdraw", "help.home",
             "help.digest")


def search_command(turn: Turn, command: Search) -> list[Reply]:
    """``/kb search``: only what the searcher may see, and the search is logged as consumption."""
    hits = search.find(turn.session, turn.person, command.query, limit=RESULT_LIMIT)
    activity.log(turn.session, turn.person, "searched", turn.now)
    if not hits:
        return [turn.notice("search.none", query=cards.snippet(command.query, 80))]
    heading = turn.say("search.heading", count=len(hits), query=cards.snippet(command.query, 80))
    items = [cards.hit_item(hit.question, hit.accepted, turn.locale) if isinstance(hit, search.Hit)
             else post_item(hit.post, turn.locale) for hit in hits]
    return [turn.private(heading, [Text(text=heading, style="heading"), ListBlock(items=items)])]


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
        items.append(Item(text=cards.name(rank.person), detail=" · ".join(parts)))
    return [turn.private(heading, [Text(text=heading, style="heading"), ListBlock(items=items)])]


def help_command(turn: Turn) -> list[Reply]:
    """``/kb help`` in the person's language."""
    heading = turn.say("help.heading")
    items = [Item(text=turn.say(key)) for key in HELP_KEYS]
    return [turn.private(heading, [Text(text=heading, style="heading"), ListBlock(items=items)])]
