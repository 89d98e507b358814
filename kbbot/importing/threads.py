"""What a thread from history says about its answers: which one was accepted, and who voted for which.

Pure rules over :class:`~kbbot.contract.history.Said` values, so they are
tested without a database. Live, kbbot hears the asker's ✅ (accept) and
anyone's 👍 (upvote) as they happen; in history there is only the final
tally of reactions, so it is read the same way, a little more generously:
any reaction but a doubtful one (👎, ❌, 😕, 👀, ❓) from someone other than
the author is a vote.
"""

from __future__ import annotations

from collections.abc import Sequence

from kbbot.contract import actions
from kbbot.contract.history import Said

NOT_VOTES = frozenset({"👎", "❌", "😕", "👀", "❓", "❔"})
"""Reactions that doubt or merely watch an answer: never counted as votes for it."""


def voters(said: Said, asker: str | None = None) -> list[str]:
    """The people who reacted approvingly to ``said``, each once, never its author.

    The asker's check mark accepts rather than votes, as it does live.
    """
    seen: dict[str, None] = {}
    for reaction in said.reactions:
        name = actions.reaction_name(reaction.emoji)
        if name in NOT_VOTES:
            continue
        for person in reaction.people:
            if person != said.author and not (person == asker and name in actions.ACCEPT_REACTIONS):
                seen.setdefault(person, None)
    return list(seen)


def accepted_by(said: Said, asker: str) -> bool:
    """Whether the asker marked ``said`` with a check mark (✅ ✔ ☑), the way they accept live."""
    return any(actions.reaction_name(r.emoji) in actions.ACCEPT_REACTIONS and asker in r.people
               for r in said.reactions)


def accepted_reply(answers: Sequence[Said], asker: str) -> Said | None:
    """The answer to mark accepted: the asker's check mark, else the one reply clearly most approved.

    The asker's choice wins (their latest, if they marked several). Otherwise
    the reply with the most approving reactions is taken, but only when it has
    at least one and no other reply has as many: a tie is not a verdict.
    """
    marked = [said for said in answers if accepted_by(said, asker)]
    if marked:
        return marked[-1]
    tallies = sorted(((len(voters(said)), index) for index, said in enumerate(answers)), reverse=True)
    if not tallies or tallies[0][0] == 0 or (len(tallies) > 1 and tallies[1][0] == tallies[0][0]):
        return None
    return answers[tallies[0][1]]
