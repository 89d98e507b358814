"""The Bolt listeners: what kbbot handles, declared once.

:data:`COMMANDS`, :data:`EVENTS` and :data:`ACTIONS` drive the registration
below *and* the manifest test, so code and ``manifest.yaml`` cannot drift
apart. Every listener does the same three things: translate the payload
(:mod:`.translate`), hand it with its context (the :class:`~.send.Origin`,
and the channel whose members to ask for) to the core's
:class:`~kbbot.pipeline.ingest.Ingest` (which persists it), acknowledge. No
business rule lives here.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners

from kbbot.contract import actions
from kbbot.contract.events import ConversationKindName, InboundEvent, Place
from kbbot.pipeline import forms
from kbbot.pipeline.ingest import Ingest
from kbbot_adapters.slack import render, translate
from kbbot_adapters.slack.bounded import Bounded
from kbbot_adapters.slack.lookups import CACHED, ConversationKinds, profiles_of, read_thread
from kbbot_adapters.slack.send import Origin

log = logging.getLogger(__name__)

COMMANDS = ("/ask", "/kb", "/experts", "/expertise")
"""Slash commands, as declared under ``features.slash_commands`` in the manifest."""

EVENTS: dict[str, tuple[str, ...]] = {
    "message": ("message.channels", "message.groups", "message.im", "message.mpim"),
    "app_mention": ("app_mention",),
    "reaction_added": ("reaction_added",),
    "reaction_removed": ("reaction_removed",),
    "app_home_opened": ("app_home_opened",),
    "member_joined_channel": ("member_joined_channel",),
    "member_left_channel": ("member_left_channel",),
    "app_uninstalled": ("app_uninstalled",),
    "tokens_revoked": ("tokens_revoked",),
    "user_change": ("user_change",),
    "team_join": ("team_join",),
}
"""Bolt event type → the manifest's ``bot_events`` subscriptions that deliver it."""

MEMBER_EVENTS = ("member_joined_channel", "member_left_channel")
REMOVAL_EVENTS = ("app_uninstalled", "tokens_revoked")

ACTIONS = re.compile("^kb_")
"""Every button the core renders has an action id starting with ``kb_`` (kbbot/contract/actions.py)."""


