"""People mentioned in what colleagues wrote, shown by name in every reply kbbot builds.

A question like "can <@U123> help?" is stored as typed. Shown again as it is,
the mention would read as the platform id (the renderers make it inert,
``@⁠U123``). :func:`by_name` replaces each such mention with the person's
name from the people table of the workspace the replies are for; someone
kbbot does not know there becomes a neutral "@someone" in the reader's
language. The result is plain text: nobody is notified again.

Called where replies leave the core: :func:`kbbot.pipeline.dispatch.handle`
for everything a person's act causes, and the scheduler's delivery for
prompts and digests. Button values and the people of a
:class:`~kbbot.contract.replies.Mentions` block (real mentions, by id on
purpose) are left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from kbbot.contract.replies import Actions, Block, Button, Item, ListBlock, Mentions, Reply, Text
from kbbot.i18n import t
from kbbot.store.models import Person
from kbbot.text.mentions import name_people, user_mentions


def by_name(session: Session, workspace_id: int, replies: Sequence[Reply]) -> list[Reply]:
    """``replies`` with every person mentioned by id named instead (see the module)."""
    wanted = {found for reply in replies for text in _texts(reply) for found in user_mentions(text)}
    if not wanted:
        return list(replies)
    names = {external_id: name for external_id, name in session.execute(
        select(Person.external_id, Person.display_name).where(
            Person.workspace_id == workspace_id, Person.external_id.in_(sorted(wanted))))
        if name and name.strip()}
    return [_named(reply, names) for reply in replies]


def _texts(reply: Reply) -> list[str]:
    found = [reply.text]
    for block in reply.blocks:
        match block:
            case Text(text=text):
                found.append(text)
            case ListBlock(items=items):
                for item in items:
                    found += [item.text, item.detail or "", *item.lines, *(b.label for b in item.buttons)]
            case Actions(buttons=buttons):
                found += [b.label for b in buttons]
            case Mentions(lead=lead):
                found.append(lead)
    return found


def _named(reply: Reply, names: Mapping[str, str]) -> Reply:
    unknown = t(reply.locale, "mention.someone")

    def name(text: str) -> str:
        return name_people(text, names, unknown)

    return reply.model_copy(update={"text": name(reply.text), "blocks": [_block(b, name) for b in reply.blocks]})


def _button(button: Button, name: Callable[[str], str]) -> Button:
    return button.model_copy(update={"label": name(button.label)})


def _block(block: Block, name: Callable[[str], str]) -> Block:
    match block:
        case Text():
            return block.model_copy(update={"text": name(block.text)})
        case ListBlock(items=items):
            return block.model_copy(update={"items": [_item(item, name) for item in items]})
        case Actions(buttons=buttons):
            return block.model_copy(update={"buttons": [_button(b, name) for b in buttons]})
        case Mentions():
            return block.model_copy(update={"lead": name(block.lead)})
    return block


def _item(item: Item, name: Callable[[str], str]) -> Item:
    return item.model_copy(update={
        "text": name(item.text), "detail": name(item.detail) if item.detail is not None else None,
        "lines": [name(line) for line in item.lines], "buttons": [_button(b, name) for b in item.buttons]})
