"""Answers: captured from thread replies, edited, retracted, accepted, voted on and flagged.

A question's status is always derived from its live answers (see
:func:`refresh_status`), so an edit, a deletion, an un-accept or a flag can
never leave it saying "accepted" when it is not.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from kbbot.commands import CloseQuestion, FlagAnswer, UpvoteAnswer, command, grammar
from kbbot.contract import actions
from kbbot.presentation import cards
from kbbot.i18n import t
from kbbot.contract.replies import DirectMessage, Ephemeral, ListBlock, Post, Reply, Text
from kbbot.services import activity, language, verification
from kbbot.store.visibility import can_see
from kbbot.store.models import (
    Answer,
    AnswerRevision,
    ConversationKind,
    Flag,
    FlagKind,
    Person,
    Question,
    QuestionFollower,
    QuestionMessage,
    QuestionStatus,
    Vote,
)
from kbbot.services.turn import Turn


def refresh_status(question: Question) -> None:
    """Accepted if a live, unflagged answer is accepted; answered if any live answer; else open."""
    if question.status in (QuestionStatus.CLOSED, QuestionStatus.WITHDRAWN):
        return
    # A retired answer is kept but no longer counts (issue 19): its question waits for a new one.
    live = [a for a in question.answers if a.deleted_at is None and not verification.is_retired(a)]
    trusted = [a for a in live if not a.flags]
    if any(a.is_accepted for a in trusted):
        question.status = QuestionStatus.ACCEPTED
    elif trusted:
        question.status = QuestionStatus.ANSWERED
    else:
        question.status = QuestionStatus.OPEN


def question_in_thread(turn: Turn, thread_id: str) -> Question | None:
    """The question whose card started ``thread_id`` here; replies there are answers.

    A reply to kbbot's invitation to experts or to one of its answers counts
    too: where a chat has no threads (Teams group chats), people answer by
    quoting, and quote the message that mentioned them or the answer they add
    to rather than the card. Only group conversations are searched that way:
    elsewhere a reply's thread is always the card.
    """
    question = turn.session.scalars(select(Question).where(
        Question.conversation_id == turn.conversation.id, Question.message_id == thread_id)).first()
    if question is not None or turn.conversation.kind is not ConversationKind.GROUP:
        return question
    question = turn.session.scalars(select(Question).join(QuestionMessage).where(  # the experts' invitation
        Question.conversation_id == turn.conversation.id, QuestionMessage.message_id == thread_id)).first()
    if question is None:
        answer = answer_for_message(turn, thread_id)
        question = answer.question if answer is not None else None
    return question


def answer_for_message(turn: Turn, message_id: str) -> Answer | None:
    """The answer a platform message carries, so edits, deletions and reactions reach it."""
    return turn.session.scalars(select(Answer).where(
        Answer.conversation_id == turn.conversation.id, Answer.message_id == message_id)).first()


def capture(turn: Turn, question: Question, message_id: str, text: str) -> list[Reply]:
    """A reply in a question's thread becomes an answer; the asker is told and can accept it."""
    if turn.person.id == question.asker_id or not text.strip():
        return []  # the asker clarifying their own question is not an answer
    if question.status is QuestionStatus.WITHDRAWN:
        return []  # taken back by its asker: a late reply in its thread is not knowledge anyone will find
    try:
        with turn.session.begin_nested():
            answer = Answer(question_id=question.id, author_id=turn.person.id, conversation_id=turn.conversation.id,
                            message_id=message_id, text=text, is_accepted=False, created_at=turn.now)
            turn.session.add(answer)
    except IntegrityError:
        return []  # the same message delivered twice
    turn.session.refresh(question, ["answers"])
    verification.superseded(turn, question, answer)  # the owner's update of an answer they chose to update
    refresh_status(question)
    question.updated_at = turn.now
    activity.log(turn.session, turn.person, "answered", turn.now, answer.id)
    asker = question.asker
    if not _may_tell(turn, asker, question):
        return []
    locale = asker.locale
    heading = t(locale, "answer.new_for_asker", author=cards.name(turn.person), question=cards.snippet(question.text, 120))
    blocks = [Text(text=heading, style="heading"), ListBlock(items=[cards.answer_item(answer, locale, buttons=True)]),
              Text(text=t(locale, "answer.accept_hint"), style="context")]
    return [Reply(text=heading, blocks=blocks, to=DirectMessage(person_id=asker.external_id), locale=locale)]


def _may_tell(turn: Turn, person: Person, question: Question) -> bool:
    """A DM about a question goes only to someone still active and still allowed to read it.

    Someone who left a private channel must not keep hearing its answers.
    """
    return person.is_active and can_see(turn.session, person, question)


