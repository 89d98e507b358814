"""Core replies → Block Kit, with every piece of user text made inert.

All text from the core may contain what people typed, so each string goes
through :func:`kbbot.text.mentions.neutralise` (no ``<!channel>``, ``<!here>``,
``<!subteam^…>`` or ``<@U…>`` is ever re-broadcast) and then Slack's own
escaping of ``&``, ``<`` and ``>`` (so no new link or mention can be formed).
The only real mentions are the people of a :class:`~kbbot.contract.replies.Mentions`
block, rendered as ``<@U…>`` from their ids.

Slack's limits are respected here rather than failing at post time: 3,000
characters per section (longer text is split), 75 per button label, 50
blocks per message and 100 per Home view.
"""

from __future__ import annotations

import re
from typing import Any

from kbbot.text.mentions import neutralise
from kbbot.contract import forms
from kbbot.contract.forms import FieldErrors, Form, FormField
from kbbot.contract.replies import Actions, Block, Button, Item, ListBlock, Mentions, Reply, Text

SECTION_LIMIT = 3000
MESSAGE_BLOCK_LIMIT = 50
HOME_BLOCK_LIMIT = 100
FALLBACK_LIMIT = 3000

BlockJson = dict[str, Any]


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: the three characters that form links and mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe(text: str) -> str:
    """User text as inert mrkdwn: broadcast mentions neutralised, then escaped."""
    return escape(neutralise(text))


def plain(text: str, limit: int) -> BlockJson:
    """A ``plain_text`` object (no mrkdwn, no mentions), cut to Slack's ``limit``."""
    clean = neutralise(text)
    return {"type": "plain_text", "text": clean if len(clean) <= limit else clean[: limit - 1] + "…", "emoji": True}


def _chunks(text: str, size: int = SECTION_LIMIT) -> list[str]:
    """Split at line ends where possible so quotes and lists stay readable."""
    parts: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > 0 else size
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


def _section(mrkdwn: str) -> list[BlockJson]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": part}} for part in _chunks(mrkdwn) if part]


def _text(block: Text) -> list[BlockJson]:
    body = safe(block.text)
    if block.style == "heading":
        return _section(f"*{body}*")
    if block.style == "quote":
        return _section("\n".join(f"&gt; {line}" for line in body.splitlines() or [""]))
    if block.style == "context":
        return [{"type": "context", "elements": [{"type": "mrkdwn", "text": part}]} for part in _chunks(body)]
    return _section(body)


def button(b: Button) -> BlockJson:
    rendered: BlockJson = {"type": "button", "text": plain(b.label, 75), "action_id": b.action_id,
                           "value": b.value[:2000]}
    if b.style != "default":
        rendered["style"] = b.style
    return rendered


def _item(item: Item) -> list[BlockJson]:
    title = safe(item.text)
    if item.link:
        title = f"<{escape(item.link)}|{title}>"
    lines = f"{title}\n{safe(item.detail)}" if item.detail else title
    if item.lines:
        lines += "".join(f"\n  › {safe(line)}" for line in item.lines)
    blocks = _section(lines)
    if len(item.buttons) == 1 and blocks:
        blocks[-1]["accessory"] = button(item.buttons[0])
    elif item.buttons:
        blocks.append({"type": "actions", "elements": [button(b) for b in item.buttons[:25]]})
    return blocks


def _block(block: Block) -> list[BlockJson]:
    match block:
        case Text():
            return _text(block)
        case ListBlock(items=items):
            return [rendered for item in items for rendered in _item(item)]
        case Actions(buttons=buttons):
            return [{"type": "actions", "elements": [button(b) for b in buttons[:25]]}]
        case Mentions(lead=lead, people=people):
            who = " ".join(f"<@{escape(p.id)}>" for p in people)
            return _section(f"{safe(lead)} {who}".strip())
    return []


def render(reply: Reply, limit: int = MESSAGE_BLOCK_LIMIT) -> list[BlockJson]:
    """The reply's blocks as Block Kit JSON, at most ``limit`` of them, with unique ``block_id`` values."""
    rendered = [b for block in reply.blocks for b in _block(block)] or _section(safe(reply.text))
    if len(rendered) > limit:
        rendered = rendered[: limit - 1] + [{"type": "context", "elements": [{"type": "mrkdwn", "text": "…"}]}]
    for number, block in enumerate(rendered):
        block["block_id"] = f"kb{number}"
    return rendered


def fallback(reply: Reply) -> str:
    """The notification text (``text`` beside ``blocks``): inert, and short enough for any client."""
    text = safe(reply.text)
    return text if len(text) <= FALLBACK_LIMIT else text[: FALLBACK_LIMIT - 1] + "…"


def home_view(reply: Reply) -> BlockJson:
    return {"type": "home", "blocks": render(reply, HOME_BLOCK_LIMIT)}


# -- Forms: "Save to kbbot" (issue 14), the admin's settings (issue 18) ----------------------------------

MODAL_TITLE = 24
OPTION_TEXT = 75
INPUT_LIMIT = 3000
SELECT_OPTIONS = 100
LABEL_LIMIT = 2000
PLACEHOLDER = 150


_SLACK_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$")


def _option(value: str, label: str) -> BlockJson:
    return {"text": plain(label, OPTION_TEXT), "value": value[:150]}


def _element(field: FormField) -> BlockJson:
    """The Block Kit element for a field, by its kind, prefilled with its value."""
    value = field.value or ""
    match field.kind:
        case "choice":
            options = [_option(choice.value, choice.label) for choice in field.choices[-SELECT_OPTIONS:]]
            element: BlockJson = {"type": "static_select", "action_id": field.name, "options": options}
            initial = next((option for option in options if option["value"] == value), None)
            if initial is not None:
                element["initial_option"] = initial
            return element
        case "channel" if field.optional:
            # A single select cannot be emptied once chosen; a multi select of at most one can.
            element = {"type": "multi_conversations_select", "action_id": field.name, "max_selected_items": 1,
                       "filter": {"include": ["public"], "exclude_bot_users": True}}
            if value:
                element["initial_conversations"] = [value]
            if field.empty:
                element["placeholder"] = plain(field.empty, PLACEHOLDER)
            return element
        case "channel":
            element = {"type": "conversations_select", "action_id": field.name,
                       "filter": {"include": ["public"], "exclude_bot_users": True}}
            if value:
                element["initial_conversation"] = value
            return element
        case "time":
            element = {"type": "timepicker", "action_id": field.name}
            if _SLACK_TIME.match(value):  # Slack refuses a view whose time is not 00:00-23:59 (an end of 24:00)
                element["initial_time"] = value
            return element
        case "number":
            element = {"type": "number_input", "action_id": field.name, "is_decimal_allowed": False}
            if field.low is not None:
                element["min_value"] = str(field.low)
            if field.high is not None:
                element["max_value"] = str(field.high)
            if value:
                element["initial_value"] = value
            return element
    limit = min(field.max_length or INPUT_LIMIT, INPUT_LIMIT)
    element = {"type": "plain_text_input", "action_id": field.name, "max_length": limit}
    if field.kind == "long_text":
        element["multiline"] = True
    if value.strip():
        element["initial_value"] = neutralise(value)[:limit]
    return element


def _input(field: FormField) -> BlockJson:
    block: BlockJson = {"type": "input", "block_id": field.name, "label": plain(field.label, LABEL_LIMIT),
                        "element": _element(field)}
    if field.optional:
        block["optional"] = True
    if field.hint:
        block["hint"] = plain(field.hint, LABEL_LIMIT)
    return block


def modal(form: Form, callback_id: str, metadata: str) -> BlockJson:
    """The core's form as a modal: its notice, then one input block per field (``block_id`` and ``action_id``
    are the field's name, so a submission's values come back by it); only the notice when nothing can be filled in."""
    view: BlockJson = {"type": "modal", "callback_id": callback_id, "private_metadata": metadata,
                       "title": plain(form.title, MODAL_TITLE), "close": plain(form.close, MODAL_TITLE), "blocks": []}
    blocks: list[BlockJson] = view["blocks"]
    if form.notice:
        blocks.extend(_section(safe(form.notice)))
    if not form.savable:
        return view
    view["submit"] = plain(form.submit or "", MODAL_TITLE)
    for field in form.fields:
        if field.group:
            blocks.extend(_section(f"*{safe(field.group)}*"))
        blocks.append(_input(field))
    return view


def field_errors(errors: FieldErrors, form: Form | None = None, names: tuple[str, ...] = forms.FIELDS
                 ) -> dict[str, str]:
    """The core's field errors as ``response_action: errors`` wants them: block id → message."""
    known = form.names() if form is not None else names
    return {field: neutralise(message)[:LABEL_LIMIT] for field, message in errors.items() if field in known}
