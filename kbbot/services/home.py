"""The person's home: what is waiting for them, what they know, where they stand."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from kbbot.commands import Home, command, grammar
from kbbot.contract import actions
from kbbot.presentation import cards
from kbbot.contract.replies import Actions, Button, HomeView, ListBlock, Reply, Text
from kbbot.services import activity, expertise, profile, routing, stats
from kbbot.store.visibility import visible_questions
from kbbot.store.models import Answer, DeclaredExpertise, Person, Question, QuestionStatus, QuestionTag
from kbbot.services.turn import Turn

LIMIT = 5


def unanswered_for(session: Session, person: Person, limit: int = LIMIT) -> list[Question]:
    """Open questions ``person`` may see in tags they declared or earned (an accepted answer), newest first.

    Not their own, and not ones they answered already (a flagged answer can
    reopen a question). The home view and the weekly digest list the same.
    """
    declared = select(DeclaredExpertise.tag_id).where(DeclaredExpertise.person_id == person.id)
    earned = (select(QuestionTag.tag_id).join(Answer, Answer.question_id == QuestionTag.question_id)
              .where(Answer.author_id == person.id, Answer.is_accepted, Answer.deleted_at.is_(None)))
    answered_by_them = select(Answer.question_id).where(Answer.author_id == person.id, Answer.deleted_at.is_(None))
    return list(session.scalars(
        select(Question).where(
            visible_questions(person), Question.status == QuestionStatus.OPEN, Question.asker_id != person.id,
            Question.id.in_(select(QuestionTag.question_id).where(QuestionTag.tag_id.in_(declared.union(earned)))),
            Question.id.not_in(answered_by_them))
        .options(selectinload(Question.tags), selectinload(Question.answers).selectinload(Answer.care),
                 selectinload(Question.asker),
                 selectinload(Question.conversation))
        .order_by(Question.created_at.desc()).limit(limit)))


@command("home", verbs=("home", "overzicht"), parse=grammar.nothing_more(Home), usage="help.home", order=120)
def home_command(turn: Turn, _command: Home) -> list[Reply]:
    """``/kb home``: the home view as a message, for platforms without a home surface and for chat."""
    return home(turn, in_chat=True)


def home(turn: Turn, in_chat: bool = False) -> list[Reply]:
    """The person's home: what waits for them, what they know and where they stand, in one view."""
    person = turn.person
    activity.log(turn.session, person, "opened_home", turn.now)
    mine = list(turn.session.scalars(
        select(Question).where(Question.asker_id == person.id, Question.status.in_(
            (QuestionStatus.OPEN, QuestionStatus.ANSWERED))).order_by(Question.created_at.desc()).limit(LIMIT)))
    waiting = unanswered_for(turn.session, person)
    figures = stats.for_person(turn.session, person)
    tags = expertise.declared(turn.session, person)
    say = turn.say
    blocks = [
        Text(text=say("home.heading", name=cards.name(person)), style="heading"),
        Text(text=say("home.mine"), style="heading"),
        ListBlock(items=[cards.hit_item(q, None, turn.locale) for q in mine]) if mine
        else Text(text=say("home.mine_none"), style="context"),
        Text(text=say("home.waiting"), style="heading"),
        ListBlock(items=[cards.hit_item(q, None, turn.locale) for q in waiting]) if waiting
        else Text(text=say("home.waiting_none"), style="context"),
        *routing.home_blocks(turn),
        Text(text=say("home.expertise"), style="heading"),
        Text(text=" ".join(f"#{t}" for t in tags) or say("home.expertise_none"), style="plain"),
        Text(text=say("stats.stage", stage=say(f"stage.{figures.stage}"))),
        Text(text=say(f"stage.next.{figures.stage}"), style="context"),
        Text(text=say("settings.heading"), style="heading"),
        ListBlock(items=profile.settings_items(turn)),
        Actions(buttons=[
            Button(label=say("button.language_other"), action_id=actions.SET_LANGUAGE,
                   value="nl" if person.locale == "en" else "en"),
            Button(label=say("button.toggle_prompts"), action_id=actions.TOGGLE_PROMPTS,
                   value="off" if person.prompts_enabled else "on"),
            Button(label=say("button.toggle_digest"), action_id=actions.TOGGLE_DIGEST,
                   value="off" if person.digest_enabled else "on"),
        ]),
    ]
    heading = say("home.heading", name=cards.name(person))
    if in_chat:
        return [turn.private(heading, blocks)]
    return [Reply(text=heading, blocks=blocks, to=HomeView(person_id=person.external_id), locale=turn.locale)]
