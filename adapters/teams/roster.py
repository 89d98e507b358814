"""Who is in a Teams conversation, page by page.

A private channel's member list is the ground truth for who may see its
questions, so it must be complete: Teams answers the old one-shot
``GET /v3/conversations/{id}/members`` for large teams only throttled and cut
short, and documents the paged ``GET …/pagedmembers?pageSize=&continuationToken=``
as the way to list members (pages of 50 to 500, a ``continuationToken`` until
the last page). :func:`member_ids` walks every page.

All or nothing: the core makes the stored members *exactly* the list it is
given, so a list missing its last pages would take those people's sight of
the channel away. When any page fails the answer is None ("Teams would not
say") and the members known before stay as they were.

:class:`RosterSync` decides when to ask: the first time this process works
on a private channel's event, when its membership changed, and once the
list is :data:`RESYNC_EVERY` old (Teams does not reliably announce every
member who leaves). It is a step of the ingest path (run after the ack,
before the core sees the event), so the core knows the members before it
decides who may see a question asked there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from kbbot.clock import Clock, system_clock
from kbbot.contract.events import Actor, InboundEvent, MembersSynced, Place
from kbbot.contract.outbound import DeliveryFailed, RetryLater

from kbbot_adapters.teams import retry
from kbbot_adapters.teams.send import Courier, stored_origin
from kbbot_adapters.teams.translate import PLATFORM, Origin

if TYPE_CHECKING:
    from kbbot.pipeline.ingest import Ingest

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Teams' documented maximum; a smaller page only costs more round trips (each one throttled on its own).
PAGE_SIZE = 500
#: 500 pages of 500 is far beyond any Teams roster: more means the service keeps handing out tokens.
MAX_PAGES = 500
#: How old a private channel's member list may grow before activity there makes kbbot ask again.
RESYNC_EVERY = timedelta(hours=1)
#: Channels whose last sync this process remembers; the oldest is forgotten (and simply synced again).
MAX_TRACKED = 10_000

Runner = Callable[[Callable[[], Coroutine[Any, Any, Any]]], Any]
"""Runs a coroutine on the loop the connector clients live on and waits for it (``TeamsOutbound.run``)."""


async def member_ids(courier: Courier, origin: Origin, page_size: int = PAGE_SIZE) -> list[str] | None:
    """The ids of the people in ``origin``'s conversation (bots left out), or None when Teams would not say."""
    conversation_id = origin.conversation_id
    client = await courier.connectors.get(origin.service_url)
    found: dict[str, None] = {}  # ordered and without repeats: a page may repeat members of an earlier one
    token: str | None = None
    tokens_seen: set[str] = set()
    for page_number in range(1, MAX_PAGES + 1):
        try:
            page = await retry.call(
                lambda: client.conversations.get_conversation_paged_members(
                    conversation_id, page_size=page_size, continuation_token=token),
                courier.policy, f"listing members of {conversation_id} (page {page_number})")
        except (RetryLater, DeliveryFailed) as error:
            log.warning("Teams members not synced: %s", error)
            return None
        for account in getattr(page, "members", None) or []:
            if account.id and not account.id.startswith("28:"):
                found[account.id] = None
        token = getattr(page, "continuation_token", None) or None
        if token is None:
            return list(found)
        if token in tokens_seen:
            log.warning("Teams members of %s not synced: continuation token repeated on page %d",
                        conversation_id, page_number)
            return None
        tokens_seen.add(token)
    log.warning("Teams members of %s not synced: more than %d pages", conversation_id, MAX_PAGES)
    return None


class RosterSync:
    """Keeps private channels' members current: an ingest step, and the sync for events-less activities."""

    def __init__(self, courier: Courier, runner: Runner, clock: Clock = system_clock) -> None:
        self.courier = courier
        self.runner = runner
        self.clock = clock
        self.ingest: Ingest | None = None  # set once the ingest path this step belongs to is built
        self._synced: dict[str, datetime] = {}  # when this process last asked Teams, per channel

    def due(self, conversation_id: str) -> bool:
        """Whether the channel's member list is unknown to this process or old enough to ask again."""
        last = self._synced.get(conversation_id)
        return last is None or self.clock() - last >= RESYNC_EVERY

    def forget(self, conversation_id: str) -> None:
        """Ask again at the next event (its membership changed, or it is new to the bot)."""
        self._synced.pop(conversation_id, None)

    async def members_event(self, origin: Origin, actor: Actor, place: Place, key: str) -> MembersSynced | None:
        """Who is in ``origin``'s private channel, from Teams itself, as a core event; None when it would not say."""
        found = await member_ids(self.courier, origin)
        if found is None:
            return None
        self._synced[origin.conversation_id] = self.clock()
        if len(self._synced) > MAX_TRACKED:
            self._synced.pop(next(iter(self._synced)))
        return MembersSynced(platform=PLATFORM, workspace_id=origin.tenant_id, actor=actor, conversation=place,
                             event_id=f"members:{key}", member_ids=found)

    def __call__(self, event: InboundEvent, context: Mapping[str, Any]) -> InboundEvent:
        """The step: before a private channel's event reaches the core, its members are synced when due."""
        origin = stored_origin(context)
        if (isinstance(event, MembersSynced) or origin is None or origin.kind != "private"
                or not self.due(origin.conversation_id)):
            return event
        synced = self.runner(lambda: self.members_event(origin, event.actor, event.conversation, event.event_id))
        if synced is not None and self.ingest is not None:
            self.ingest.run(synced, context)
        return event
