"""Messages of the teams feature, English and Dutch side by side (same rules as catalogue.py)."""

from __future__ import annotations

# Worded for Teams (picked by kbbot.i18n.on_platform): Teams bots hear no reactions to people's
# messages, so accepting and upvoting is done with buttons, and group chats have no threads.
MESSAGES: dict[str, dict[str, str]] = {
    "help.answer@teams": {
        "en": "Reply in a question's thread to answer (in a group chat: Reply on its card); "
              "the asker accepts with the Accept button, others with Upvote",
        "nl": "Antwoord in de thread van een vraag (in een groepschat: Beantwoorden op de kaart); "
              "de vraagsteller accepteert met de knop Accepteren, anderen met Duim omhoog",
    },
    "help.upvote@teams": {"en": "/kb upvote <answer number>: say an answer helped you (or press its Upvote button)",
                          "nl": "/kb upvote <antwoordnummer>: laat weten dat een antwoord hielp (of druk op Duim omhoog)"},
}
