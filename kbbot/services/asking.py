"""Asking: existing answers first, then a posted question and the people who may know.

A question held back behind suggestions is a :class:`Draft`; it becomes a
:class:`Question` only when the asker says "ask anyway". The posted card
carries an :class:`Anchor` so the adapter reports the platform message id,
which is how replies in its thread are recognised as answers.
"""

from __future__ import annotations

from sqlalchemy import select, update

from kbbot.contract import actions
from kbbot.presentation import cards
from kbbot.commands import Ask, command, grammar, small_int
from kbbot.contract.replies import Actions, Anchor, Button, ListBlock, Post, Reply, Text
from kbbot.routing import ladder
from kbbot.services import activity, language, rechecks, search, tagging, verification
from kbbot.services.directory import get_or_create
from kbbot.store.models import (
    Conversation,
    ConversationKind,
    Draft,
    DraftStatus,
    Question,
    QuestionStatus,
)
from kbbot.services.turn import Turn

EXPERT_NOTIFY_SETTING = "expert_notify"  # "thread" (default) or "dm"
QUESTIONS_CHANNEL_SETTING = "questions_channel"
SUGGESTED_ANSWERS = 3
"""Answers listed under each suggested question: one may already be the answer, accepted or not."""


@command("ask", slash="ask", parse=grammar.ask, usage="help.ask", default=True, order=10)
def ask(turn: Turn, command: Ask, confirm: bool = False) -> list[Reply]:
    """``/ask``: show similar answered questions if any, otherwise post the question.

    ``confirm`` is for plain messages in a DM: anything typed to the bot may
    be small talk, so nothing is posted in a channel before the person says so.
    """
    target = _target_conversation(turn)
    if target is None:
        return [turn.notice("ask.no_channel")]
    days = turn.settings.verification_interval_days
    hits = search.suggest(turn.session, turn.person, command.text, command.tags, limit=turn.settings.suggestion_limit,
                          now=turn.now, verification_days=days)
    if not hits and not confirm:
        return post(turn, target, command.text, command.tags, command.anonymous)
    draft = Draft(workspace_id=turn.workspace.id, conversation_id=target.id, person_id=turn.person.id,
                  text=command.text, tags=list(command.tags), is_anonymous=command.anonymous,
                  status=DraftStatus.PENDING, created_at=turn.now)
    turn.session.add(draft)
    turn.session.flush()
    post_buttons = [Button(label=turn.say("button.ask_anyway" if hits else "button.post_question"),
                           action_id=actions.ASK_ANYWAY, value=str(draft.id), style="default" if hits else "primary")]
    if confirm and not command.anonymous:
        post_buttons.append(Button(label=turn.say("button.ask_anonymously"), action_id=actions.ASK_ANONYMOUSLY,
                                   value=str(draft.id)))
    if not hits:
        heading = turn.say("ask.confirm", channel=_channel_label(target))
        blocks = [Text(text=heading, style="heading"), Text(text=command.text, style="quote"),
                  Actions(buttons=post_buttons)]
        return [turn.private(heading, blocks)]
    activity.log(turn.session, turn.person, "viewed_suggestion", turn.now, draft.id)
    rechecks.note_shown(turn.session, [hit.accepted for hit in hits], "suggestion", turn.now, days)
    items = [cards.hit_item(hit.question, hit.accepted, turn.locale, answers=SUGGESTED_ANSWERS,
                            standing=verification.hit_standing(turn.session, hit.accepted, turn.now, days,
                                                               turn.locale), buttons=[Button(
        label=turn.say("button.this_answers_it"), action_id=actions.THIS_ANSWERS_IT,
        value=f"{draft.id}:{hit.question.id}", style="primary")]) for hit in hits]
    blocks = [Text(text=turn.say("suggest.heading"), style="heading"), ListBlock(items=items),
              Actions(buttons=post_buttons)]
    return [turn.private(turn.say("suggest.heading"), blocks)]


def _channel_label(where: Conversation) -> str:
    return f"#{where.name or where.external_id}"


