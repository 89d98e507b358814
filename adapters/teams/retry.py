"""Retrying Bot Connector calls: 429 and transient errors, honouring ``Retry-After``.

Teams throttles bots per conversation and per tenant and says how long to
wait. botbuilder's connector does not retry a 429 at all (and retries 5xx
blindly), so its own retries are switched off; the Agents SDK's connector
retries nothing. This one policy decides for both:
wait as told (or back off), a few times, then hand the caller a
:class:`~kbbot.contract.outbound.RetryLater` with the wait the service asked for.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
from msal.exceptions import MsalError

try:  # botbuilder's connector (msrest); absent where only the Agents SDK is installed
    from msrest.exceptions import ClientRequestError, HttpOperationError
except ImportError:  # pragma: no cover - both SDKs are dependencies today
    ClientRequestError = HttpOperationError = type("_NeverRaised", (Exception,), {})  # type: ignore[assignment,misc]

from kbbot.contract.outbound import DeliveryFailed, RetryLater

log = logging.getLogger(__name__)
T = TypeVar("T")

TRANSIENT = frozenset({408, 412, 429, 500, 502, 503, 504})
REFUSED = frozenset({429, 503})  # the service says it did nothing: safe to send again


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0
    """A longer ``Retry-After`` is not waited out in place: the caller gets RetryLater at once."""


def retry_after(headers: Any) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    raw = headers.get("Retry-After") if headers is not None else None
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        when = email.utils.parsedate_to_datetime(raw) if raw else None
        return max(0.0, when.timestamp() - time.time()) if when else None


def _never_sent(error: BaseException) -> bool:
    """True when the request certainly did not reach the service (no token, connection refused)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, (MsalError, ConnectionRefusedError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def status_of(error: HttpOperationError) -> int | None:
    """The HTTP status behind a connector error, whichever attribute msrest put it in."""
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None) or getattr(response, "status", None)


def answered(error: BaseException) -> tuple[int | None, Any] | None:
    """(status, headers) when the Bot Connector answered with an error, from either SDK; None otherwise.

    botbuilder's msrest raises HttpOperationError with the response; the Agents
    SDK's connector raises aiohttp's ClientResponseError carrying status and headers.
    """
    if isinstance(error, aiohttp.ClientResponseError):
        return error.status, error.headers
    if isinstance(error, HttpOperationError):
        return status_of(error), getattr(error.response, "headers", None)
    return None


async def call(operation: Callable[[], Awaitable[T]], policy: RetryPolicy, what: str,
               idempotent: bool = True) -> T:
    """Run ``operation``; retry transient failures; RetryLater or DeliveryFailed when that is no use.

    A call that posts a message is not ``idempotent``: after a 500, a gateway error or
    a timeout the service may have posted it anyway, so only 429 and 503 (refused,
    nothing posted) or a connection that was never made are retried; anything else is
    reported as failed rather than risking the same message twice.
    """
    for attempt in range(1, policy.attempts + 1):
        try:
            return await operation()
        except (HttpOperationError, aiohttp.ClientResponseError) as error:
            status, headers = answered(error) or (None, None)
            if status not in TRANSIENT or (not idempotent and status not in REFUSED):
                raise DeliveryFailed(f"{what}: Bot Connector answered {status}") from error
            wait = retry_after(headers)
            reason = f"{what}: Bot Connector answered {status}"
        except PermissionError as error:
            # botbuilder's way of saying Azure AD refused the bot's own credentials: retrying cannot help.
            raise DeliveryFailed(f"{what}: no Bot Connector token: {error}") from error
        except (ClientRequestError, aiohttp.ClientError, MsalError, OSError, asyncio.TimeoutError) as error:
            if not idempotent and not _never_sent(error):
                raise DeliveryFailed(f"{what}: outcome unknown ({type(error).__name__}); not sent again") from error
            wait, reason = None, f"{what}: {type(error).__name__}: {error}"
        delay = wait if wait is not None else policy.base_delay * 2 ** (attempt - 1)
        if attempt == policy.attempts or delay > policy.max_delay:
            raise RetryLater(reason, retry_after=max(delay, policy.base_delay))
        log.info("%s; retrying in %.2fs (attempt %d of %d)", reason, delay, attempt, policy.attempts)
        await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
