"""The core's replies as Teams messages: one Adaptive Card per reply.

Every piece of text passes through :func:`kbbot.text.mentions.neutralise`, so an
``<at>`` tag or ``@channel`` someone typed is shown, never sent as a
mention. The only real mentions are the people of a
:class:`~kbbot.contract.replies.Mentions` block, declared in the card's
``msteams.entities`` as Teams requires. Buttons are ``Action.Submit`` whose
data carries the core's action id and value back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kbbot.text.mentions import neutralise
from kbbot.contract.actions import OPEN_FORM
from kbbot.contract.forms import Choice, FieldErrors, Form, FormField
from kbbot.contract.replies import Actions, Button, Item, ListBlock, Mentions, Reply, Text

from kbbot_adapters.teams.translate import ACTION_KEY, VALUE_KEY, channel_dataset

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"  # what Teams renders on desktop, web and mobile
TASK_CARD_VERSION = "1.5"
"""A form's card: ``Input.ChoiceSet``'s ``style: filtered`` is schema 1.5, and Microsoft's typeahead examples for
Teams put ``choices.data`` in 1.2 and 1.5 cards (https://learn.microsoft.com/microsoftteams/platform/
task-modules-and-cards/cards/dynamic-search); Teams renders 1.5 on desktop, web and mobile."""
_STYLES = {"primary": "positive", "danger": "destructive"}


def _escape_mention_name(name: str) -> str:
    # A display name is user content too; it goes inside <at>…</at>, so no tags of its own.
    return neutralise(name).replace("<", "‹").replace(">", "›")


_JOINER = "\u2060"
_MARKDOWN = re.compile(r"(\]\()|(\*\*|__|~~)|(^\s*(?:[-*+]|\d+\.)\s)|(!\[)", re.MULTILINE)


def inert_markdown(text: str) -> str:
    """Text that shows as typed: links, images, bold and list markers broken by a word joiner.

    A TextBlock renders Markdown, so ``[Approve](https://evil.example)`` in a
    question would otherwise become a working link inside a card kbbot signed.
    """
    return _MARKDOWN.sub(lambda m: m.group(0)[0] + _JOINER + m.group(0)[1:], text)


def _text_block(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": inert_markdown(neutralise(text)), "wrap": True, **extra}


def _action(button: Button) -> dict[str, Any]:
    action: dict[str, Any] = {"type": "Action.Submit", "title": neutralise(button.label),
                              "data": {ACTION_KEY: button.action_id, VALUE_KEY: button.value}}
    if button.action_id == OPEN_FORM:
        action["data"]["msteams"] = {"type": "task/fetch"}  # Teams asks for the form (a task module) at once
    if button.style in _STYLES:
        action["style"] = _STYLES[button.style]
    return action


def _action_set(buttons: list[Button]) -> dict[str, Any]:
    return {"type": "ActionSet", "actions": [_action(b) for b in buttons]}


def _item(item: Item) -> dict[str, Any]:
    items: list[dict[str, Any]] = [_text_block(item.text, weight="Bolder")]
    if item.detail:
        items.append(_text_block(item.detail, isSubtle=True, size="Small", spacing="None"))
    items.extend(_text_block(line, size="Small", spacing="None") for line in item.lines)
    if item.buttons:
        items.append(_action_set(item.buttons))
    container: dict[str, Any] = {"type": "Container", "separator": True, "items": items}
    if item.link:
        container["selectAction"] = {"type": "Action.OpenUrl", "url": item.link}
    return container


def card(reply: Reply) -> dict[str, Any]:
    """The Adaptive Card for ``reply``."""
    body: list[dict[str, Any]] = []
    entities: list[dict[str, Any]] = []
    for block in reply.blocks:
        if isinstance(block, Text):
            if block.style == "heading":
                body.append(_text_block(block.text, weight="Bolder", size="Medium"))
            elif block.style == "quote":
                body.append({"type": "Container", "style": "emphasis", "items": [_text_block(block.text)]})
            elif block.style == "context":
                body.append(_text_block(block.text, isSubtle=True, size="Small"))
            else:
                body.append(_text_block(block.text))
        elif isinstance(block, ListBlock):
            body.extend(_item(item) for item in block.items)
        elif isinstance(block, Actions):
            body.append(_action_set(block.buttons))
        elif isinstance(block, Mentions):
            tags = []
            for person in block.people:
                tag = f"<at>{_escape_mention_name(person.name or person.id)}</at>"
                tags.append(tag)
                entities.append({"type": "mention", "text": tag,
                                 "mentioned": {"id": person.id, "name": person.name or person.id}})
            body.append({"type": "TextBlock", "wrap": True, "text": f"{neutralise(block.lead)} {' '.join(tags)}"})
    if not body:
        body.append(_text_block(reply.text))
    content: dict[str, Any] = {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": CARD_VERSION,
                               "lang": reply.locale, "fallbackText": neutralise(reply.text), "body": body,
                               "msteams": {"width": "Full"}}
    if entities:
        content["msteams"]["entities"] = entities
    return content


def message(reply: Reply) -> dict[str, Any]:
    """The activity JSON (Bot Connector shape) carrying ``reply``'s card."""
    return {"type": "message", "summary": neutralise(reply.text)[:250], "locale": reply.locale,
            "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card(reply)}]}


# -- Forms: "Save to kbbot" (issue 14), the admin's settings (issue 18) ----------------------------------

TASK_SIZE = "medium"
MAX_INPUT = 3000
LONG_CHOICE = 40
"""A choice list with a label longer than this reads better laid out (radio buttons) than folded away."""
CLOSED: dict[str, Any] = {}
"""The answer to a submitted message-action task module that closes it: an empty messaging extension response."""


def _error_block(message: str | None) -> list[dict[str, Any]]:
    return [_text_block(message, color="Attention", size="Small", spacing="None")] if message else []


def _channel(field: FormField, common: dict[str, Any], dataset: str) -> dict[str, Any]:
    """A channel field as a typeahead: the channel in force its one static choice, the others asked for as typed.

    Listing every channel kbbot knows in every channel field (a settings form
    has up to 17) would outgrow what Teams accepts: "The message size limit is
    28 KB. When the size exceeds 28 KB, you receive an error"
    (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook),
    and Microsoft's answer for large data sets is dynamic typeahead search: ``choices.data`` of type
    ``Data.Query`` names a dataset, Teams sends the bot an ``application/search`` invoke as the person types
    (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/dynamic-search), answered
    in :meth:`kbbot_adapters.teams.turns.Turns.receive` with the core's matches.
    """
    value = field.value or ""
    choices = [{"title": neutralise(c.label), "value": c.value} for c in field.choices]
    if value and value not in {c.value for c in field.choices}:
        choices.insert(0, {"title": f"#{neutralise(value)}", "value": value})  # in force, though unknown here
    if field.optional:  # "nothing chosen" is a choice of its own: the way back to the default
        choices.insert(0, {"title": neutralise(field.empty or "—"), "value": ""})
    return {"type": "Input.ChoiceSet", **common, "style": "filtered", "value": value, "choices": choices,
            "choices.data": {"type": "Data.Query", "dataset": dataset}}


def _input(field: FormField, data: dict[str, Any], dataset: str = "") -> list[dict[str, Any]]:
    """A field as Adaptive Card elements, by its kind; a choice with one option is shown, its value sent as data."""
    value = field.value or ""
    common: dict[str, Any] = {"id": field.name, "label": neutralise(field.label), "isRequired": not field.optional}
    if field.kind == "choice" and len(field.choices) == 1 and not field.optional:
        data[field.name] = field.choices[0].value
        return [_text_block(field.label, weight="Bolder", spacing="Medium"),
                {"type": "Container", "style": "emphasis", "items": [_text_block(field.choices[0].label)]}]
    match field.kind:
        case "channel":
            element = _channel(field, common, dataset)
        case "choice":
            choices = [{"title": neutralise(c.label), "value": c.value} for c in field.choices]
            if value and value not in {c.value for c in field.choices}:
                choices.insert(0, {"title": neutralise(value), "value": value})  # in force, though unknown here
            if field.optional:  # a compact choice set cannot be emptied: "nothing chosen" is a choice of its own
                choices.insert(0, {"title": neutralise(field.empty or "—"), "value": ""})
            long = any(len(c.label) > LONG_CHOICE for c in field.choices)
            element = {"type": "Input.ChoiceSet", **common, "style": "expanded" if long else "compact",
                       "value": value, "choices": choices}
        case "time":
            element = {"type": "Input.Time", **common, "value": value}
        case "number":
            element = {"type": "Input.Number", **common, "value": value}
            if field.low is not None:
                element["min"] = field.low
            if field.high is not None:
                element["max"] = field.high
        case _:
            limit = min(field.max_length or MAX_INPUT, MAX_INPUT)
            element = {"type": "Input.Text", **common, "maxLength": limit, "value": neutralise(value)[:limit]}
            if field.kind == "long_text":
                element["isMultiline"] = True
    below = bool(field.hint) and field.kind not in ("text", "long_text")
    if field.placeholder or (field.hint and not below):  # a hint shown below is not said twice: a form's size counts
        element["placeholder"] = neutralise(field.placeholder or field.hint)
    shown = [element]
    if below:
        shown.append(_text_block(field.hint, isSubtle=True, size="Small", spacing="None"))
    return shown


def task(form: Form, data: Mapping[str, Any]) -> dict[str, Any]:
    """The core's form as a task module response (the body of a ``task/fetch`` or message action's invoke answer).

    ``data`` comes back with the submission beside the inputs' values (what
    the form was about); the form's ``errors`` are shown under the fields
    they name. A form with nothing to fill in is a plain message dialog.
    """
    if not form.savable:
        return {"task": {"type": "message", "value": neutralise(form.notice or form.title)}}
    body: list[dict[str, Any]] = []
    if form.notice:
        body.append(_text_block(form.notice, isSubtle=True, size="Small"))
    sent = dict(data)
    for field in form.fields:
        if field.group:
            body.append(_text_block(field.group, weight="Bolder", size="Medium", spacing="Large", separator=True))
        body.extend(_input(field, sent, channel_dataset(form.form)))
        body.extend(_error_block(form.errors.get(field.name)))
    card = {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": TASK_CARD_VERSION, "lang": form.locale,
            "body": body, "actions": [{"type": "Action.Submit", "title": neutralise(form.submit or ""), "data": sent}]}
    return {"task": {"type": "continue", "value": {"title": neutralise(form.title), "height": TASK_SIZE,
                                                   "width": TASK_SIZE,
                                                   "card": {"contentType": CARD_CONTENT_TYPE, "content": card}}}}


def save_task(form: Form, root_key: str, values: Mapping[str, Any] | None = None,
              errors: FieldErrors | None = None) -> dict[str, Any]:
    """The save form as a message action's task module: ``values`` (what was submitted) shown again with ``errors``."""
    if values is not None or errors:
        form = form.again({name: value for name, value in (values or {}).items() if name in form.names()},
                          errors or {})
    return task(form, {root_key: form.key})


SEARCH_RESPONSE = "application/vnd.microsoft.search.searchResponse"


def search_results(choices: list[Choice]) -> dict[str, Any]:
    """The body answering an ``application/search`` invoke: each choice a result (``title``, ``value``), in order.

    Shaped as Microsoft documents it: ``{"type": "application/vnd.microsoft.search.searchResponse",
    "value": {"results": [{"title", "value"}]}}``; no choices is an empty list (nothing to offer).
    """
    return {"type": SEARCH_RESPONSE,
            "value": {"results": [{"title": neutralise(choice.label), "value": choice.value} for choice in choices]}}
