"""The bot behind ``/api/messages``: authenticated activities in, core work out.

botbuilder has already validated the caller's JWT when :meth:`KbBot.on_turn`
runs. The turn then does only what must happen before Teams gets its answer:
store the conversation reference and persist each event
(:func:`kbbot.pipeline.inbox.accept`). A database error there propagates, botbuilder
answers 500 and Teams delivers again; a repeated activity is recognised and
changes nothing. The core's work and the replies run after the answer, in a
task, so slow sends or throttling never make Teams retry; the replies are
stored in the outbox with the event's DONE mark (kbbot/pipeline/outbox.py), so a
crash before they reach Teams leaves them for a sweep instead of losing them.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import logging
from collections.abc import Coroutine
from datetime import datetime, timedelta
from typing import Any

from botbuilder.core import Bot, TurnContext
from sqlalchemy.orm import Session, sessionmaker

from kbbot.pipeline import inbox, outbox
from kbbot.clock import Clock, system_clock
from kbbot.config import Settings
from kbbot.contract.events import InboundEvent, MembersSynced
from kbbot.store.db import unit_of_work

from kbbot_adapters.teams import references, roster
from kbbot_adapters.teams.send import Batch, Courier
from kbbot_adapters.teams.translate import PLATFORM, Origin, Translation, translate

log = logging.getLogger(__name__)

#: The activity exactly as Teams posted it. botbuilder's Activity model drops what its schema does not
#: name (a mention entity's ``mentioned`` and ``text``), so the endpoint hands the raw JSON to the turn.
RAW_ACTIVITY: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("teams_raw_activity",
                                                                                    default=None)


class KbBot(Bot):
    """Turns Teams activities into core events, exactly once each."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, courier: Courier,
                 clock: Clock = system_clock) -> None:
        self.sessions = sessions
        self.settings = settings
        self.courier = courier
        self.clock = clock
        self._tasks: set[asyncio.Task[None]] = set()
        # When this process last asked Teams who is in each private channel (clock time).
        self._synced: dict[str, datetime] = {}

    async def on_turn(self, context: TurnContext) -> None:
        raw = RAW_ACTIVITY.get()
        activity: dict[str, Any] = raw if raw is not None else context.activity.serialize()
        translation = translate(activity)
        if translation is None:
            return
        if self._foreign(translation.origin.tenant_id):
            log.warning("activity from tenant %s ignored: this single-tenant bot serves %s",
                        translation.origin.tenant_id, self.settings.teams_tenant_id)
            return
        now = self.clock()
        new_place = await asyncio.to_thread(self._remember, activity, translation.origin, now)
        accepted = [event for event in translation.events
                    if await asyncio.to_thread(inbox.accept, self.sessions, event, now)]
        resync = translation.origin.kind == "private" and (
            new_place or _membership_changed(activity) or self._sync_due(translation.origin.conversation_id, now))
        if accepted or resync:
            self._spawn(self._work(translation, accepted, resync))

    def _sync_due(self, conversation_id: str, now: datetime) -> bool:
        """Whether a private channel's member list is old enough to ask Teams again.

        Teams does not reliably announce every member who leaves a private
        channel, so the list is refreshed on activity at most every
        :data:`RESYNC_EVERY`, besides on install and on membership events.
        """
        last = self._synced.get(conversation_id)
        return last is None or now - last >= RESYNC_EVERY

    def _foreign(self, tenant_id: str) -> bool:
        """A single-tenant bot serves its own organisation only, whatever another tenant sends it."""
        single = self.settings.teams_app_type.casefold() == "singletenant" or not self.settings.teams_app_password
        return bool(single and self.settings.teams_tenant_id and tenant_id != self.settings.teams_tenant_id)

    # -- before the answer ------------------------------------------------------------------
    def _remember(self, activity: dict[str, Any], origin: Origin, now: datetime) -> bool:
        """Store the references this activity proves; True when its conversation is new to the bot."""
        # A ConversationReference in botbuilder's JSON shape, for the conversation itself (not one thread).
        reference = {"bot": activity.get("recipient"), "user": activity.get("from"), "locale": activity.get("locale"),
                     "channelId": origin.channel_id, "serviceUrl": origin.service_url,
                     "conversation": {**(activity.get("conversation") or {}), "id": origin.conversation_id}}
        with unit_of_work(self.sessions) as session:
            new = references.remember(session, origin.tenant_id, references.CONVERSATION, origin.conversation_id,
                                      origin.conversation_id, origin.service_url, reference, now)
            if origin.kind == "dm" and origin.actor_id and not origin.actor_id.startswith("28:"):
                references.remember(session, origin.tenant_id, references.PERSON, origin.actor_id,
                                    origin.conversation_id, origin.service_url, reference, now)
        return new

    # -- after the answer -------------------------------------------------------------------
    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait until every accepted activity has been processed and answered (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _work(self, translation: Translation, events: list[InboundEvent], resync: bool) -> None:
        origin = translation.origin
        try:
            if resync:
                synced = await self._members_event(translation)
                if synced is not None and await asyncio.to_thread(inbox.accept, self.sessions, synced, self.clock()):
                    events = [synced, *events]
            context = dataclasses.asdict(origin)
            for event in events:
                # Stored with the DONE mark, so a crash before they reach Teams cannot lose them.
                parcels = await asyncio.to_thread(inbox.process_to_outbox, self.sessions, event, self.settings,
                                                  self.clock(), context)
                if parcels:
                    batch = self.courier.batch(origin)

                    async def send(parcel: outbox.Parcel, batch: Batch = batch) -> object:
                        return await self.courier.send(batch, parcel.workspace_id, parcel.reply, origin)

                    await outbox.deliver_async(self.sessions, parcels, send, self.clock)
        except Exception:
            log.exception("Teams activity %s in %s not fully handled", origin.activity_id, origin.conversation_id)

    async def _members_event(self, translation: Translation) -> MembersSynced | None:
        """Who is in a private channel, from Teams itself: the ground truth for who may see its questions."""
        origin = translation.origin
        member_ids = await roster.member_ids(self.courier, origin)
        if member_ids is None:
            return None
        self._synced[origin.conversation_id] = self.clock()
        if len(self._synced) > MAX_TRACKED:
            self._synced.pop(next(iter(self._synced)))
        return MembersSynced(platform=PLATFORM, workspace_id=origin.tenant_id, actor=translation.actor,
                             conversation=translation.place, event_id=f"members:{translation.key}",
                             member_ids=member_ids)


RESYNC_EVERY = timedelta(hours=1)
MAX_TRACKED = 10_000


def _membership_changed(activity: dict[str, Any]) -> bool:
    return activity.get("type") == "conversationUpdate" and bool(
        activity.get("membersAdded") or activity.get("membersRemoved"))
