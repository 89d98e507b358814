"""``/kb whoami``: what kbbot holds about the person asking, shown to them alone.

People trust a bot that says plainly what it keeps. This lists the profile
kbbot took from the platform and the choices the person made, the
expertise it connects to them, how much of their own knowledge it holds,
and how many conversations it knows them to be in (which decides what they
may see). Counting activity is deliberately left at totals: it is no
timeline of what someone read.
"""

from __future__ import annotations

from sqlalchemy import func, select

from kbbot.commands import WhoAmI, command, grammar
from kbbot.contract.replies import Item, ListBlock, Reply, Text
from kbbot.presentation import cards
from kbbot.services import expertise, profile, stats
from kbbot.services.turn import Turn
from kbbot.store.models import Activity, Membership, QuestionFollower


@command("whoami", verbs=("whoami", "wiebenik"), parse=grammar.nothing_more(WhoAmI), usage="help.whoami", order=140)
def whoami(turn: Turn, _command: WhoAmI) -> list[Reply]:
    person, session = turn.person, turn.session
    figures = stats.for_person(session, person)
    declared = expertise.declared(session, person)
    earned = [name for name, _count in expertise.earned(session, person)]
    conversations = session.scalar(select(func.count()).select_from(Membership)
                                   .where(Membership.person_id == person.id)) or 0
    following = session.scalar(select(func.count()).select_from(QuestionFollower)
                               .where(QuestionFollower.person_id == person.id)) or 0
    actions = session.scalar(select(func.count()).select_from(Activity).where(Activity.person_id == person.id)) or 0
    heading = turn.say("whoami.heading")
    tags = " ".join(f"#{name}" for name in declared) or "–"
    items = [
        Item(text=turn.say("whoami.name", name=cards.name(person)),
             detail=turn.say("whoami.id", id=person.external_id)),
        *profile.settings_items(turn),
        Item(text=turn.say("whoami.expertise", declared=tags, earned=" ".join(f"#{n}" for n in earned) or "–")),
        Item(text=turn.say("whoami.knowledge", questions=figures.questions, answers=figures.answers,
                           posts=figures.shared_posts, following=following)),
        Item(text=turn.say("whoami.conversations", count=conversations)),
        Item(text=turn.say("whoami.activity", count=actions, stage=turn.say(f"stage.{figures.stage}"))),
    ]
    return [turn.private(heading, [Text(text=heading, style="heading"), ListBlock(items=items),
                                   Text(text=turn.say("whoami.footer"), style="context")])]
