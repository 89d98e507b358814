"""Forms the core fills in and checks while a person waits: "Save to kbbot", the admin's settings.

A platform opens a form within seconds of the click (Slack's modal, a Teams
task module), and refuses a submission's bad fields in place. Both answers
come from the core (:mod:`kbbot.pipeline.forms`), worded in the person's
language: the adapter renders a :class:`Form` field by field, by each
field's :data:`FieldKind`, and shows :data:`FieldErrors` next to the fields
they name. The adapter decides only how a kind looks on its platform (a
channel picker, a time picker, a number input); what a form holds, what is
valid and what a submission changes is the core's. Nothing here is stored; a
submission itself is an event (:class:`kbbot.contract.events.ThreadSaved`,
:class:`kbbot.contract.events.FormSubmitted`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# The save form's fields (issue 14).
QUESTION = "question"
ANSWER = "answer"
TAGS = "tags"
FIELDS = (QUESTION, ANSWER, TAGS)
"""The names of a save form's fields: the keys of :data:`FieldErrors` and of what an adapter submits."""

# Which form a submission fills in: an adapter carries it from the opened form back to the core.
SAVE = "save"
SETTINGS = "settings"
"""The admin's settings of a workspace (``/kb admin``'s "Edit settings")."""
KINDS_OF_FORM = (SAVE, SETTINGS)

FieldErrors = dict[str, str]
"""Field name → what is wrong with it, in the person's language; empty when the submission may be saved."""

FieldKind = Literal["text", "long_text", "choice", "channel", "time", "number"]
"""How a field is filled in. ``choice`` picks one of ``choices``; ``channel`` picks a conversation of
the workspace: a platform with a picker of its own uses it; one without shows ``choices`` (only the
channel in force, labelled) and asks the core for the channels matching what the person types
(:func:`kbbot.pipeline.forms.channel_choices`), so a form's size does not grow with the workspace;
``time`` is a clock time ``HH:MM``; ``number`` a whole number between ``low`` and ``high``."""


class Choice(BaseModel):
    """One value a field may take: ``value`` comes back on submission, ``label`` is what people read."""

    model_config = ConfigDict(frozen=True)

    value: str
    label: str


class FormField(BaseModel):
    """One input of a form, labelled in the person's language and prefilled with what is in force.

    ``value`` is a choice's ``value``, a channel's platform id, ``HH:MM``, a
    number as digits, or text; ``None`` (or empty) when nothing is chosen.
    An ``optional`` field may be left empty; what empty means is the core's
    to say, in ``hint``, and in ``empty`` where a picker offers "nothing
    chosen" as a choice of its own (an optional picker must be emptiable, or
    a value once chosen could never be taken back to the default). ``group``
    opens a group of fields with a heading above this one (the settings
    form's "Rules per tag"). ``placeholder`` is what a field that searches as
    the person types shows while empty (what to type).
    """

    model_config = ConfigDict(frozen=True)

    name: str
    kind: FieldKind
    label: str
    value: str | None = None
    choices: list[Choice] = Field(default_factory=list)
    hint: str = ""
    optional: bool = False
    low: int | None = None
    high: int | None = None
    max_length: int | None = None
    empty: str = ""
    group: str = ""
    placeholder: str = ""


class Form(BaseModel):
    """A form, prefilled and labelled in the person's language.

    ``submit`` is ``None`` when there is nothing to fill in (a thread with no
    reply, someone who may not change settings): then the form only explains,
    in ``notice``. ``key`` is what the platform must hand back with the
    submission to say what it was about (a thread's root); ``errors`` are the
    field errors of a submission shown again.
    """

    model_config = ConfigDict(frozen=True)

    form: str = SAVE
    locale: str
    title: str
    close: str
    submit: str | None = None
    notice: str | None = None
    key: str = ""
    fields: list[FormField] = Field(default_factory=list)
    errors: FieldErrors = Field(default_factory=dict)

    @property
    def savable(self) -> bool:
        return self.submit is not None

    def field(self, name: str) -> FormField | None:
        return next((found for found in self.fields if found.name == name), None)

    def names(self) -> tuple[str, ...]:
        return tuple(found.name for found in self.fields)

    def again(self, values: Mapping[str, object], errors: FieldErrors) -> Form:
        """The form shown once more after a refused submission: what the person submitted, and what is wrong.

        For platforms that draw the form anew to show errors (a Teams task
        module); Slack keeps the person's input itself.
        """
        fields = [found.model_copy(update={"value": None if values[found.name] is None else str(values[found.name])})
                  if found.name in values else found for found in self.fields]
        return self.model_copy(update={"fields": fields, "errors": dict(errors)})

