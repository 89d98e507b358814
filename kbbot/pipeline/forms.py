"""The core's answers while a person waits: a form to open, a submission's problems.

Everything else the core does runs after the ack (:mod:`kbbot.pipeline.ingest`).
A form cannot wait: the platform must show it within seconds of the click
(Slack's ``trigger_id`` expires after three) and refuse a bad field in place.
So an adapter asks here, from a thread (these calls use the database), and
gets back what to show; nothing the person sees is decided in the adapter.
A submission that passes is then an ordinary event on the ingest path, where
the core checks it once more before it changes anything.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract import forms
from kbbot.contract.events import ChoicesSearched, FormRequested, FormSubmitted, SaveFormRequested, ThreadSaved
from kbbot.contract.forms import Choice, FieldErrors, Form
from kbbot.privacy import admins
from kbbot.services import admin_form, directory, saving
from kbbot.services.turn import Turn
from kbbot.store.db import unit_of_work

_Asked = SaveFormRequested | ThreadSaved | FormRequested | FormSubmitted | ChoicesSearched


def _turn(session: Session, event: _Asked, settings: Settings, now: datetime) -> Turn:
    """Who asks where, known from now on like anyone who acted (their language is what the answer is worded in)."""
    found = directory.whereabouts(session, event.platform, event.workspace_id, event.workspace_name, event.actor,
                                  event.conversation, now, settings.default_timezone, settings.default_locale)
    # What the platform said of them just now (Slack's users.info, asked while they wait) decides who administers.
    admins.note(session, found.person, event.actor.is_admin, now)
    return Turn(session=session, workspace=found.workspace, person=found.person, conversation=found.conversation,
                now=now, settings=settings)


def save_form(sessions: sessionmaker[Session], settings: Settings, now: datetime,
              request: SaveFormRequested) -> Form:
    """The form to save a thread, prefilled and in the person's language."""
    with unit_of_work(sessions) as session:
        return saving.form(_turn(session, request, settings, now), request)


def save_problems(sessions: sessionmaker[Session], settings: Settings, now: datetime,
                  submission: ThreadSaved) -> FieldErrors:
    """What is wrong with a submitted save form, by field, in the person's language; empty when it may be saved."""
    with unit_of_work(sessions) as session:
        return saving.problems(_turn(session, submission, settings, now), submission)


def open_form(sessions: sessionmaker[Session], settings: Settings, now: datetime, request: FormRequested) -> Form:
    """The form a button opens (:data:`kbbot.contract.actions.OPEN_FORM`), or only why it cannot be filled in."""
    with unit_of_work(sessions) as session:
        turn = _turn(session, request, settings, now)
        if request.form == forms.SETTINGS:
            return admin_form.form(turn)
        return Form(form=request.form, locale=turn.locale, title=turn.say("form.unknown_title"),
                    close=turn.say("admin.form.close"), notice=turn.say("error.unknown_action"))


def form_verdict(sessions: sessionmaker[Session], settings: Settings, now: datetime,
                 submission: FormSubmitted) -> Form | None:
    """A submitted form checked while the person waits: ``None`` when it may go ahead, else what to show.

    What to show is the form again with its field errors (``errors``), or,
    for someone who may not submit it at all, a form with only the refusal
    (not ``savable``); the adapter shows the errors in place or the refusal
    instead of the form.
    """
    with unit_of_work(sessions) as session:
        turn = _turn(session, submission, settings, now)
        if submission.form != forms.SETTINGS:
            return Form(form=submission.form, locale=turn.locale, title=turn.say("form.unknown_title"),
                        close=turn.say("admin.form.close"), notice=turn.say("error.unknown_action"))
        refused = admin_form.refusal(turn)
        if refused is not None:
            return refused
        errors = admin_form.problems(turn, submission.values)
        return admin_form.form(turn, submission.values).again(submission.values, errors) if errors else None


def channel_choices(sessions: sessionmaker[Session], settings: Settings, now: datetime,
                    search: ChoicesSearched) -> list[Choice]:
    """The channels a form's channel field offers for what the person typed so far (empty: nothing to offer).

    Only a form the core knows has channel fields, and only who may fill it in
    gets any: the settings form's admins (:func:`kbbot.services.admin_form.channel_search`).
    """
    if search.form != forms.SETTINGS:
        return []
    with unit_of_work(sessions) as session:
        return admin_form.channel_search(_turn(session, search, settings, now), search.text, search.skip,
                                         search.top)