def edit(turn: Turn, answer: Answer, text: str) -> list[Reply]:
    """The author corrected the answer: keep the old text as a revision and clear the flags."""
    if answer.author_id != turn.person.id or answer.deleted_at is not None or answer.text == text:
        return []
    turn.session.add(AnswerRevision(answer_id=answer.id, change="edit", previous_text=answer.text,
                                    changed_at=turn.now))
    answer.text = text
    answer.edited_at = turn.now
    # The edit is the author's response to the flags: they no longer describe this text.
    turn.session.execute(delete(Flag).where(Flag.answer_id == answer.id))
    turn.session.refresh(answer, ["flags"])
    refresh_status(answer.question)
    return []


def retract(turn: Turn, answer: Answer) -> list[Reply]:
    """A deleted message retracts its answer; the text is kept as a revision, not shown again."""
    if answer.deleted_at is not None:
        return []
    turn.session.add(AnswerRevision(answer_id=answer.id, change="delete", previous_text=answer.text,
                                    changed_at=turn.now))
    answer.deleted_at = turn.now
    answer.is_accepted = False
    refresh_status(answer.question)
    return []


def _visible_answer(turn: Turn, answer_id: int) -> Answer | None:
    answer = turn.session.get(Answer, answer_id)
    if answer is None or answer.deleted_at is not None or not can_see(turn.session, turn.person, answer.question):
        return None
    return answer


def accept(turn: Turn, answer_id: int, accepted: bool = True) -> list[Reply]:
    """The asker accepts (or un-accepts) an answer; only one answer per question is accepted."""
    answer = _visible_answer(turn, answer_id)
    if answer is None:
        return [turn.notice("answer.not_found")]
    question = answer.question
    if question.asker_id != turn.person.id:
        return [turn.notice("answer.only_asker_accepts")]
    if answer.is_accepted == accepted:  # clicked again: nothing to post, nobody to thank twice
        return [turn.notice("answer.already_accepted", author=cards.name(answer.author))] if accepted else []
    for other in question.answers:
        other.is_accepted = False
    answer.is_accepted = accepted
    refresh_status(question)
    question.updated_at = turn.now
    if not accepted:
        return []
    activity.log(turn.session, turn.person, "accepted", turn.now, answer.id)
    author = answer.author
    replies = [turn.notice("answer.accepted_confirmation", author=cards.name(author))]
    if question.message_id:
        locale = language.turn_channel_locale(turn, question.conversation)  # the thread is read by the channel
        note = t(locale, "answer.accepted_in_thread", author=cards.name(author),
                 asker=cards.asker_label(question, locale))
        replies.append(Reply(text=note, blocks=[Text(text=note, style="context")],
                             to=Post(conversation_id=question.conversation.external_id,
                                     thread_id=question.message_id), locale=locale))
    replies.extend(_tell_followers(turn, question, answer))
    if author.id != turn.person.id and _may_tell(turn, author, question):
        thanks = t(author.locale, "answer.accepted_for_author", question=cards.snippet(question.text, 120))
        replies.append(Reply(text=thanks, to=DirectMessage(person_id=author.external_id), locale=author.locale,
                             blocks=[Text(text=thanks)]))
    return replies


@command("close", verbs=("close", "sluit"), parse=grammar.close, usage="help.close", who="asker", order=90)
def close_command(turn: Turn, command: CloseQuestion) -> list[Reply]:
    return close(turn, command.question_id)


def close(turn: Turn, question_id: int) -> list[Reply]:
    """The asker settles their own question: it leaves the lists of questions waiting for an answer.

    Closing it again changes nothing: the asker is told, the thread gets no second note.
    """
    question = turn.session.get(Question, question_id)
    if question is None or not can_see(turn.session, turn.person, question):
        return [turn.notice("question.not_found")]
    if question.asker_id != turn.person.id:
        return [turn.notice("question.only_asker_closes")]
    if question.status is QuestionStatus.CLOSED:
        return [turn.notice("question.already_closed", id=question.id)]
    question.status = QuestionStatus.CLOSED
    question.updated_at = turn.now
    replies = [turn.notice("question.closed", id=question.id)]
    if question.message_id:
        locale = language.turn_channel_locale(turn, question.conversation)
        note = t(locale, "question.closed_in_thread")
        replies.append(Reply(text=note, blocks=[Text(text=note, style="context")],
                             to=Post(conversation_id=question.conversation.external_id,
                                     thread_id=question.message_id), locale=locale))
    return replies


def follow(turn: Turn, question_id: int) -> list[Reply]:
    """"Me too": the person hears when the question gets an accepted answer (never shown by name)."""
    question = turn.session.get(Question, question_id)
    if question is None or not can_see(turn.session, turn.person, question):
        return [turn.notice("answer.not_found")]
    if question.asker_id == turn.person.id:
        return [turn.notice("question.own")]
    try:
        with turn.session.begin_nested():
            turn.session.add(QuestionFollower(question_id=question.id, person_id=turn.person.id, created_at=turn.now))
    except IntegrityError:
        return [turn.notice("question.already_followed")]
    activity.log(turn.session, turn.person, "followed", turn.now, question.id)
    return [turn.notice("question.followed")]


