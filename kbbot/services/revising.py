"""The asker revising a posted question: rewording it, or taking it back.

Only the asker may do either, for an anonymous question too (the stored
asker, who is never shown). Both replace the question's card where it was
posted, in place (:class:`kbbot.contract.replies.ReplaceCard`), so a channel never
shows a stale version next to the real one.

A withdrawn question keeps its answers in the database but shows nowhere:
:func:`kbbot.store.visibility.listed_questions` leaves it out of every
surface. A question with an accepted answer cannot be withdrawn: that answer
is knowledge the next colleague with the same question will look for.
"""

from __future__ import annotations

from kbbot.presentation import cards
from kbbot.commands import EditQuestion, WithdrawQuestion, command, grammar
from kbbot.i18n import t
from kbbot.contract.replies import Actions, Block, ReplaceCard, Reply, Text
from kbbot.services import tagging
from kbbot.services.asking import public_locale
from kbbot.store.visibility import can_see
from kbbot.store.models import Question, QuestionStatus
from kbbot.services.turn import Turn


@command("edit", verbs=("edit", "bewerk"), parse=grammar.edit, usage="help.edit", who="asker", order=100)
def edit(turn: Turn, command: EditQuestion) -> list[Reply]:
    """The asker rewords their question; tags named in the new text replace the old ones.

    The search index follows by itself (the ORM listener re-indexes a
    question whose row or tags changed, in the same transaction).
    """
    question = _own_question(turn, command.question_id, refusal="question.only_asker_edits")
    if isinstance(question, Reply):
        return [question]
    tags = tagging.ensure(turn.session, command.tags) if command.tags else list(question.tags)
    if question.text == command.text and {tag.id for tag in tags} == {tag.id for tag in question.tags}:
        return [turn.notice("question.edit_unchanged", id=question.id)]
    question.text = command.text
    question.tags = tags
    question.updated_at = turn.now
    turn.session.flush()
    turn.session.refresh(question, ["tags"])  # back in the card's (alphabetical) order
    heading = turn.say("question.edited", id=question.id)
    replies = [turn.private(heading, [Text(text=heading), Text(text=question.text, style="quote")])]
    if question.message_id:
        locale = public_locale(turn, question.conversation)
        blocks = _with_context(cards.question_blocks(question, locale), t(locale, "question.edited_mark"))
        replies.append(_replacement(question, cards.snippet(question.text), blocks, locale))
    return replies


@command("withdraw", verbs=("withdraw", "intrekken"), parse=grammar.withdraw, usage="help.withdraw", who="asker",
         order=110)
def withdraw_command(turn: Turn, command: WithdrawQuestion) -> list[Reply]:
    return withdraw(turn, command.question_id)


def withdraw(turn: Turn, question_id: int) -> list[Reply]:
    """The asker takes their question back: answers stay stored, the question shows nowhere.

    Refused once an answer is accepted: the asker may still edit or close it.
    """
    question = _own_question(turn, question_id, refusal="question.only_asker_withdraws")
    if isinstance(question, Reply):
        return [question]
    if any(answer.is_accepted and answer.deleted_at is None for answer in question.answers):
        return [turn.notice("question.withdraw_refused_accepted", id=question.id)]
    question.status = QuestionStatus.WITHDRAWN
    question.updated_at = turn.now
    replies = [turn.notice("question.withdrawn", id=question.id)]
    if question.message_id:
        locale = public_locale(turn, question.conversation)
        note = t(locale, "question.withdrawn_card")
        replies.append(_replacement(question, note, [Text(text=note, style="context")], locale))
    return replies


def _own_question(turn: Turn, question_id: int, refusal: str) -> Question | Reply:
    """The acting person's own question, or the notice that says why it is not theirs to change.

    Someone else learns nothing about a withdrawn question, not even that it was withdrawn.
    """
    question = turn.session.get(Question, question_id)
    if question is not None and question.asker_id == turn.person.id \
            and question.status is QuestionStatus.WITHDRAWN:
        return turn.notice("question.already_withdrawn", id=question.id)
    if question is None or not can_see(turn.session, turn.person, question):
        return turn.notice("question.not_found")
    if question.asker_id != turn.person.id:
        return turn.notice(refusal)
    return question


def _with_context(blocks: list[Block], note: str) -> list[Block]:
    """``blocks`` with a context line ``note`` just above its buttons."""
    at = next((i for i, block in enumerate(blocks) if isinstance(block, Actions)), len(blocks))
    return [*blocks[:at], Text(text=note, style="context"), *blocks[at:]]


def _replacement(question: Question, text: str, blocks: list[Block], locale: str) -> Reply:
    """The reply that replaces the question's posted card, where it was posted."""
    return Reply(text=text, blocks=blocks, to=ReplaceCard(conversation_id=question.conversation.external_id, question_id=question.id),
                 locale=locale)
