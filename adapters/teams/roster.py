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
"""

from __future__ import annotations

import logging

from kbbot.contract.outbound import DeliveryFailed, RetryLater

from kbbot_adapters.teams import retry
from kbbot_adapters.teams.send import Courier
from kbbot_adapters.teams.translate import Origin

log = logging.getLogger(__name__)

#: Teams' documented maximum; a smaller page only costs more round trips (each one throttled on its own).
PAGE_SIZE = 500
#: 500 pages of 500 is far beyond any Teams roster: more means the service keeps handing out tokens.
MAX_PAGES = 500


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
