"""The core's recurring pieces of output: question, answer and hit presentations.

Services decide what to say; these functions decide how a question or an
answer looks in every reply, so anonymity and truncation are handled once.
"""

from __future__ import annotations

from kbbot.contract import actions, platform
from kbbot.i18n import t
from kbbot.contract.replies import Actions, Block, Button, Item, Text
from kbbot.store.models import Answer, ConversationKind, FlagKind, Person, Question

SNIPPET = 280


def snippet(text: str, limit: int = SNIPPET) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis when longer than ``limit``."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] or flat[:limit]
    return cut + "…"


def name(person: Person, locale: str = "en") -> str:
    """The name people know someone by; the platform id when the platform gave none.

    Someone erased (their knowledge now points at the workspace's placeholder) is
    "a former colleague" in the reader's ``locale``.
    """
    from kbbot.privacy.placeholder import label

    return label(person, locale)


def asker_label(question: Question, locale: str) -> str:
    """Who asked, or "anonymous": the only way an asker is ever shown."""
    return t(locale, "question.anonymous") if question.is_anonymous else name(question.asker, locale)


def where(question: Question, locale: str) -> str:
    """Where a question lives, as a reader would name it ("#general", "a direct message")."""
    conversation = question.conversation
    if conversation.kind is ConversationKind.DM:
        return t(locale, "where.dm")
    return f"#{conversation.name or conversation.external_id}"


def tag_line(question: Question) -> str:
    """Tags as people type them, so a reader can copy one into /experts."""
    return " ".join(f"#{tag.name}" for tag in question.tags)


def question_blocks(question: Question, locale: str) -> list[Block]:
    """The card that carries a question in its channel; replies in its thread become answers.

    "Me too" lets colleagues with the same question hear the answer without
    adding a "+1" reply that would be taken for an answer.
    """
    heading = t(locale, "question.heading_anonymous" if question.is_anonymous else "question.heading",
                asker=asker_label(question, locale), id=question.id)
    context = t(locale, _reply_hint(question))
    if question.tags:
        context = f"{tag_line(question)} · {context}"
    return [Text(text=heading, style="heading"), Text(text=question.text, style="quote"),
            Text(text=context, style="context"),
            Actions(buttons=[Button(label=t(locale, "button.follow"), action_id=actions.FOLLOW,
                                    value=str(question.id))])]


def _reply_hint(question: Question) -> str:
    """How to answer and accept where the card is.

    Where group chats have no reply threads an answer quotes the card, and
    where the bot hears no reactions to people's messages the asker accepts
    with the button kbbot sends them, not with ✅. Anonymous askers accept
    privately everywhere.
    """
    can = platform.capabilities(question.conversation.workspace.platform)
    if not can.threads_in_group_chats and question.conversation.kind is ConversationKind.GROUP:
        return "question.reply_hint_quote"
    if question.is_anonymous or not can.hears_reactions:
        return "question.reply_hint_anonymous"
    return "question.reply_hint"


def answer_buttons(answer: Answer, locale: str) -> list[Button]:
    """Accept, upvote and flag: the one-click ways to keep knowledge correct."""
    value = str(answer.id)
    return [
        Button(label=t(locale, "button.accept"), action_id=actions.ACCEPT, value=value, style="primary"),
        Button(label=t(locale, "button.upvote"), action_id=actions.UPVOTE, value=value),
        Button(label=t(locale, "button.flag_outdated"), action_id=actions.FLAG_OUTDATED, value=value),
    ]


def answer_item(answer: Answer, locale: str, buttons: bool = False) -> Item:
    """An answer with its standing (accepted, votes, flags), so a reader can judge it at a glance."""
    marks = []
    if answer.is_accepted:
        marks.append(t(locale, "answer.accepted_mark"))
    if answer.votes:
        marks.append(t(locale, "answer.votes", count=len(answer.votes)))
    if outdated := sum(1 for f in answer.flags if f.kind is FlagKind.OUTDATED):
        marks.append(t(locale, "answer.flagged_outdated", count=outdated))
    if incorrect := sum(1 for f in answer.flags if f.kind is FlagKind.INCORRECT):
        marks.append(t(locale, "answer.flagged_incorrect", count=incorrect))
    detail = " · ".join([t(locale, "answer.by", author=name(answer.author, locale), id=answer.id), *marks])
    return Item(text=snippet(answer.text), detail=detail,
                buttons=answer_buttons(answer, locale) if buttons else [])


