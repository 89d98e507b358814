"""One Teams turn, whichever Microsoft SDK carried it: an authenticated activity in, core events onto the ingest path.

Both backends (:mod:`.bot` on botbuilder, :mod:`.agents.service` on the
Microsoft 365 Agents SDK) validate the caller's JWT with their SDK and then
hand the activity, as the JSON Teams posted, to :meth:`Turns.receive`. What
happens from there is the same code on both: the adapter's own checks
(another tenant, the bot's own messages), storing the conversation's address
for later proactive sends, and handing each event to
:meth:`kbbot.pipeline.ingest.Ingest.receive`, which persists it before the
answer and works on it after. A database error propagates, the SDK answers
500 and Teams delivers again; a repeated activity is recognised and changes
nothing.

An ``invoke`` activity (a card action, a message extension) needs its answer
in the HTTP response itself: :meth:`Turns.receive` returns it as an
:class:`InvokeReply` (status and JSON body), and each backend wraps that in
its SDK's invoke response. Invoke answers belong in :meth:`Turns.invoke_reply`,
never in a backend, so that both SDKs give the same one.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from kbbot.clock import Clock, system_clock
from kbbot.contract.events import Thread
from kbbot.pipeline import addresses, forms
from kbbot.pipeline.ingest import Ingest

from kbbot_adapters.teams.graph import Graph
from kbbot_adapters.teams.roster import RosterSync
from kbbot_adapters.teams.settings import TeamsSettings
from kbbot_adapters.teams import render
from kbbot_adapters.teams.translate import (
    FETCH_TASK,
    FORM_KEY,
    PLATFORM,
    TASK_FETCH,
    SAVE_ROOT_KEY,
    Origin,
    Translation,
    form_request,
    form_submission,
    is_form_action,
    chain_of,
    choices_search,
    graph_thread,
    is_save_action,
    is_search,
    message_author,
    save_request,
    save_submission,
    submitted_answer,
    translate,
    with_authors,
)

log = logging.getLogger(__name__)

#: The activity exactly as Teams posted it. The SDKs' activity models drop or reshape what their schema does
#: not name (botbuilder loses a mention entity's ``mentioned`` and ``text``), so each endpoint hands the raw
#: JSON to the turn.
RAW_ACTIVITY: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("teams_raw_activity",
                                                                                    default=None)


@dataclass(frozen=True)
class InvokeReply:
    """The synchronous answer to an ``invoke`` activity, in no SDK's types."""

    status: int
    body: dict[str, Any] | None = None


