"""The outbound port: how work that no user event started (prompts, digests) reaches a platform.

Replies to an inbound event travel back through the adapter that received
it. The scheduler has no such adapter at hand, so each adapter also offers an
:class:`Outbound` keyed by platform name, and the scheduler hands replies to
it without importing any platform SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from kbbot.contract.replies import Reply


class DeliveryFailed(RuntimeError):
    """The platform refused the message for good (user gone, channel archived): do not retry."""


class RetryLater(RuntimeError):
    """The platform is busy or unreachable; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@runtime_checkable
class Outbound(Protocol):
    """Sends one reply in one workspace of one platform."""

    platform: str

    def send(self, workspace_id: str, reply: Reply) -> str | None:
        """Deliver ``reply``; return the platform's id of the posted message where there is one.

        Raises :class:`RetryLater` for transient trouble and
        :class:`DeliveryFailed` when retrying cannot help.
        """
        ...


Outbounds = Mapping[str, Outbound]
"""Outbound ports by platform name (``"slack"``, ``"teams"``, ``"console"``)."""