def retired(answer: Answer) -> bool:
    """Whether the answer was retired (kept, but out of suggestions and search: issue 19)."""
    care = getattr(answer, "care", None)
    return care is not None and care.retired_at is not None


def hit_item(question: Question, accepted: Answer | None, locale: str, buttons: list[Button] | None = None,
             answers: int = 0, standing: str | None = None, show_retired: bool = False) -> Item:
    """A question as a search result or suggestion: what was asked and the best answer so far.

    ``answers`` > 0 adds a compact line for up to that many of its other
    answers (:func:`answer_lines`) and the accepted answer's upvotes, so a
    reader can upvote or flag any answer by its number, not only the
    accepted one. The caller has already decided the reader may see the
    question; its live answers are all visible with it. ``standing`` says
    how the accepted answer stands ("verified by X, date"); retired answers
    are listed (marked) only with ``show_retired``.
    """
    live = [a for a in question.answers if a.deleted_at is None and (show_retired or not retired(a))]
    parts = [where(question, locale), t(locale, "hit.asked_by", asker=asker_label(question, locale))]
    if question.tags:
        parts.append(tag_line(question))
    if accepted is not None:
        parts.append(t(locale, "hit.accepted", answer=snippet(accepted.text, 160), author=name(accepted.author, locale)))
        if standing:  # right after the answer it is about: "verified by X, date" or "not verified since date"
            parts.append(standing)
        # The id lets any reader flag the answer (/kb flag <id> outdated), not only the asker.
        parts.append(t(locale, "hit.answer_id", id=accepted.id))
        if answers > 0 and accepted.votes:
            parts.append(t(locale, "answer.votes", count=len(accepted.votes)))
        kinds = {f.kind for f in accepted.flags}
        if FlagKind.OUTDATED in kinds:
            parts.append(t(locale, "hit.outdated_warning"))
        if FlagKind.INCORRECT in kinds:
            parts.append(t(locale, "hit.incorrect_warning"))
    else:
        parts.append(t(locale, "hit.answers", count=len(live)))
    others = [a for a in live if accepted is None or a.id != accepted.id]
    return Item(text=f"[Q{question.id}] {snippet(question.text, 200)}", detail=" · ".join(parts),
                lines=answer_lines(others, locale, answers) if answers > 0 else [],
                buttons=buttons or [], question_id=question.id)


ANSWER_LINE = 70
"""How much of an answer its line in a result shows: the first words, enough to recognise it."""


def answer_lines(live: list[Answer], locale: str, limit: int) -> list[str]:
    """One line per answer (number, author, first words, ✅ and 👍), the most trusted first, at most ``limit``.

    Accepted first, then by upvotes, then oldest first; the rest is counted in
    a last line. ``live`` must hold only answers that were not taken back.
    """
    ranked = sorted(live, key=lambda a: (not a.is_accepted, -len(a.votes), a.id))
    lines = []
    for answer in ranked[:limit]:
        marks = ["✅"] if answer.is_accepted else []
        if answer.votes:
            marks.append(t(locale, "answer.votes", count=len(answer.votes)))
        if answer.flags:
            marks.append("⚠️")
        if retired(answer):
            marks.append(t(locale, "hit.retired_mark"))
        line = t(locale, "hit.answer_line", id=answer.id, author=name(answer.author, locale),
                 answer=snippet(answer.text, ANSWER_LINE))
        lines.append(" · ".join([line, *marks]))
    if len(ranked) > limit:
        lines.append(t(locale, "hit.more_answers", count=len(ranked) - limit))
    return lines
