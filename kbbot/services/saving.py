"""Saving a thread as knowledge: "Save to kbbot" on any message.

Years of answers already sit in channel threads. One click turns such a
thread into an answered question that search, suggestions, expertise and
digests find like any other. The rules, for every platform:

* The thread's root is the question, credited to whoever wrote it (on a
  platform that hands over only the chosen reply, to the person saving,
  who then words the question); the chosen reply is the accepted answer,
  credited to its author. Neither is ever credited to the person saving it.
* The question is keyed by its conversation and root message, like a
  question kbbot posted itself: saving the same thread again updates it
  (text, tags, which reply is accepted) and never makes a second one. A
  thread under one of kbbot's own question cards is that question: only its
  asker (anonymous or not) may save it, as only they reword it and accept
  its answer elsewhere; one its asker withdrew is not published again.
* Visibility follows the conversation the thread is in: a private
  channel's thread stays a private channel's question
  (:mod:`kbbot.store.visibility`). Nothing is posted anywhere else.
* The note "saved to the knowledge base by …" goes only into the thread
  itself, read by exactly the people who can already read the thread, and
  only the first time; never into a direct message.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from kbbot.config import MAX_TEXT_LENGTH
from kbbot.contract import forms
from kbbot.contract.events import SaveFormRequested, Thread, ThreadMessage, ThreadSaved
from kbbot.contract.forms import Choice, FieldErrors, Form, FormField
from kbbot.contract.replies import ListBlock, Post, ReplaceCard, Reply, Text
from kbbot.commands.grammar import MAX_TAGS
from kbbot.i18n import t
from kbbot.presentation import cards
from kbbot.services import activity, directory, language, tagging
from kbbot.services.answering import refresh_status
from kbbot.services.asking import public_locale
from kbbot.services.turn import Turn
from kbbot.store.models import Answer, ConversationKind, Person, Question, QuestionStatus, SavedThread
from kbbot.text.tags import is_mention, normalise

MAX_CHOICES = 100
"""Replies offered as the answer: the most a platform's select shows (Slack's static select); the latest win."""
CHOICE_LABEL = 75
"""Characters of a choice's label (Slack's limit for an option's text)."""
MAX_QUESTION = MAX_TEXT_LENGTH


def _existing(turn: Turn, root_id: str) -> Question | None:
    """The question this thread already is: saved before, or the thread of one of kbbot's own cards."""
    return turn.session.scalars(select(Question).where(
        Question.conversation_id == turn.conversation.id, Question.message_id == root_id)).first()


def _refusal(turn: Turn, existing: Question) -> str | None:
    """Why the person may not save the thread of a question kbbot already holds, or None when they may.

    A question its asker withdrew is not published again by someone else;
    one asked through kbbot (not saved from a thread) is its asker's to
    reword and to accept an answer for, as everywhere else.
    """
    if existing.status is QuestionStatus.WITHDRAWN:
        return turn.say("save.withdrawn")
    if existing.asker_id != turn.person.id and turn.session.get(SavedThread, existing.id) is None:
        return turn.say("save.already_asked", id=existing.id)
    return None


def _eligible(thread: Thread) -> list[ThreadMessage]:
    """Replies that may answer: people's, with words in them, not the root again."""
    return [reply for reply in thread.replies
            if not reply.author.is_bot and reply.text.strip() and reply.id != thread.root_id]


def _answers_offered(thread: Thread) -> list[ThreadMessage]:
    """The replies a form offers: the latest :data:`MAX_CHOICES` of those that may answer."""
    return _eligible(thread)[-MAX_CHOICES:]


def _likely_answer(thread: Thread, offered: list[ThreadMessage], existing: Question | None) -> str | None:
    """The reply to preselect: the one accepted before, the asker's ✅, the most reacted, or the only one."""
    ids = {reply.id for reply in offered}
    if existing is not None:
        accepted = next((a.message_id for a in existing.answers if a.is_accepted and a.deleted_at is None), None)
        if accepted in ids:
            return accepted
    asker = thread.root.author.id if thread.root is not None else None
    if asker is not None:
        checked = [reply for reply in offered if asker in reply.accepted_by]
        if checked:
            return checked[-1].id
    reacted = max(offered, key=lambda reply: reply.reactions, default=None)
    if reacted is not None and reacted.reactions > 0:
        return reacted.id
    return offered[0].id if len(offered) == 1 else None


def _tags_in(text: str) -> list[str]:
    """``#tags`` written in the question, as they will be stored."""
    found = (normalise(word) for word in text.split() if word.startswith("#") and not is_mention(word))
    return list(dict.fromkeys(tag for tag in found if tag))


def _choice(turn: Turn, reply: ThreadMessage) -> Choice:
    author = reply.author.name or turn.say("save.someone")
    # Not worded for the platform (turn.say): what people wrote is shown as they wrote it.
    label = t(turn.locale, "save.choice", author=author, text=cards.snippet(reply.text, CHOICE_LABEL))
    return Choice(value=reply.id, label=label if len(label) <= CHOICE_LABEL else label[:CHOICE_LABEL - 1] + "…")


