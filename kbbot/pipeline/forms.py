"""The core's answers while a person waits: a form to open, a submission's problems.

Everything else the core does runs after the ack (:mod:`kbbot.pipeline.ingest`).
A form cannot wait: the platform must show it within seconds of the click
(Slack's ``trigger_id`` expires after three) and refuse a bad field in place.
So an adapter asks here, from a thread (these calls use the database), and
gets back what to show; nothing the person sees is decided in the adapter.
A submission that passes is then an ordinary event on the ingest path.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.events import SaveFormRequested, ThreadSaved
from kbbot.contract.forms import FieldErrors, SaveForm
from kbbot.services import directory, saving
from kbbot.services.turn import Turn
from kbbot.store.db import unit_of_work


def _turn(session: Session, event: SaveFormRequested | ThreadSaved, settings: Settings, now: datetime) -> Turn:
    """Who asks where, known from now on like anyone who acted (their language is what the answer is worded in)."""
    found = directory.whereabouts(session, event.platform, event.workspace_id, event.workspace_name, event.actor,
                                  event.conversation, now, settings.default_timezone, settings.default_locale)
    return Turn(session=session, workspace=found.workspace, person=found.person, conversation=found.conversation,
                now=now, settings=settings)


def save_form(sessions: sessionmaker[Session], settings: Settings, now: datetime,
              request: SaveFormRequested) -> SaveForm:
    """The form to save a thread, prefilled and in the person's language."""
    with unit_of_work(sessions) as session:
        return saving.form(_turn(session, request, settings, now), request)


def save_problems(sessions: sessionmaker[Session], settings: Settings, now: datetime,
                  submission: ThreadSaved) -> FieldErrors:
    """What is wrong with a submitted save form, by field, in the person's language; empty when it may be saved."""
    with unit_of_work(sessions) as session:
        return saving.problems(_turn(session, submission, settings, now), submission)