def _target_conversation(turn: Turn) -> Conversation | None:
    """Where a question goes: here, or the questions channel when asked in a DM.

    The channel is the workspace's own setting, else the operator's default.
    A channel kbbot has not seen yet is taken to be public: an operator chose
    it as the place where everyone's questions go.
    """
    if turn.conversation.kind is not ConversationKind.DM:
        return turn.conversation
    channel_id = (turn.workspace.settings or {}).get(QUESTIONS_CHANNEL_SETTING) or turn.settings.questions_channel
    if not channel_id:
        return None
    return get_or_create(turn.session, Conversation, {"workspace_id": turn.workspace.id, "external_id": channel_id},
                         {"name": None, "kind": ConversationKind.CHANNEL, "created_at": turn.now})


def post(turn: Turn, where: Conversation, text: str, tags: tuple[str, ...] | list[str], anonymous: bool) -> list[Reply]:
    """Record the question and return its card, the experts' invitation and the asker's confirmation."""
    question = Question(workspace_id=turn.workspace.id, conversation_id=where.id, asker_id=turn.person.id,
                        is_anonymous=anonymous, text=text, status=QuestionStatus.OPEN, created_at=turn.now,
                        updated_at=turn.now)
    question.tags = tagging.ensure(turn.session, tags)
    turn.session.add(question)
    turn.session.flush()
    activity.log(turn.session, turn.person, "asked", turn.now, question.id)
    # What is posted in a channel is read by everyone there: the channel's language, not the asker's.
    channel_locale = public_locale(turn, where)
    anchor = Anchor(id=question.id)
    replies = [Reply(text=cards.snippet(question.text), blocks=cards.question_blocks(question, channel_locale),
                     to=Post(conversation_id=where.external_id), anchor=anchor, locale=channel_locale)]
    # The best candidates are invited now or when their working hours begin; the ladder takes it from there.
    replies.extend(ladder.start(turn.session, turn.settings, question, turn.now, channel_locale))
    if anonymous or where.id != turn.conversation.id:
        replies.append(turn.notice("ask.posted_anonymously" if anonymous else "ask.posted_elsewhere",
                                   channel=cards.where(question, turn.locale)))
    return replies


def public_locale(turn: Turn, where: Conversation) -> str:
    """The language of what kbbot posts in ``where``, read by everyone there (:mod:`kbbot.services.language`)."""
    return language.turn_channel_locale(turn, where)


def ask_anyway(turn: Turn, draft_id: int, anonymous: bool = False) -> list[Reply]:
    """Post a held-back question; a second click (or a racing replica) finds it already claimed."""
    draft = _own_pending_draft(turn, draft_id)
    if draft is None or not _claim_draft(turn, draft, DraftStatus.POSTED):
        return [turn.notice("draft.gone", replace=True)]
    where = turn.session.get(Conversation, draft.conversation_id)
    assert where is not None
    replies = post(turn, where, draft.text, draft.tags, draft.is_anonymous or anonymous)
    draft.question_id = replies[0].anchor.id if replies[0].anchor else None
    return [turn.notice("draft.posting", replace=True), *replies]


def _claim_draft(turn: Turn, draft: Draft, status: DraftStatus) -> bool:
    """Move a draft out of "pending" with a conditional update, so only one click wins."""
    claimed = turn.session.execute(
        update(Draft).where(Draft.id == draft.id, Draft.status == DraftStatus.PENDING).values(status=status)
        .execution_options(synchronize_session=False)
    ).rowcount
    turn.session.refresh(draft)
    return claimed == 1


def this_answers_it(turn: Turn, value: str) -> list[Reply]:
    """The asker found their answer among the suggestions: nothing is posted, and the find is counted."""
    draft_part, _, question_part = value.partition(":")
    draft = _own_pending_draft(turn, draft_number) if (draft_number := small_int(draft_part)) is not None else None
    if draft is None:
        return [turn.notice("draft.gone", replace=True)]
    if not _claim_draft(turn, draft, DraftStatus.RESOLVED):
        return [turn.notice("draft.gone", replace=True)]
    question_id = small_int(question_part)
    draft.question_id = question_id if question_id and turn.session.get(Question, question_id) else None
    activity.log(turn.session, turn.person, "found_answer", turn.now, draft.question_id)
    return [turn.notice("draft.resolved", replace=True)]


def _own_pending_draft(turn: Turn, draft_id: int) -> Draft | None:
    """The draft, if it is this person's and still waiting (a second click does nothing)."""
    return turn.session.scalars(select(Draft).where(
        Draft.id == draft_id, Draft.person_id == turn.person.id, Draft.status == DraftStatus.PENDING)).first()
