"""The knowledge base as a document: JSON for tools, Markdown for people.

An export leaves kbbot's access control behind, so it holds only what every
colleague may already see (public channels) unless the operator asks for
private conversations too, and it never names an anonymous asker: the
asker's id is not even read into the exported records.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kbbot.presentation.cards import name, snippet
from kbbot.clock import as_utc
from kbbot.services.verification import owner_of
from kbbot.store.models import Answer, AnswerCare, Person, Question, Workspace
from kbbot.store.visibility import listed_questions, public_questions, visible_questions

Format = Literal["json", "markdown"]


def records(session: Session, workspace: str | None = None, include_private: bool = False,
            viewer: Person | None = None) -> Iterator[dict[str, Any]]:
    """One plain dict per question, with its live answers, oldest first.

    ``viewer``: only what that person may see (:func:`kbbot.store.visibility.visible_questions`;
    a guest, only the conversations they are in), whatever ``include_private`` says.
    """
    query = (select(Question).order_by(Question.id)
             .options(selectinload(Question.tags), selectinload(Question.conversation),
                      selectinload(Question.asker),
                      selectinload(Question.answers).selectinload(Answer.author),
                      selectinload(Question.answers).selectinload(Answer.votes),
                      selectinload(Question.answers).selectinload(Answer.flags),
                      selectinload(Question.answers).selectinload(Answer.care).selectinload(AnswerCare.owner)))
    query = query.where(listed_questions())  # withdrawn by the asker: not even an operator's export shows it
    if viewer is not None:
        query = query.where(visible_questions(viewer))
    elif not include_private:
        query = query.where(public_questions())
    if workspace is not None:
        query = query.join(Workspace, Workspace.id == Question.workspace_id).where(
            (Workspace.external_id == workspace) | (Workspace.name == workspace))
    for question in session.scalars(query).yield_per(500):
        yield {
            "id": question.id,
            "conversation": question.conversation.name or question.conversation.external_id,
            "asker": None if question.is_anonymous else name(question.asker),
            "anonymous": question.is_anonymous,
            "text": question.text,
            "tags": [tag.name for tag in question.tags],
            "status": question.status.value,
            "asked_at": _iso(question.created_at),
            "answers": [_answer(answer) for answer in question.answers if answer.deleted_at is None],
        }


def _answer(answer: Answer) -> dict[str, Any]:
    return {
        "id": answer.id,
        "author": name(answer.author),
        "text": answer.text,
        "accepted": answer.is_accepted,
        "votes": len(answer.votes),
        "flags": [{"kind": flag.kind.value, "reason": flag.reason} for flag in answer.flags],
        "answered_at": _iso(answer.created_at),
        "edited_at": _iso(answer.edited_at),
        # Issue 19: who looks after it, who last said it is still right, and whether it was retired.
        "owner": name(owner_of(answer)),
        "verified_at": _iso(answer.care.verified_at) if answer.care is not None else None,  # type: ignore[attr-defined]
        "retired_at": _iso(answer.care.retired_at) if answer.care is not None else None,  # type: ignore[attr-defined]
    }


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment else None


def render(items: list[dict[str, Any]], fmt: Format, exported_at: datetime) -> str:
    """The exported records as one document: JSON for tools, Markdown for people."""
    if fmt == "json":
        return json.dumps({"exported_at": exported_at.isoformat(), "questions": items},
                          ensure_ascii=False, indent=2) + "\n"
    return _markdown(items, exported_at)


def _markdown(items: list[dict[str, Any]], exported_at: datetime) -> str:
    lines = ["# kbbot knowledge export", "", f"Exported {exported_at:%Y-%m-%d %H:%M} UTC, "
             f"{len(items)} question{'s' if len(items) != 1 else ''}.", ""]
    for item in items:
        asker = "anonymous" if item["anonymous"] else item["asker"]
        lines += [f"## {snippet(item['text'], 120)}", ""]
        meta = f"Asked by {asker} in #{item['conversation']} on {item['asked_at'][:10]} · {item['status']}"
        if item["tags"]:
            meta += " · " + " ".join(f"`#{tag}`" for tag in item["tags"])
        lines += [f"*{meta}*", ""]
        if "\n" in item["text"].strip():
            lines += [_quote(item["text"]), ""]
        for answer in item["answers"]:
            mark = "✅ accepted · " if answer["accepted"] else ""
            flags = "".join(f" · ⚠ {flag['kind']}" for flag in answer["flags"])
            lines += [f"- **{answer['author']}** ({mark}{answer['votes']} 👍{flags}):", "",
                      _quote(answer["text"], indent="  "), ""]
        if not item["answers"]:
            lines += ["_No answers yet._", ""]
    return "\n".join(lines).rstrip() + "\n"


def _quote(text: str, indent: str = "") -> str:
    return "\n".join(f"{indent}> {line}" if line else f"{indent}>" for line in text.strip().splitlines())
