"""Forms the core fills in and checks while a person waits: "Save to kbbot".

A platform opens a form within seconds of the click (Slack's modal, a Teams
task module), and refuses a submission's bad fields in place. Both answers
come from the core (:mod:`kbbot.pipeline.forms`), worded in the person's
language: the adapter renders :class:`SaveForm` and shows
:data:`FieldErrors` next to the fields they name. Nothing here is stored;
the submission itself is an event (:class:`kbbot.contract.events.ThreadSaved`).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

QUESTION = "question"
ANSWER = "answer"
TAGS = "tags"
FIELDS = (QUESTION, ANSWER, TAGS)
"""The names of a save form's fields: the keys of :data:`FieldErrors` and of what an adapter submits."""

FieldErrors = dict[str, str]
"""Field name → what is wrong with it, in the person's language; empty when the submission may be saved."""


class Choice(BaseModel):
    """One reply that may answer the question: ``value`` is its platform message id."""

    model_config = ConfigDict(frozen=True)

    value: str
    label: str


class SaveForm(BaseModel):
    """The form to save a thread, prefilled and labelled in the person's language.

    ``submit`` is ``None`` when there is nothing to save (a thread with no
    reply, one kbbot cannot read): then the form only explains, in ``notice``.
    """

    model_config = ConfigDict(frozen=True)

    locale: str
    title: str
    close: str
    submit: str | None = None
    notice: str | None = None
    root_id: str
    question_label: str = ""
    question: str = ""
    answer_label: str = ""
    choices: list[Choice] = Field(default_factory=list)
    answer: str | None = None
    tags_label: str = ""
    tags_hint: str = ""
    tags: str = ""

    @property
    def savable(self) -> bool:
        return self.submit is not None
