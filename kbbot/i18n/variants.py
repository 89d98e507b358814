"""Messages worded for what a platform cannot do, English and Dutch side by side (same rules as catalogue.py).

``key@no_reactions`` replaces ``key`` where the bot hears no reactions to
people's messages (accepting and upvoting are buttons there), and such a
platform's group chats may have no threads either (an answer quotes the card).
:func:`kbbot.i18n.variant` picks them from a platform's capabilities.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "help.answer@no_reactions": {
        "en": "Reply in a question's thread to answer (in a group chat: Reply on its card); "
              "the asker accepts with the Accept button, others with Upvote",
        "nl": "Antwoord in de thread van een vraag (in een groepschat: Beantwoorden op de kaart); "
              "de vraagsteller accepteert met de knop Accepteren, anderen met Duim omhoog",
    },
    "help.upvote@no_reactions": {"en": "/kb upvote <answer number>: say an answer helped you (or press its Upvote button)",
                          "nl": "/kb upvote <antwoordnummer>: laat weten dat een antwoord hielp (of druk op Duim omhoog)"},
}
