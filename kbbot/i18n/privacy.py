"""Messages of admin in chat, erasure and the data export, English and Dutch side by side."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "privacy.former_colleague": {"en": "a former colleague", "nl": "een oud-collega"},
    # /kb forget me
    "help.forget": {
        "en": "/kb forget me: erase what kbbot holds about you (asks first)",
        "nl": "/kb vergeet mij: wis wat kbbot over je bewaart (vraagt eerst)",
    },
    "usage.forget": {"en": "Type `/kb forget me` to be forgotten.", "nl": "Typ `/kb vergeet mij` om vergeten te worden."},
    "forget.confirm_heading": {
        "en": "Erase everything kbbot holds about you?",
        "nl": "Alles wissen wat kbbot over je bewaart?",
    },
    "forget.confirm_keep": {
        "en": "Your profile, settings, expertise, private notes, followed questions and delivery history are "
              "deleted. Your questions and answers stay for your colleagues, shown as written by "
              "\"a former colleague\". This cannot be undone.",
        "nl": "Je profiel, instellingen, expertise, privénotities, gevolgde vragen en bezorggeschiedenis worden "
              "verwijderd. Je vragen en antwoorden blijven voor je collega's staan, als geschreven door "
              "\"een oud-collega\". Dit kan niet ongedaan worden gemaakt.",
    },
    "forget.confirm_delete": {
        "en": "Your profile, settings, expertise, notes, followed questions and delivery history are deleted, "
              "and so are your questions and answers (your workspace's policy). This cannot be undone.",
        "nl": "Je profiel, instellingen, expertise, notities, gevolgde vragen en bezorggeschiedenis worden "
              "verwijderd, en ook je vragen en antwoorden (het beleid van je werkruimte). Dit kan niet "
              "ongedaan worden gemaakt.",
    },
    "button.forget_confirm": {"en": "Yes, forget me", "nl": "Ja, vergeet mij"},
    "button.forget_cancel": {"en": "Cancel", "nl": "Annuleren"},
    "forget.cancelled": {"en": "Nothing was erased.", "nl": "Er is niets gewist."},
    "forget.done": {
        "en": "Done: kbbot no longer holds anything about you. If you use kbbot again, it starts afresh.",
        "nl": "Klaar: kbbot bewaart niets meer over je. Gebruik je kbbot opnieuw, dan begint het van voren af aan.",
    },
    "forget.not_yours": {
        "en": "This button was for someone else; nothing was erased.",
        "nl": "Deze knop was voor iemand anders; er is niets gewist.",
    },
    # /kb my data
    "help.mydata": {
        "en": "/kb my data: everything kbbot holds about you, as JSON in a direct message",
        "nl": "/kb mijn gegevens: alles wat kbbot over je bewaart, als JSON in een privébericht",
    },
    "usage.mydata": {"en": "Type `/kb my data`.", "nl": "Typ `/kb mijn gegevens`."},
    "mydata.heading": {
        "en": "Everything kbbot holds about you ({rows} records, {parts} part(s))",
        "nl": "Alles wat kbbot over je bewaart ({rows} gegevens, {parts} deel/delen)",
    },
    "mydata.part": {"en": "Part {part} of {parts}", "nl": "Deel {part} van {parts}"},
    "mydata.sent": {
        "en": "I sent you everything kbbot holds about you in a direct message.",
        "nl": "Ik heb je alles wat kbbot over je bewaart in een privébericht gestuurd.",
    },
    # /kb admin
    "help.admin": {
        "en": "/kb admin: workspace settings, for admins (/kb admin set digest-day tue)",
        "nl": "/kb beheer: instellingen van de werkruimte, voor beheerders (/kb beheer zet samenvattingsdag di)",
    },
    "usage.admin": {
        "en": "Use `/kb admin`, `/kb admin set <setting> <value>` or `/kb admin reset <setting>`.",
        "nl": "Gebruik `/kb beheer`, `/kb beheer zet <instelling> <waarde>` of `/kb beheer herstel <instelling>`.",
    },
    "admin.refused": {
        "en": "Only workspace admins can change kbbot's settings.",
        "nl": "Alleen beheerders van de werkruimte kunnen de instellingen van kbbot wijzigen.",
    },
    "admin.heading": {"en": "kbbot settings for this workspace", "nl": "Instellingen van kbbot voor deze werkruimte"},
    "admin.line_set": {"en": "{value} (set here)", "nl": "{value} (hier ingesteld)"},
    "admin.line_default": {"en": "{value} (default)", "nl": "{value} (standaard)"},
    "admin.footer": {
        "en": "Change one with `/kb admin set <setting> <value>`; `/kb admin reset <setting>` goes back to the default.",
        "nl": "Wijzig er een met `/kb beheer zet <instelling> <waarde>`; `/kb beheer herstel <instelling>` zet de "
              "standaard terug.",
    },
    "admin.footer_owner": {
        "en": "As an owner of this team you change a setting by typing `/kb admin set <setting> <value>` in its "
              "channels. A change applies to every team in this workspace; retention and erasure stay with the "
              "workspace's admins.",
        "nl": "Als eigenaar van dit team wijzig je een instelling door `/kb beheer zet <instelling> <waarde>` in "
              "de kanalen van het team te typen. Een wijziging geldt voor elk team in deze werkruimte; bewaren "
              "en wissen blijven aan de beheerders van de werkruimte.",
    },
    "admin.policy_refused": {
        "en": "{setting} decides what happens to everyone's data in this workspace: only the workspace's admins "
              "can change it, not a team's owners.",
        "nl": "{setting} bepaalt wat er met ieders gegevens in deze werkruimte gebeurt: alleen de beheerders van de "
              "werkruimte kunnen dit wijzigen, niet de eigenaren van een team.",
    },
    "admin.none": {"en": "not set", "nl": "niet ingesteld"},
    "admin.keep": {"en": "kept", "nl": "bewaard"},
    "admin.days": {"en": "{days} days", "nl": "{days} dagen"},
    "admin.on": {"en": "on", "nl": "aan"},
    "admin.off": {"en": "off", "nl": "uit"},
    "admin.changed": {
        "en": "{setting} is now {value} for this workspace (was {old}).",
        "nl": "{setting} is nu {value} voor deze werkruimte (was {old}).",
    },
    "admin.reset": {
        "en": "{setting} is back to the default, {value}.",
        "nl": "{setting} staat weer op de standaard, {value}.",
    },
    "admin.unchanged": {"en": "{setting} already is {value}.", "nl": "{setting} is al {value}."},
    "admin.unknown_setting": {
        "en": "There is no setting `{setting}`. Settings: {settings}.",
        "nl": "Er is geen instelling `{setting}`. Instellingen: {settings}.",
    },
    "admin.invalid_channel": {
        "en": "`{value}` is not a channel: name one like #questions.",
        "nl": "`{value}` is geen kanaal: noem er een zoals #vragen.",
    },
    "admin.invalid_notify": {
        "en": "`{value}` is not a way to notify experts: use thread or dm.",
        "nl": "`{value}` is geen manier om experts te melden: gebruik draad of dm.",
    },
    "admin.invalid_day": {"en": "`{value}` is not a day: use mon … sun.", "nl": "`{value}` is geen dag: gebruik ma … zo."},
    "admin.invalid_prompt_day": {
        "en": "Prompts go out on workdays only: choose mon … fri.",
        "nl": "Vragen gaan alleen op werkdagen uit: kies ma … vr.",
    },
    "admin.invalid_time": {"en": "`{value}` is not a time: use HH:MM.", "nl": "`{value}` is geen tijd: gebruik UU:MM."},
    "admin.invalid_hours": {
        "en": "`{value}` are not working hours: use 09:00-17:00.",
        "nl": "`{value}` zijn geen werktijden: gebruik 09:00-17:00.",
    },
    "admin.invalid_switch": {"en": "`{value}`: use on or off.", "nl": "`{value}`: gebruik aan of uit."},
    "admin.invalid_erasure": {
        "en": "`{value}`: use keep (questions and answers stay, de-identified) or delete.",
        "nl": "`{value}`: gebruik bewaar (vragen en antwoorden blijven, zonder naam) of verwijder.",
    },
    "admin.invalid_days": {
        "en": "`{value}`: use a number of days from {low} to {high}.",
        "nl": "`{value}`: gebruik een aantal dagen van {low} tot {high}.",
    },
    "admin.invalid_days_keep": {
        "en": "`{value}`: use a number of days from {low} to {high}, or keep.",
        "nl": "`{value}`: gebruik een aantal dagen van {low} tot {high}, of bewaar.",
    },
}