def _tell_followers(turn: Turn, question: Question, answer: Answer) -> list[Reply]:
    followers = turn.session.scalars(select(Person).join(
        QuestionFollower, QuestionFollower.person_id == Person.id).where(QuestionFollower.question_id == question.id))
    replies = []
    for follower in followers:
        if follower.id == answer.author_id or not _may_tell(turn, follower, question):
            continue
        locale = follower.locale
        note = t(locale, "answer.accepted_for_follower", question=cards.snippet(question.text, 120),
                 author=cards.name(answer.author))
        replies.append(Reply(text=note, to=DirectMessage(person_id=follower.external_id), locale=locale,
                             blocks=[Text(text=note), Text(text=answer.text, style="quote")]))
    return replies


@command("upvote", verbs=("upvote", "duim"), parse=grammar.upvote, usage="help.upvote", order=70)
def upvote_command(turn: Turn, command: UpvoteAnswer) -> list[Reply]:
    """``/kb upvote N``: where people cannot react to each other's messages; silent votes get a thank-you."""
    return vote(turn, command.answer_id) or [turn.notice("answer.upvoted")]


def vote(turn: Turn, answer_id: int, up: bool = True) -> list[Reply]:
    """Upvote (or take back) an answer; one vote per person, never on one's own answer.

    Nothing to show when it counted (the caller thanks, or a reaction speaks for itself);
    a second upvote says it was already counted.
    """
    answer = _visible_answer(turn, answer_id)
    if answer is None:
        return [turn.notice("answer.not_found")]
    if answer.author_id == turn.person.id:
        return [turn.notice("answer.no_self_vote")]
    if not up:
        turn.session.execute(delete(Vote).where(Vote.answer_id == answer.id, Vote.person_id == turn.person.id))
        return []
    if turn.session.get(Vote, (answer.id, turn.person.id)) is not None:
        return [turn.notice("answer.already_upvoted")]
    try:
        with turn.session.begin_nested():  # 👍 and the button at once, or two replicas: one vote
            turn.session.add(Vote(answer_id=answer.id, person_id=turn.person.id, created_at=turn.now))
    except IntegrityError:
        return [turn.notice("answer.already_upvoted")]
    activity.log(turn.session, turn.person, "voted", turn.now, answer.id)
    return []


@command("flag", verbs=("flag", "markeer"), parse=grammar.flag, usage="help.flag", order=80)
def flag_command(turn: Turn, command: FlagAnswer) -> list[Reply]:
    return flag(turn, command.answer_id, command.kind, command.reason)


def flag(turn: Turn, answer_id: int, kind: str, reason: str | None) -> list[Reply]:
    """Flag an answer outdated or incorrect: it stops counting as settled and its author is asked to update it."""
    answer = _visible_answer(turn, answer_id)
    if answer is None:
        return [turn.notice("answer.not_found")]
    flag_kind = FlagKind(kind)
    existing = turn.session.scalars(select(Flag).where(
        Flag.answer_id == answer.id, Flag.person_id == turn.person.id, Flag.kind == flag_kind)).first()
    if existing is not None:
        return [turn.notice("flag.already")]
    try:
        with turn.session.begin_nested():
            turn.session.add(Flag(answer_id=answer.id, person_id=turn.person.id, kind=flag_kind, reason=reason,
                                  created_at=turn.now))
    except IntegrityError:
        return [turn.notice("flag.already")]
    turn.session.refresh(answer, ["flags"])
    refresh_status(answer.question)
    answer.question.updated_at = turn.now
    activity.log(turn.session, turn.person, "flagged", turn.now, answer.id)
    replies = [turn.notice("flag.recorded", kind=turn.say(f"flag.kind.{kind}"))]
    author = answer.author
    if author.id != turn.person.id and _may_tell(turn, author, answer.question):
        locale = author.locale
        note = t(locale, "flag.for_author", kind=t(locale, f"flag.kind.{kind}"),
                 question=cards.snippet(answer.question.text, 120), reason=reason or t(locale, "flag.no_reason"))
        replies.append(Reply(text=note, blocks=[Text(text=note), Text(text=answer.text, style="quote")],
                             to=DirectMessage(person_id=author.external_id), locale=locale))
    return replies


def react(turn: Turn, message_id: str, reaction: str, added: bool) -> list[Reply]:
    """✅ from the asker accepts, 👍 from anyone else upvotes; removing the reaction undoes it."""
    answer = answer_for_message(turn, message_id)
    if answer is None or answer.deleted_at is not None:
        return []
    name = actions.reaction_name(reaction)
    question = answer.question
    # A reaction shows who made it, so an anonymous asker accepts only by the private button.
    if name in actions.ACCEPT_REACTIONS and question.asker_id == turn.person.id and not question.is_anonymous:
        return [r for r in accept(turn, answer.id, accepted=added) if not isinstance(r.to, Ephemeral)]
    if name in actions.UPVOTE_REACTIONS and answer.author_id != turn.person.id:
        vote(turn, answer.id, up=added)
    return []
