"""Whether a Teams member is a guest: Teams says so only when asked (``userRole`` of a TeamsChannelAccount).

A member added to a team arrives as a ``conversationUpdate`` naming just the
account's ids; :class:`GuestRoles`, a step of the ingest path (after the ack),
asks Teams for that member (``GET /v3/conversations/{team}/members/{id}``) and
fills in ``Actor.is_guest`` before the core sees the event. Guests see only the
conversations they are members of, so a lookup Teams refuses for now is tried
again rather than guessed (the step raises and the event stays pending).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from kbbot.contract.events import InboundEvent, PersonChanged
from kbbot.contract.outbound import DeliveryFailed

from kbbot_adapters.teams import retry
from kbbot_adapters.teams.send import Courier, stored_origin

log = logging.getLogger(__name__)

Runner = Callable[[Callable[[], Coroutine[Any, Any, Any]]], Any]
GUEST = "guest"


class GuestRoles:
    """The step: a person Teams just added to a team, with whether they are a guest."""

    def __init__(self, courier: Courier, runner: Runner) -> None:
        self.courier = courier
        self.runner = runner

    def __call__(self, event: InboundEvent, context: Mapping[str, Any]) -> InboundEvent:
        if not isinstance(event, PersonChanged) or event.left or event.actor.is_guest is not None:
            return event
        origin = stored_origin(context)
        if origin is None or not origin.team_id:
            return event
        role = self.runner(lambda: self.role(origin.service_url, origin.team_id or "", event.actor.id))
        if role is None:
            return event
        return event.model_copy(update={"actor": event.actor.model_copy(update={"is_guest": role == GUEST})})

    async def role(self, service_url: str, team_id: str, user_id: str) -> str | None:
        """The member's ``userRole`` ("user", "guest"); None when Teams no longer knows them there."""
        client = await self.courier.connectors.get(service_url)
        try:
            account = await retry.call(lambda: client.conversations.get_conversation_member(team_id, user_id),
                                       self.courier.policy, f"looking up member {user_id} of {team_id}")
        except DeliveryFailed as error:  # gone again already: nothing to decide
            log.info("Teams member %s not found: %s", user_id, error)
            return None
        # Neither SDK's ChannelAccount has a field for it: Teams' extra properties are kept aside, by
        # botbuilder in ``additional_properties``, by the Agents SDK (pydantic, extra="allow") in ``model_extra``.
        extra = getattr(account, "additional_properties", None) or getattr(account, "model_extra", None) or {}
        role = extra.get("userRole") or extra.get("user_role")
        return str(role) if role else None
