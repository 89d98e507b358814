"""``/kb forget me`` and ``/kb my data``: a person's rights of erasure and access, in chat.

Erasure asks first: a button that only the person who asked can use, then
:func:`kbbot.privacy.erasure.forget` in the same transaction as the click.
The export is sent as a direct message, split into parts a chat message can
hold, whichever conversation it was asked in.
"""

from __future__ import annotations

from dataclasses import dataclass

from kbbot.commands import command, small_int
from kbbot.commands.grammar import UsageError
from kbbot.contract import actions
from kbbot.contract.events import ButtonClicked
from kbbot.contract.replies import Actions, Button, DirectMessage, Reply, Text
from kbbot.i18n import t
from kbbot.privacy import access, audit, erasure
from kbbot.privacy.placeholder import former_colleague
from kbbot.services.turn import Turn
from kbbot.store.models import ConversationKind

PART_CHARS = 2800
"""Characters of JSON per block: under Slack's 3,000 per text block, and readable in a Teams card."""
PARTS_PER_MESSAGE = 8
"""Parts per message: eight of 2,800 characters stay under a Teams card's 28 KB and Slack's 50 blocks."""


@dataclass(frozen=True)
class ForgetMe:
    """``/kb forget me``: ask to be erased (confirmed with a button)."""


@dataclass(frozen=True)
class MyData:
    """``/kb my data``: everything kbbot holds about the person, by DM."""


def _forget(rest: str) -> ForgetMe | UsageError:
    return ForgetMe() if rest.casefold().strip() in ("me", "mij", "me please", "myself") else UsageError("usage.forget")


def _my_data(rest: str) -> MyData | UsageError:
    return MyData() if rest.casefold().strip() in ("data", "gegevens", "") else UsageError("usage.mydata")


@command("forget", verbs=("forget", "vergeet"), parse=_forget, usage="help.forget", order=150)
def forget_me(turn: Turn, _command: ForgetMe) -> list[Reply]:
    """Explain what goes and what stays, under the workspace's policy, and ask."""
    heading = turn.say("forget.confirm_heading")
    keep = erasure.knowledge_policy(turn.workspace) == erasure.KEEP
    body = turn.say("forget.confirm_keep" if keep else "forget.confirm_delete")
    buttons = [Button(label=turn.say("button.forget_confirm"), action_id=actions.FORGET_CONFIRM,
                      value=str(turn.person.id), style="danger"),
               Button(label=turn.say("button.forget_cancel"), action_id=actions.FORGET_CANCEL, value="")]
    return [turn.private(heading, [Text(text=heading, style="heading"), Text(text=body), Actions(buttons=buttons)])]


def on_button(turn: Turn, event: ButtonClicked) -> list[Reply] | None:
    """The confirmation's buttons; ``None`` for any other button."""
    if event.action_id == actions.FORGET_CANCEL:
        return [turn.notice("forget.cancelled", replace=True)]
    if event.action_id != actions.FORGET_CONFIRM:
        return None
    if small_int(event.value) != turn.person.id:
        return [turn.notice("forget.not_yours", replace=True)]
    done = turn.notice("forget.done", replace=True)  # worded before the person's language is erased too
    erasure.forget(turn.session, turn.person, turn.now)
    audit.record(turn.session, workspace_id=turn.workspace.id,
                 person=former_colleague(turn.session, turn.workspace.id, turn.now), action="forget", key="self",
                 now=turn.now)
    return [done]


@command("mydata", verbs=("my", "mijn"), parse=_my_data, usage="help.mydata", order=151)
def my_data(turn: Turn, _command: MyData) -> list[Reply]:
    data = access.collect(turn.session, turn.person, turn.now)
    replies = as_messages(data, turn.person.external_id, turn.locale)
    if turn.conversation.kind is not ConversationKind.DM:
        replies.append(turn.notice("mydata.sent"))
    return replies


def as_messages(data: dict, person_id: str, locale: str) -> list[Reply]:
    """The export as direct messages: a heading, then the JSON in numbered parts, in code blocks."""
    text = access.as_json(data)
    chunks = _chunks(text, PART_CHARS)
    rows = sum(len(rows) for rows in data["tables"].values()) + 1
    heading = t(locale, "mydata.heading", rows=rows, parts=len(chunks))
    replies: list[Reply] = []
    for start in range(0, len(chunks), PARTS_PER_MESSAGE):
        blocks = [Text(text=heading, style="heading")] if start == 0 else []
        for number, chunk in enumerate(chunks[start:start + PARTS_PER_MESSAGE], start=start + 1):
            blocks.append(Text(text=t(locale, "mydata.part", part=number, parts=len(chunks)), style="context"))
            blocks.append(Text(text=f"```\n{chunk}\n```"))
        replies.append(Reply(text=heading, blocks=blocks, to=DirectMessage(person_id=person_id), locale=locale))
    return replies


def _chunks(text: str, size: int) -> list[str]:
    """Whole lines per chunk where they fit, so each part reads on its own."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines():
        while len(line) > size:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:size])
            line = line[size:]
        if current and len(current) + 1 + len(line) > size:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks
