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

from typing import Any

from kbbot.text.mentions import neutralise
from kbbot.contract import forms
from kbbot.contract.forms import FieldErrors, SaveForm
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


# -- "Save to kbbot" (issue 14) -----------------------------------------------------------------------

MODAL_TITLE = 24
OPTION_TEXT = 75
INPUT_LIMIT = 3000
SELECT_OPTIONS = 100


def _option(value: str, label: str) -> BlockJson:
    return {"text": plain(label, OPTION_TEXT), "value": value[:150]}


def save_modal(form: SaveForm, callback_id: str, metadata: str) -> BlockJson:
    """The core's save form as a modal: question, the reply that answers it, tags; or only why not."""
    view: BlockJson = {"type": "modal", "callback_id": callback_id, "private_metadata": metadata,
                       "title": plain(form.title, MODAL_TITLE), "close": plain(form.close, MODAL_TITLE), "blocks": []}
    blocks: list[BlockJson] = view["blocks"]
    if form.notice:
        blocks.extend(_section(safe(form.notice)))
    if not form.savable:
        return view
    view["submit"] = plain(form.submit or "", MODAL_TITLE)
    question: BlockJson = {"type": "plain_text_input", "action_id": forms.QUESTION, "multiline": True,
                           "max_length": INPUT_LIMIT}
    if form.question.strip():
        question["initial_value"] = neutralise(form.question)[:INPUT_LIMIT]
    options = [_option(choice.value, choice.label) for choice in form.choices[-SELECT_OPTIONS:]]
    answer: BlockJson = {"type": "static_select", "action_id": forms.ANSWER, "options": options}
    initial = next((option for option in options if option["value"] == form.answer), None)
    if initial is not None:
        answer["initial_option"] = initial
    tags: BlockJson = {"type": "plain_text_input", "action_id": forms.TAGS, "max_length": INPUT_LIMIT}
    if form.tags:
        tags["initial_value"] = form.tags
    blocks.extend([
        {"type": "input", "block_id": forms.QUESTION, "label": plain(form.question_label, 2000), "element": question},
        {"type": "input", "block_id": forms.ANSWER, "label": plain(form.answer_label, 2000), "element": answer},
        {"type": "input", "block_id": forms.TAGS, "label": plain(form.tags_label, 2000), "element": tags,
         "optional": True, "hint": plain(form.tags_hint, 2000)},
    ])
    return view


def field_errors(errors: FieldErrors) -> dict[str, str]:
    """The core's field errors as ``response_action: errors`` wants them: block id → message."""
    return {field: neutralise(message)[:2000] for field, message in errors.items() if field in forms.FIELDS}