def form(turn: Turn, request: SaveFormRequested) -> Form:
    """The form to save ``request``'s thread, prefilled: what was saved before, else what the thread says."""
    thread = request.thread
    base = {"form": forms.SAVE, "locale": turn.locale, "title": turn.say("save.title"),
            "close": turn.say("save.close"), "key": thread.root_id}
    if not thread.readable:
        return Form(**base, notice=turn.say("save.unreadable"))
    if turn.conversation.kind is ConversationKind.DM:
        return Form(**base, notice=turn.say("save.not_here"))
    existing = _existing(turn, thread.root_id)
    if existing is not None and (refusal := _refusal(turn, existing)) is not None:
        return Form(**base, notice=refusal)
    offered = _answers_offered(thread)
    # Replies the platform would not hand over: the person learns why they are not offered.
    unread = f" {turn.say(f'save.unread.{thread.unread_because}')}" if thread.unread_because else ""
    if not offered:
        # Nothing answers yet; or, where the platform hands over only the chosen message, the question was chosen.
        return Form(**base, notice=turn.say("save.no_replies" if thread.complete else "save.choose_reply") + unread)
    if existing is not None:
        question, tags = existing.text, " ".join(f"#{tag.name}" for tag in existing.tags)
        was_saved = turn.session.get(SavedThread, existing.id) is not None
        notice = turn.say("save.updating" if was_saved else "save.own_question", id=existing.id) + unread
    else:
        question = thread.root.text if thread.root is not None else ""
        tags = " ".join(f"#{tag}" for tag in _tags_in(question))
        notice = turn.say("save.intro") + unread
    return Form(**base, submit=turn.say("save.submit"), notice=notice, fields=[
        FormField(name=forms.QUESTION, kind="long_text", label=turn.say("save.question_label"),
                  value=question[:MAX_QUESTION], max_length=MAX_QUESTION),
        FormField(name=forms.ANSWER, kind="choice", label=turn.say("save.answer_label"),
                  choices=[_choice(turn, r) for r in offered], value=_likely_answer(thread, offered, existing)),
        FormField(name=forms.TAGS, kind="text", label=turn.say("save.tags_label"), hint=turn.say("save.tags_hint"),
                  value=tags, optional=True),
    ])


def parse_tags(text: str) -> tuple[list[str], list[str]]:
    """Tags typed in the form (``#a b, c``): the usable ones, and the words that are not tags."""
    words = [word for word in text.replace(",", " ").split() if word.strip("#")]
    good, bad = [], []
    for word in words:
        tag = None if is_mention(word) else normalise(word)
        (good if tag else bad).append(tag or word)
    return list(dict.fromkeys(good)), bad


def problems(turn: Turn, event: ThreadSaved) -> FieldErrors:
    """What is wrong with a submission, field by field, in the person's language; empty: it may be saved."""
    errors: FieldErrors = {}
    question = event.question.strip()
    if not question:
        errors[forms.QUESTION] = turn.say("save.error.question_empty")
    elif len(question) > MAX_QUESTION:
        errors[forms.QUESTION] = turn.say("save.error.question_too_long", limit=MAX_QUESTION, length=len(question))
    if not event.answer_id:
        errors[forms.ANSWER] = turn.say("save.error.answer_missing")
    elif event.answer_id == event.root_id:
        errors[forms.ANSWER] = turn.say("save.error.answer_is_question")
    good, bad = parse_tags(event.tags)
    if bad:
        errors[forms.TAGS] = turn.say("save.error.tag", tag=cards.snippet(bad[0], 40))
    elif len(good) > MAX_TAGS:
        errors[forms.TAGS] = turn.say("save.error.too_many_tags", limit=MAX_TAGS)
    return errors


