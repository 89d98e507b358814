"""Messages of the newcomers' welcome, English and Dutch side by side (same rules as catalogue.py)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "welcome.heading": {"en": "Welcome, {name}! I'm kbbot.", "nl": "Welkom, {name}! Ik ben kbbot."},
    "welcome.heading_unnamed": {"en": "Welcome! I'm kbbot.", "nl": "Welkom! Ik ben kbbot."},
    "welcome.what": {
        "en": "Colleagues here share what they know through me. Ask a question and I first show the answers "
              "that already exist; otherwise I post it and bring in the people who know.",
        "nl": "Collega's delen hier wat ze weten via mij. Stel een vraag en ik laat eerst de antwoorden zien "
              "die er al zijn; anders plaats ik hem en haal ik de mensen erbij die het weten.",
    },
    "welcome.commands": {"en": "Three commands to start with:", "nl": "Drie opdrachten om mee te beginnen:"},
    "welcome.command_ask": {"en": "/ask <question>: ask your colleagues; existing answers come first",
                            "nl": "/ask <vraag>: vraag het je collega's; bestaande antwoorden komen eerst"},
    "welcome.command_search": {"en": "/kb search <words>: find what colleagues already answered",
                               "nl": "/kb search <woorden>: vind wat collega's al beantwoordden"},
    "welcome.command_expertise": {"en": "/expertise add <tags>: say what you know, so questions find you",
                                  "nl": "/expertise add <tags>: zeg waar je verstand van hebt, dan vinden vragen jou"},
    "welcome.pack": {"en": "Good to know in {channels}:", "nl": "Goed om te weten in {channels}:"},
    "welcome.pack_workspace": {"en": "Good to know here:", "nl": "Goed om te weten hier:"},
    "welcome.empty": {"en": "Nothing has been answered there yet: your questions can be the first.",
                      "nl": "Daar is nog niets beantwoord: jouw vragen kunnen de eerste zijn."},
    "welcome.tags": {"en": "Topics there: {tags}", "nl": "Onderwerpen daar: {tags}"},
    "welcome.footer": {"en": "Type /kb help for everything else. You won't get this introduction again.",
                       "nl": "Typ /kb help voor al het andere. Deze introductie krijg je maar één keer."},
}