class Turns:
    """Turns Teams activities into core events on the one ingest path, exactly once each."""

    def __init__(self, sessions: sessionmaker[Session], settings: TeamsSettings, ingest: Ingest,
                 roster: RosterSync, graph: Graph | None = None, clock: Clock = system_clock) -> None:
        self.sessions = sessions
        self.settings = settings
        self.ingest = ingest
        self.roster = roster
        self.graph = graph or Graph(settings)
        self.clock = clock
        self._tasks: set[asyncio.Task[None]] = set()

    async def receive(self, activity: dict[str, Any]) -> InvokeReply | None:
        """Work on one authenticated activity; the invoke answer, if the activity needs one."""
        translation = translate(activity)
        if translation is None or not self._accepts(activity, translation):
            return None
        if is_save_action(activity):
            return await self._save_action(activity, translation)
        if is_form_action(activity):
            return await self._form_action(activity, translation)
        if is_search(activity):
            return await self._search(activity, translation)
        origin = translation.origin
        new_place = await asyncio.to_thread(self._remember, activity, origin)
        stored = dataclasses.asdict(origin)
        await self.ingest.receive_all(translation.events, stored)  # worked in the activity's order
        if origin.kind == "private" and (new_place or _membership_changed(activity)):
            self.roster.forget(origin.conversation_id)
            if not translation.events:  # nothing to run the roster step before: sync on its own
                self._spawn(self._sync_members(translation))
        return self.invoke_reply(activity, translation)

    def invoke_reply(self, activity: dict[str, Any], translation: Translation) -> InvokeReply | None:
        """What an ``invoke`` is answered with; None leaves it unanswered (both SDKs say 501 Not Implemented)."""
        return None

    # -- "Save to kbbot": the message action's task module, answered in the invoke --------------
    async def _save_action(self, activity: dict[str, Any], translation: Translation) -> InvokeReply:
        """Open the core's form for the chosen message, or take the submitted one (errors shown in place)."""
        ingest, now = self.ingest, self.clock()
        read = await self._read_chain(activity, translation.origin)
        request = save_request(activity, translation, read)
        if request is None:
            return InvokeReply(400, render.CLOSED)  # no message to save: not Teams' shape
        form = await asyncio.to_thread(forms.save_form, ingest.sessions, ingest.settings, now, request)
        if activity.get("name") == FETCH_TASK:
            return InvokeReply(200, render.save_task(form, SAVE_ROOT_KEY))
        if isinstance(read, Thread):
            submission = save_submission(activity, translation, None,
                                         await self._credited(read, translation.origin, submitted_answer(activity)))
        else:
            aad_id, _ = message_author(activity)
            submission = save_submission(activity, translation, await self._teams_id(translation.origin, aad_id))
        if submission is None:
            return InvokeReply(200, render.CLOSED)
        errors = await asyncio.to_thread(forms.save_problems, ingest.sessions, ingest.settings, now, submission)
        if errors:
            data = (activity.get("value") or {}).get("data") or {}
            return InvokeReply(200, render.save_task(form, SAVE_ROOT_KEY, data, errors))
        await self.ingest.receive(submission, dataclasses.asdict(translation.origin))
        return InvokeReply(200, render.CLOSED)

    # -- The core's other forms (the admin's settings): a task module from a card's button ---------
    async def _form_action(self, activity: dict[str, Any], translation: Translation) -> InvokeReply:
        """``task/fetch``: the core's form; ``task/submit``: its errors in place, its refusal, or the change
        persisted (the core checks it once more) and the task module closed."""
        ingest, now = self.ingest, self.clock()
        if activity.get("name") == TASK_FETCH:
            request = form_request(activity, translation)
            form = await asyncio.to_thread(forms.open_form, ingest.sessions, ingest.settings, now, request)
            return InvokeReply(200, render.task(form, {FORM_KEY: form.form}))
        submission = form_submission(activity, translation)
        verdict = await asyncio.to_thread(forms.form_verdict, ingest.sessions, ingest.settings, now, submission)
        if verdict is not None:
            return InvokeReply(200, render.task(verdict, {FORM_KEY: verdict.form}))
        await asyncio.to_thread(self._remember, activity, translation.origin)
        await self.ingest.receive(submission, dataclasses.asdict(translation.origin))
        return InvokeReply(200, None)  # an empty answer closes the task module

    async def _search(self, activity: dict[str, Any], translation: Translation) -> InvokeReply:
        """``application/search`` from a form's channel field: the core's matches for what was typed (none for a
        dataset not kbbot's, or for someone who may not fill the form in); nothing is stored."""
        search = choices_search(activity, translation)
        if search is None:
            return InvokeReply(200, render.search_results([]))
        ingest = self.ingest
        found = await asyncio.to_thread(forms.channel_choices, ingest.sessions, ingest.settings, self.clock(), search)
        return InvokeReply(200, render.search_results(found))

    async def _read_chain(self, activity: dict[str, Any], origin: Origin) -> Thread | str | None:
        """The chosen message's reply chain from Graph; why not (a reason) where it could not; None outside a chain."""
        chain = chain_of(activity, origin)
        if chain is None:
            return None
        group_id, channel_id, root = chain
        read = await asyncio.to_thread(self.graph.channel_thread, origin.tenant_id, group_id, channel_id, root)
        return read if isinstance(read, str) else graph_thread(activity, read.root, read.replies)

    async def _credited(self, thread: Thread, origin: Origin, answer_id: str | None) -> Thread:
        """The chain to save with the people it credits (its root's author, the answer's) by their Teams ids."""
        authors = list({message.author.id for message in (thread.root, *thread.replies)
                        if message is not None and not message.author.is_bot
                        and (message is thread.root or message.id == answer_id)})
        found = await asyncio.gather(*(self._teams_id(origin, aad_id) for aad_id in authors))
        return with_authors(thread, answer_id, {aad: teams for aad, teams in zip(authors, found) if teams})

    async def _teams_id(self, origin: Origin, aad_id: str | None) -> str | None:
        """The Teams user id of whoever wrote the chosen message (Teams names them by AAD object id only)."""
        if not aad_id:
            return None
        try:
            client = await self.roster.courier.connectors.get(origin.service_url)
            member = await client.conversations.get_conversation_member(origin.team_id or origin.conversation_id,
                                                                        aad_id)
        except Exception as error:  # noqa: BLE001 - not a member any more, or Teams busy: nobody to credit
            log.info("author %s of a saved message not found: %s", aad_id, error)
            return None
        return getattr(member, "id", None) or None

    # -- the adapter's own checks, before anything is stored -------------------------------
    def _accepts(self, activity: dict[str, Any], translation: Translation) -> bool:
        """Whether kbbot should hear this activity at all."""
        if self._foreign(translation.origin.tenant_id):
            log.warning("activity from tenant %s ignored: this single-tenant bot serves %s",
                        translation.origin.tenant_id, self.settings.tenant_id)
            return False
        bot_id = (activity.get("recipient") or {}).get("id")
        if bot_id and (activity.get("from") or {}).get("id") == bot_id:
            return False  # the bot's own message echoed back
        return True

    def _foreign(self, tenant_id: str) -> bool:
        """A single-tenant bot serves its own organisation only, whatever another tenant sends it."""
        single = self.settings.app_type.casefold() == "singletenant" or not self.settings.app_password
        return bool(single and self.settings.tenant_id and tenant_id != self.settings.tenant_id)

    def _remember(self, activity: dict[str, Any], origin: Origin) -> bool:
        """Store the addresses this activity proves; True when its conversation is new to the bot."""
        # A ConversationReference in the protocol's JSON shape (both SDKs read it), for the conversation itself.
        reference = {"bot": activity.get("recipient"), "user": activity.get("from"), "locale": activity.get("locale"),
                     "channelId": origin.channel_id, "serviceUrl": origin.service_url,
                     "conversation": {**(activity.get("conversation") or {}), "id": origin.conversation_id}}
        keys: list[tuple[addresses.Scope, str]] = [(addresses.CONVERSATION, origin.conversation_id)]
        if origin.kind == "dm" and origin.actor_id and not origin.actor_id.startswith("28:"):
            keys.append((addresses.PERSON, origin.actor_id))
        return addresses.remember_all(self.sessions, PLATFORM, origin.tenant_id, keys, origin.conversation_id,
                                      reference, self.clock())[0]

    # -- after the answer -------------------------------------------------------------------
    async def _sync_members(self, translation: Translation) -> None:
        """A private channel's members changed (or the bot was just added there): ask Teams who is in it."""
        try:
            synced = await self.roster.members_event(translation.origin, translation.actor, translation.place,
                                                     translation.key)
            if synced is not None:
                await self.ingest.receive(synced, dataclasses.asdict(translation.origin))
        except Exception:
            log.exception("members of %s not synced", translation.origin.conversation_id)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait until every accepted activity has been worked on and answered in this process (tests, shutdown)."""
        while self._tasks:  # first: they may hand the ingest path more work
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.ingest.drain(timeout=60.0)


def _membership_changed(activity: dict[str, Any]) -> bool:
    return activity.get("type") == "conversationUpdate" and bool(
        activity.get("membersAdded") or activity.get("membersRemoved"))