def save(turn: Turn, event: ThreadSaved) -> list[Reply]:
    """Make the thread an answered question, or update the one it already is; tell the saver and the thread."""
    thread = event.thread
    if thread is None or not thread.readable:
        return [turn.notice("save.unreadable")]
    if turn.conversation.kind is ConversationKind.DM:
        return [turn.notice("save.not_here")]  # a conversation only two people see is nobody's knowledge base
    errors = problems(turn, event)
    if errors:  # checked in the form already; a stale or forged submission still changes nothing
        return [turn.notice("save.not_saved", reason=next(iter(errors.values())))]
    existing = _existing(turn, thread.root_id)
    if existing is not None and (refusal := _refusal(turn, existing)) is not None:
        return [turn.private(refusal)]
    reply = next((r for r in _eligible(thread) if r.id == event.answer_id), None)
    if reply is None:
        return [turn.notice("save.answer_gone")]
    # A question kbbot posted a card for: a new wording shows on its card too (as /kb edit does).
    recard = existing is not None and turn.session.get(SavedThread, existing.id) is None \
        and existing.text != event.question.strip()
    question, created = _question(turn, thread, event.question.strip())
    if question is None:
        return [turn.notice("save.answer_taken")]
    answer = _answer(turn, question, reply)
    if answer is None:
        return [turn.notice("save.answer_taken")]
    good, _ = parse_tags(event.tags)
    question.tags = tagging.ensure(turn.session, good)
    for other in question.answers:
        other.is_accepted = other is answer
    refresh_status(question)
    question.updated_at = turn.now
    saved = turn.session.get(SavedThread, question.id)
    first = saved is None
    if saved is None:
        saved = SavedThread(question_id=question.id, saved_by_id=turn.person.id, link=thread.link,
                            saved_at=turn.now, updated_at=turn.now)
        turn.session.add(saved)
    else:
        saved.link = thread.link or saved.link
        saved.updated_at = turn.now
    activity.log(turn.session, turn.person, "saved_thread", turn.now, question.id)
    turn.session.flush()
    turn.session.refresh(question, ["tags", "answers"])
    replies = [_confirmation(turn, question, answer, saved.link, created)]
    if recard:
        locale = public_locale(turn, question.conversation)
        replies.append(Reply(text=cards.snippet(question.text), blocks=cards.question_blocks(question, locale),
                             to=ReplaceCard(conversation_id=question.conversation.external_id,
                                            question_id=question.id), locale=locale))
    if first:
        replies.append(_note(turn, question, answer))
    return replies


def _question(turn: Turn, thread: Thread, text: str) -> tuple[Question | None, bool]:
    """The thread's question, made on the first save; safe when two saves of one thread race."""
    existing = _existing(turn, thread.root_id)
    if existing is not None:
        existing.text = text
        return existing, False
    asker = turn.person
    if thread.root is not None and not thread.root.author.is_bot:
        asker = _author(turn, thread.root)
    try:
        with turn.session.begin_nested():
            question = Question(workspace_id=turn.workspace.id, conversation_id=turn.conversation.id,
                                message_id=thread.root_id, asker_id=asker.id, is_anonymous=False, text=text,
                                status=QuestionStatus.OPEN, created_at=turn.now, updated_at=turn.now)
            turn.session.add(question)
        return question, True
    except IntegrityError:  # saved at the same moment elsewhere: that save made it, this one updates it
        existing = _existing(turn, thread.root_id)
        if existing is not None:
            existing.text = text
        return existing, False


def _author(turn: Turn, message: ThreadMessage) -> Person:
    """Who wrote ``message``: a member of the conversation, since writing there proves it (as for any event)."""
    author = directory.person(turn.session, turn.workspace, message.author, turn.now, turn.settings.default_timezone,
                              turn.settings.default_locale)
    directory.join(turn.session, turn.conversation, author, turn.now)
    return author


def _answer(turn: Turn, question: Question, reply: ThreadMessage) -> Answer | None:
    """The chosen reply as an answer of ``question``, credited to its author; None if it answers another."""
    found = turn.session.scalars(select(Answer).where(
        Answer.conversation_id == turn.conversation.id, Answer.message_id == reply.id)).first()
    if found is not None:
        if found.question_id != question.id:
            return None
        if found.deleted_at is None and found.text != reply.text and reply.text.strip():
            found.text, found.edited_at = reply.text, turn.now  # the thread is the source: take its latest words
        found.deleted_at = None
        return found
    author = _author(turn, reply)
    try:
        with turn.session.begin_nested():
            answer = Answer(question_id=question.id, author_id=author.id, conversation_id=turn.conversation.id,
                            message_id=reply.id, text=reply.text, is_accepted=False, created_at=turn.now)
            turn.session.add(answer)
    except IntegrityError:
        return turn.session.scalars(select(Answer).where(
            Answer.conversation_id == turn.conversation.id, Answer.message_id == reply.id)).first()
    turn.session.refresh(question, ["answers"])
    return answer


def _confirmation(turn: Turn, question: Question, answer: Answer, link: str | None, created: bool) -> Reply:
    """To the saver alone: what was saved, as search will show it, with the way back to the thread."""
    heading = turn.say("save.saved" if created else "save.updated", id=question.id)
    item = cards.hit_item(question, answer, turn.locale)
    if link:
        item = item.model_copy(update={"link": link})
    return turn.private(heading, [Text(text=heading, style="heading"), ListBlock(items=[item])])


def _note(turn: Turn, question: Question, answer: Answer) -> Reply:
    """The short note in the thread: only its readers see it, and it says nothing they cannot already read."""
    locale = language.turn_channel_locale(turn, question.conversation)
    if question.is_anonymous:  # whoever saves it might be taken for (or be) the asker: nobody is named
        note = t(locale, "save.note_anonymous", id=question.id, author=cards.name(answer.author))
    else:
        note = t(locale, "save.note", saver=cards.name(turn.person), id=question.id, author=cards.name(answer.author))
    return Reply(text=note, blocks=[Text(text=note, style="context")], locale=locale,
                 to=Post(conversation_id=question.conversation.external_id, thread_id=question.message_id))