class Listeners:
    """Registers kbbot's listeners on a Bolt app; holds the per-process caches they share."""

    def __init__(self, ingest: Ingest, kinds: ConversationKinds | None = None,
                 revocation: AsyncTokenRevocationListeners | None = None) -> None:
        self.ingest = ingest
        self.kinds = kinds or ConversationKinds()
        # Bolt's own handling of uninstalls: the stored tokens go (OAuth installs only).
        self.revocation = revocation
        self._dm_channels: Bounded[tuple[str, str], str] = Bounded(CACHED)

    def register(self, app: AsyncApp) -> None:
        # One listener per kind, matching every name by pattern: Bolt tries listeners one by one
        # for each request, and a dozen of them were a noticeable part of every acknowledgement.
        app.command(_exactly(COMMANDS))(_refusing_invalid(self.on_command))
        app.event(_exactly(tuple(EVENTS)))(_refusing_invalid(self.on_event))
        app.action(ACTIONS)(_refusing_invalid(self.on_action))
        app.shortcut(translate.SAVE_CALLBACK)(_refusing_invalid(self.on_save_shortcut))
        app.view(translate.SAVE_CALLBACK)(_refusing_invalid(self.on_save_submission))
        app.view(translate.FORM_CALLBACK)(_refusing_invalid(self.on_form_submission))

    async def _submit(self, ack: AsyncAck, event: InboundEvent | None, origin: Origin,
                      roster: str | None = None) -> None:
        """Persist (raising, so that Slack delivers again, when that fails), then acknowledge."""
        await self._submit_all(ack, [event] if event is not None else [], origin, roster)

    async def _submit_all(self, ack: AsyncAck, events: list[InboundEvent], origin: Origin,
                          roster: str | None = None) -> None:
        """As :meth:`_submit`, for what one payload stands for, worked in this order."""
        if events:
            await self.ingest.receive_all(events, context_of(origin, roster))
        await ack()

    async def on_command(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        channel = body["channel_id"]
        hint = translate.kind_hint(channel, None, body.get("channel_name"))
        kind = await self.kinds.resolve(context.client, body["team_id"], channel, hint)
        origin = Origin(user_id=body["user_id"], channel_id=channel, response_url=body.get("response_url"))
        await self._submit(ack, translate.command(body, kind), origin)

    async def on_event(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        payload = body["event"]
        if payload.get("type") in REMOVAL_EVENTS:
            await self._removed(ack, body, context)
            return
        team_id = body.get("team_id") or context.team_id or ""
        channel = _event_channel(payload)
        kind = None
        if channel:
            hint = translate.kind_hint(channel, _CHANNEL_TYPE_LETTERS.get(payload.get("channel_type", ""),
                                                                          payload.get("channel_type")))
            kind = await self.kinds.resolve(context.client, team_id, channel, hint)
        if payload.get("type") == "app_home_opened" and payload.get("channel"):
            self._dm_channels.put((team_id, payload["user"]), payload["channel"])
        roster = None
        if payload.get("type") == "member_joined_channel" and kind is not None:
            # Who may see the channel's questions first, then the newcomer's welcome (which lists them).
            synced, roster = self._membership(body, kind)
            joined = translate.joined_channel(body, kind, context.bot_user_id)
            events = [found for found in (synced, joined) if found is not None]
            await self._submit_all(ack, events, Origin(user_id=payload.get("user"), channel_id=channel), roster)
            return
        if payload.get("type") == "team_join":
            # Who they are (a guest?) first, then the newcomer's welcome.
            events = [found for found in (translate.person_changed(body), translate.team_join(body)) if found is not None]
            user = events[0].actor.id if events else None
            await self._submit_all(ack, events, Origin(user_id=user, channel_id=channel), None)
            return
        if payload.get("type") in MEMBER_EVENTS:
            event, roster = self._membership(body, kind)
        elif payload.get("subtype") == "channel_convert_to_private":
            # From now on only its members may see its questions: record the kind and who they are.
            event, roster = self._membership(body, "private")
        else:
            event = translate.event(body, kind, context.bot_user_id)
        user = event.actor.id if event is not None else None
        await self._submit(ack, event, Origin(user_id=user, channel_id=channel), roster)

    async def _removed(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        """Forget the revoked tokens as Bolt does, and tell the core to stop writing to the workspace."""
        payload = body["event"]
        if self.revocation is not None:
            if payload["type"] == "app_uninstalled":
                await self.revocation.handle_app_uninstalled_events(context)
            else:
                await self.revocation.handle_tokens_revoked_events(payload, context)
        await self._submit(ack, translate.removal(body), Origin(user_id=None, channel_id=None))

    @staticmethod
    def _membership(body: dict[str, Any], kind: ConversationKindName | None) -> tuple[InboundEvent | None, str | None]:
        """Someone joined or left a private conversation: who may see its questions must be synced.

        Public channels' questions are visible to everyone anyway. Who is in the
        channel now is asked after the ack (a large channel takes many pages,
        more than Slack's 3 seconds allow); see :class:`.lookups.Roster`.
        """
        if kind not in ("private", "group"):
            return None, None
        return translate.membership(body, kind, []), body["event"]["channel"]

    async def on_action(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        team_id = (body.get("team") or {}).get("id") or context.team_id or ""
        user_id = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        kind = None
        if channel:
            hint = translate.kind_hint(channel, None, (body.get("channel") or {}).get("name"))
            kind = await self.kinds.resolve(context.client, team_id, channel, hint)
        place = translate.button_place(body, kind, self._dm_channels.get((team_id, user_id)))
        container = body.get("container") or {}
        origin = Origin(user_id=user_id, channel_id=place.id if place else None,
                        response_url=body.get("response_url"), replaceable=bool(container.get("is_ephemeral")))
        action = body["actions"][0]
        if action.get("action_id") == actions.OPEN_FORM and place is not None:
            await ack()
            await self._open_form(body, action, place, origin, context)
            return
        event = translate.button(body, action, place) if place is not None else None
        await self._submit(ack, event, origin)

    # -- The core's forms opened by a button (the admin's settings) ----------------------------------
    async def _open_form(self, body: dict[str, Any], action: dict[str, Any], place: Place, origin: Origin,
                         context: AsyncBoltContext) -> None:
        """Ask the core for the form and open it as a modal while Slack's ``trigger_id`` is still good."""
        user_id = body["user"]["id"]
        profiles = await profiles_of(context.client, {user_id})
        request = translate.form_request(body, action, place, profiles.get(user_id))
        ingest = self.ingest
        form = await asyncio.to_thread(forms.open_form, ingest.sessions, ingest.settings, ingest.clock(), request)
        metadata = translate.form_metadata(form.form, place, origin.response_url, origin.replaceable)
        try:
            await context.client.views_open(trigger_id=body["trigger_id"],
                                            view=render.modal(form, translate.FORM_CALLBACK, metadata))
        except SlackApiError as error:  # the trigger expired (three seconds): nothing changed, they can click again
            log.warning("form not opened in Slack workspace %s: %s", request.workspace_id,
                        error.response.get("error"))

    async def on_form_submission(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        """A submitted form: the core's field errors in place, its refusal instead of the form, or the change
        persisted (the core checks it once more) and the modal closed."""
        found = translate.form_origin(body)
        if found is None:
            log.warning("a form came back without kbbot's metadata; ignored")
            await ack()
            return
        team_id = (body.get("team") or {}).get("id") or context.team_id or ""
        channel = found["channel"]
        kind = await self.kinds.resolve(context.client, team_id, channel, translate.kind_hint(channel))
        event = translate.form_submission(body, kind)
        if event is None:
            await ack()
            return
        profiles = await profiles_of(context.client, {event.actor.id})
        profile = profiles.get(event.actor.id)
        if profile is not None:  # who administers is what Slack says now, not what the payload claims
            event = event.model_copy(update={"actor": event.actor.model_copy(update={
                "name": profile.name or event.actor.name, "locale": profile.locale, "is_admin": profile.is_admin})})
        ingest = self.ingest
        verdict = await asyncio.to_thread(forms.form_verdict, ingest.sessions, ingest.settings, ingest.clock(), event)
        if verdict is not None and verdict.savable:
            await ack(response_action="errors", errors=render.field_errors(verdict.errors, verdict))
            return
        if verdict is not None:
            await ack(response_action="update", view=render.modal(verdict, translate.FORM_CALLBACK,
                                                                 body["view"].get("private_metadata") or ""))
            return
        origin = Origin(user_id=event.actor.id, channel_id=channel, response_url=found.get("response_url"),
                        replaceable=bool(found.get("replaceable")))
        await self._submit(ack, event, origin)


    # -- "Save to kbbot" -------------------------------------------------------------------
    async def on_save_shortcut(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        """The message shortcut: read the thread and open the core's form, all within Slack's three seconds."""
        await ack()
        if body.get("type") != "message_action" or not isinstance(body.get("message"), dict):
            return  # only a message has a thread to save
        team_id = (body.get("team") or {}).get("id") or context.team_id or ""
        channel = body["channel"]
        hint = translate.kind_hint(channel["id"], None, channel.get("name"))
        kind = await self.kinds.resolve(context.client, team_id, channel["id"], hint)
        root = translate.thread_root(body["message"])
        messages = await read_thread(context.client, channel["id"], root, join=kind == "channel")
        saver = body["user"]["id"]
        authors = {str(m["user"]) for m in messages or [] if m.get("user") and not m.get("bot_id")}
        profiles = await profiles_of(context.client, authors | {saver})
        names = {user: profile.name if profile else None for user, profile in profiles.items()}
        found = translate.unreadable(root) if messages is None else translate.thread(root, messages, names)
        request = translate.save_request(body, kind, found, profiles.get(saver))
        ingest = self.ingest
        form = await asyncio.to_thread(forms.save_form, ingest.sessions, ingest.settings, ingest.clock(), request)
        view = render.modal(form, translate.SAVE_CALLBACK, translate.save_metadata(channel["id"], root))
        try:
            await context.client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as error:  # the trigger expired (three seconds): nothing changed, they can click again
            log.warning("save form not opened in Slack workspace %s: %s", team_id, error.response.get("error"))

    async def on_save_submission(self, ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        """The submitted modal: the core's field errors in place, or the save persisted and the modal closed."""
        place = translate.saved_place(body)
        if place is None:
            log.warning("a save form came back without kbbot's metadata; ignored")
            await ack()
            return
        team_id = (body.get("team") or {}).get("id") or context.team_id or ""
        channel = place[0]
        kind = await self.kinds.resolve(context.client, team_id, channel, translate.kind_hint(channel))
        event = translate.save_submission(body, kind)
        if event is None:
            await ack()
            return
        ingest = self.ingest
        errors = await asyncio.to_thread(forms.save_problems, ingest.sessions, ingest.settings, ingest.clock(), event)
        if errors:
            await ack(response_action="errors", errors=render.field_errors(errors))
            return
        await self._submit(ack, event, Origin(user_id=event.actor.id, channel_id=channel))


Handler = Callable[[AsyncAck, dict[str, Any], AsyncBoltContext], Awaitable[None]]


def _refusing_invalid(handler: Handler) -> Handler:
    """Acknowledge and drop a payload the core's event models refuse (an id no Slack id is like).

    Slack would retry a 500 as often as it may, and the same payload would be
    refused each time. Only the fields at fault are logged, never what people wrote.
    """
    async def listener(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
        try:
            await handler(ack, body, context)
        except ValidationError as error:
            log.warning("slack payload refused by the event model (team %s): %s", context.team_id,
                        [".".join(map(str, problem["loc"])) for problem in error.errors()])
            await ack()

    return listener


def context_of(origin: Origin, roster: str | None = None) -> dict[str, object]:
    """What is stored with an event for its replies and its steps after the ack (JSON)."""
    context = origin.context()
    if roster:
        context["roster"] = roster
    return context


# member_joined_channel/member_left_channel say "C" (public) or "G" (private) instead of a word.
_CHANNEL_TYPE_LETTERS = {"C": "channel", "G": "group"}


def _exactly(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("^(?:" + "|".join(re.escape(name) for name in names) + ")$")


def _event_channel(payload: dict[str, Any]) -> str | None:
    if payload.get("type") in ("reaction_added", "reaction_removed"):
        return (payload.get("item") or {}).get("channel")
    if payload.get("type") == "app_home_opened":
        return None  # the App Home is the person's own DM with the bot
    return payload.get("channel")
