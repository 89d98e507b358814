"""The outbound port: the one way replies reach a platform, for events and the scheduler alike.

Each adapter offers an :class:`Outbound` keyed by platform name. Replies to an
event leave through it from the outbox (with the event's stored context);
the scheduler's prompts and digests through the same port, so neither the
outbox nor the scheduler imports a platform SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from kbbot.contract.replies import Posted, Reply


# How adapters word a failure, so that ``kbbot status`` can show its kind without its content: start the
# message with "<where>: <code>" (the platform's own error code: lower_snake, a number or a CamelName), or
# say "<Service> answered <code>". Never put what someone wrote into it.


class DeliveryFailed(RuntimeError):
    """The platform refused the message for good (user gone, channel archived): do not retry."""


class RetryLater(RuntimeError):
    """The platform is busy or unreachable; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@runtime_checkable
class Outbound(Protocol):
    """Sends one reply in one workspace of one platform: the only way replies leave kbbot.

    The reply arrives with every platform id filled in (kbbot/pipeline/posting.py);
    ``context`` is what the adapter stored with the event the reply answers
    (who acted where, a response URL), empty for scheduled sends.
    """

    platform: str

    def send(self, workspace_id: str, reply: Reply, context: Mapping[str, Any]) -> Posted | None:
        """Deliver ``reply`` and say what was posted (``None`` where nothing lasting was: an ephemeral).

        Raises :class:`RetryLater` for transient trouble and
        :class:`DeliveryFailed` when retrying cannot help.
        """
        ...


@runtime_checkable
class Recalls(Protocol):
    """An outbound port that can tell whether it already posted a reply, by the reply's ``key``.

    A process can die after the platform took a message and before the
    outbox recorded it; whoever takes the reply over asks first, so the
    message is not posted twice. Platforms without a way to look (or
    destinations without one: an ephemeral is nowhere to be read back) answer
    ``None`` and the reply is sent again: at least once, never lost.
    """

    def posted_before(self, workspace_id: str, reply: Reply, since: datetime) -> Posted | None:
        """What was posted for ``reply.key`` since ``since``; ``None`` when nothing is found (or can be).

        Raises :class:`RetryLater` when the platform cannot be asked now.
        """
        ...


Outbounds = Mapping[str, Outbound]
"""Outbound ports by platform name (``"slack"``, ``"teams"``, ``"console"``)."""
