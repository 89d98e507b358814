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
        "en": "Use `/kb admin`, `/kb admin set <setting> <value>` or `/kb admin reset <setting>` "
              "(per tag: `/kb admin set escalation <tag> <#channel>`, `/kb admin reset escalation <tag>`).",
        "nl": "Gebruik `/kb beheer`, `/kb beheer zet <instelling> <waarde>` of `/kb beheer herstel <instelling>` "
              "(per tag: `/kb beheer zet escalatie <tag> <#kanaal>`, `/kb beheer herstel escalatie <tag>`).",
    },
    "admin.refused": {
        "en": "Only workspace admins can change kbbot's settings.",
        "nl": "Alleen beheerders van de werkruimte kunnen de instellingen van kbbot wijzigen.",
    },
    "admin.heading": {"en": "kbbot settings for this workspace", "nl": "Instellingen van kbbot voor deze werkruimte"},
    "admin.line_set": {"en": "{value} (set here)", "nl": "{value} (hier ingesteld)"},
    "admin.line_default": {"en": "{value} (default)", "nl": "{value} (standaard)"},
    "admin.footer": {
        "en": "Change one with `/kb admin set <setting> <value>`; `/kb admin reset <setting>` goes back to the default. "
              "Per tag: `/kb admin set escalation <tag> <#channel>`, `/kb admin set verify-every <tag> <days>`.",
        "nl": "Wijzig er een met `/kb beheer zet <instelling> <waarde>`; `/kb beheer herstel <instelling>` zet de "
              "standaard terug. Per tag: `/kb beheer zet escalatie <tag> <#kanaal>`, "
              "`/kb beheer zet bevestig-elke <tag> <dagen>`.",
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
    # /kb admin: per-tag settings
    "admin.tags_heading": {"en": "Per tag", "nl": "Per tag"},
    "admin.tag.default": {"en": "{value} by default", "nl": "standaard {value}"},
    "admin.tag.how_tag_channel": {
        "en": "Where a tag's unanswered questions are reposted: `/kb admin set {setting} <tag> <#channel>`",
        "nl": "Waar onbeantwoorde vragen met een tag opnieuw geplaatst worden: "
              "`/kb beheer zet {setting} <tag> <#kanaal>`",
    },
    "admin.tag.how_tag_verification_days": {
        "en": "How often answers with a tag are due for a re-check: `/kb admin set {setting} <tag> <days>`",
        "nl": "Hoe vaak antwoorden met een tag opnieuw bevestigd moeten worden: "
              "`/kb beheer zet {setting} <tag> <dagen>`",
    },
    "admin.tag.none_own": {"en": "no tag has its own yet", "nl": "nog geen tag heeft een eigen"},
    "admin.tag.usage": {
        "en": "Use `/kb admin set {example}` or `/kb admin reset {setting} <tag>`.",
        "nl": "Gebruik `/kb beheer zet {example}` of `/kb beheer herstel {setting} <tag>`.",
    },
    "admin.tag.invalid_tag": {"en": "`{value}` is not a tag.", "nl": "`{value}` is geen tag."},
    "admin.tag.private_channel": {
        "en": "`{value}` is not a public channel: unanswered questions are only reposted where everyone may read them.",
        "nl": "`{value}` is geen openbaar kanaal: onbeantwoorde vragen worden alleen opnieuw geplaatst waar "
              "iedereen ze mag lezen.",
    },
    "admin.tag.unchanged": {"en": "{setting} for #{tag} already is {value}.", "nl": "{setting} voor #{tag} is al {value}."},
    "admin.tag.reset": {
        "en": "{setting} for #{tag} is back to the default, {value}.",
        "nl": "{setting} voor #{tag} staat weer op de standaard, {value}.",
    },
    "admin.tag.changed": {
        "en": "{setting} for #{tag} is now {value} (was {old}).",
        "nl": "{setting} voor #{tag} is nu {value} (was {old}).",
    },
    # /kb admin: the settings form ("Edit settings")
    "admin.form.edit": {"en": "Edit settings", "nl": "Instellingen bewerken"},
    "admin.form.title": {"en": "kbbot settings", "nl": "Instellingen van kbbot"},
    "admin.form.close": {"en": "Cancel", "nl": "Annuleren"},
    "admin.form.submit": {"en": "Save", "nl": "Opslaan"},
    "admin.form.intro": {
        "en": "Settings of kbbot for this workspace. Only what you change is saved, and every change is "
              "recorded in the audit log.",
        "nl": "Instellingen van kbbot voor deze werkruimte. Alleen wat je wijzigt wordt opgeslagen, en elke "
              "wijziging komt in het auditlogboek.",
    },
    "admin.form.hours_from": {"en": "Working hours from", "nl": "Werktijden van"},
    "admin.form.hours_to": {"en": "Working hours until", "nl": "Werktijden tot"},
    "admin.form.channel_hint": {
        "en": "Where questions asked in a direct message are posted; leave empty for the default.",
        "nl": "Waar vragen uit een privébericht geplaatst worden; laat leeg voor de standaard.",
    },
    "admin.form.channel_search": {
        "en": "Type part of a public channel's name",
        "nl": "Typ een deel van de naam van een openbaar kanaal",
    },
    "admin.form.days": {"en": "Days, from {low} to {high}.", "nl": "Dagen, van {low} tot {high}."},
    "admin.form.days_keep": {
        "en": "Days, from {low} to {high}; leave empty to keep them.",
        "nl": "Dagen, van {low} tot {high}; laat leeg om ze te bewaren.",
    },
    "admin.form.notify_thread": {"en": "In the question's thread", "nl": "In de draad van de vraag"},
    "admin.form.notify_dm": {"en": "By direct message", "nl": "Per privébericht"},
    "admin.form.day_mon": {"en": "Monday", "nl": "maandag"},
    "admin.form.day_tue": {"en": "Tuesday", "nl": "dinsdag"},
    "admin.form.day_wed": {"en": "Wednesday", "nl": "woensdag"},
    "admin.form.day_thu": {"en": "Thursday", "nl": "donderdag"},
    "admin.form.day_fri": {"en": "Friday", "nl": "vrijdag"},
    "admin.form.day_sat": {"en": "Saturday", "nl": "zaterdag"},
    "admin.form.day_sun": {"en": "Sunday", "nl": "zondag"},
    "admin.form.erasure_keep": {
        "en": "Keep their questions and answers, without their name",
        "nl": "Hun vragen en antwoorden bewaren, zonder naam",
    },
    "admin.form.erasure_delete": {"en": "Delete their questions and answers", "nl": "Hun vragen en antwoorden verwijderen"},
    "admin.form.required": {"en": "Fill this in.", "nl": "Vul dit in."},
    "admin.form.not_saved": {"en": "Nothing was saved: {reason}", "nl": "Er is niets opgeslagen: {reason}"},
    "admin.form.change": {"en": "{setting} {value} (was {old})", "nl": "{setting} {value} (was {old})"},
    "admin.form.saved": {"en": "Saved: {changes}.", "nl": "Opgeslagen: {changes}."},
    "admin.form.nothing": {"en": "Nothing changed.", "nl": "Er is niets gewijzigd."},
    # /kb admin: the settings form's per-tag rules
    "admin.form.tags_group": {"en": "Rules per tag", "nl": "Regels per tag"},
    "admin.form.tag_channel": {"en": "#{tag}: escalation channel", "nl": "#{tag}: escalatiekanaal"},
    "admin.form.tag_days": {
        "en": "#{tag}: re-check answers every … days",
        "nl": "#{tag}: antwoorden opnieuw bevestigen na … dagen",
    },
    "admin.form.tag_channel_hint": {
        "en": "Where its unanswered questions are reposted; empty: the default, {default}.",
        "nl": "Waar onbeantwoorde vragen opnieuw geplaatst worden; leeg: de standaard, {default}.",
    },
    "admin.form.tag_days_hint": {
        "en": "Days, from {low} to {high}; empty: the default, {default}.",
        "nl": "Dagen, van {low} tot {high}; leeg: de standaard, {default}.",
    },
    "admin.form.tag_default": {"en": "Default ({default})", "nl": "Standaard ({default})"},
    "admin.form.new_group": {"en": "Add a rule for a tag", "nl": "Een regel voor een tag toevoegen"},
    "admin.form.new_tag": {"en": "Tag", "nl": "Tag"},
    "admin.form.new_tag_hint": {
        "en": "A topic such as postgres; then choose its channel, its days, or both.",
        "nl": "Een onderwerp zoals postgres; kies dan het kanaal, de dagen of allebei.",
    },
    "admin.form.new_tag_channel": {"en": "Escalation channel", "nl": "Escalatiekanaal"},
    "admin.form.new_tag_days": {"en": "Re-check answers every … days", "nl": "Antwoorden opnieuw bevestigen na … dagen"},
    "admin.form.tag_needed": {"en": "Name the tag this rule is for.", "nl": "Noem de tag waarvoor deze regel geldt."},
    "admin.form.tag_rule_needed": {
        "en": "Choose a channel or a number of days for #{tag}.",
        "nl": "Kies een kanaal of een aantal dagen voor #{tag}.",
    },
    "admin.form.tag_listed": {
        "en": "#{tag} already has its rules above: change them there.",
        "nl": "#{tag} heeft zijn regels al hierboven: wijzig ze daar.",
    },
    "admin.form.tag_change": {"en": "{setting} for #{tag} {value} (was {old})",
                              "nl": "{setting} voor #{tag} {value} (was {old})"},
    "admin.form.tags_more": {
        "en": "{count} more tags have rules of their own, listed on the panel: change those with /kb admin set.",
        "nl": "Nog {count} tags hebben eigen regels, te zien in het overzicht: wijzig die met /kb beheer zet.",
    },
    "form.unknown_title": {"en": "kbbot form", "nl": "kbbot-formulier"},
}
