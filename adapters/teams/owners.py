"""Whether the person addressing kbbot in a team's channel owns that team: Teams' fact, asked of Graph.

The Bot Connector names a channel message's author but not their role in the
team, so :class:`TeamOwners`, a step of the ingest path (after the ack, like
:class:`.roles.GuestRoles`), asks Microsoft Graph (:mod:`.graph`) and sets
``Actor.owns_place`` before the core sees the event. Only for what people say
or click *to kbbot* in a team's channels (a command, an @mention, a card's
button): where a person's authority may matter, and never for every message
in a busy channel. What ownership allows is the core's to decide
(:mod:`kbbot.privacy.admins`); the adapter only reports it.

Answers are kept for :data:`OWNER_TTL` seconds per team and person, so a
string of commands costs one Graph call, and a demoted owner is no longer one
within minutes. Graph not configured or failing leaves the flag unset: not
known, and the core grants nothing on it. A refusal (the team gave no
consent) is remembered for :data:`REFUSED_TTL` seconds, so a team without
consent costs Graph one question a minute, not one per command; an outage
is not remembered.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from kbbot.contract.events import ButtonClicked, CommandInvoked, InboundEvent, MessagePosted

from kbbot_adapters.teams.graph import UNAVAILABLE, Graph
from kbbot_adapters.teams.send import stored_origin

OWNER_TTL = 300.0
"""Seconds an answer of Graph about one person in one team is used."""
REFUSED_TTL = 60.0
"""Seconds Graph's refusal to say (no consent, credentials refused) is believed without asking again."""
CACHED = 10_000
"""Answers kept at most (team, person); the oldest go first."""


class TeamOwners:
    """The step: an event addressed to kbbot in a team's channel, with whether its author owns the team."""

    def __init__(self, graph: Graph, ttl: float = OWNER_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.graph = graph
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], tuple[bool | None, float]] = {}

    def __call__(self, event: InboundEvent, context: Mapping[str, Any]) -> InboundEvent:
        if not _addressed_to_kbbot(event) or event.actor.owns_place is not None or not event.actor.directory_id:
            return event
        origin = stored_origin(context)
        if origin is None or not origin.is_channel or not origin.team_group_id or not self.graph.configured:
            return event
        owns = self.owns(origin.tenant_id, origin.team_group_id, event.actor.directory_id)
        if owns is None:
            return event
        return event.model_copy(update={"actor": event.actor.model_copy(update={"owns_place": owns})})

    def owns(self, tenant_id: str, group_id: str, aad_id: str) -> bool | None:
        """Whether the person owns the team, from the cache or Graph; None: not known."""
        key, now = (group_id, aad_id.casefold()), self.clock()
        with self._lock:
            known = self._known.get(key)
        if known is not None and known[1] > now:
            return known[0]
        found = self.graph.is_owner(tenant_id, group_id, aad_id)
        if found == UNAVAILABLE:
            return None  # busy or down: ask again next time
        owns = found if isinstance(found, bool) else None
        with self._lock:
            if len(self._known) >= CACHED:
                self._known.pop(next(iter(self._known)))
            self._known[key] = (owns, now + (self.ttl if owns is not None else REFUSED_TTL))
        return owns


def _addressed_to_kbbot(event: InboundEvent) -> bool:
    if isinstance(event, MessagePosted):
        return event.mentions_bot
    return isinstance(event, CommandInvoked | ButtonClicked)
