"""Messages of expert routing and the escalation ladder, English and Dutch side by side (same rules as catalogue.py)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # The invitation's buttons.
    "routing.button.take": {"en": "🙋 I'll take it", "nl": "🙋 Ik pak hem op"},
    "routing.button.decline": {"en": "Not me", "nl": "Niet voor mij"},
    "routing.button.snooze_today": {"en": "⏰ Later today", "nl": "⏰ Later vandaag"},
    "routing.button.snooze_tomorrow": {"en": "⏰ Tomorrow", "nl": "⏰ Morgen"},
    "routing.button.close": {"en": "Close my question", "nl": "Sluit mijn vraag"},
    # Invitations in the question's thread.
    "routing.thread_lead": {
        "en": "Colleagues who know about {tags}, could you help?",
        "nl": "Collega's die verstand hebben van {tags}, kunnen jullie helpen?",
    },
    "routing.thread_lead_untagged": {
        "en": "Colleagues who answered similar questions, could you help?",
        "nl": "Collega's die vergelijkbare vragen beantwoordden, kunnen jullie helpen?",
    },
    "routing.thread_reminder": {
        "en": "Still open: could you help with this one ({tags})?",
        "nl": "Staat nog open: kun je hiermee helpen ({tags})?",
    },
    "routing.reminder": {"en": "⏰ Reminder:", "nl": "⏰ Herinnering:"},
    # Step 3: the repost to a wider channel.
    "routing.repost": {
        "en": "Can anyone help? This question in {channel} has had no answer for a working day:",
        "nl": "Kan iemand helpen? Deze vraag in {channel} heeft al een werkdag geen antwoord:",
    },
    "routing.repost_hint": {
        "en": "Answer in the question's own thread (Q{id}), so the asker and everyone after them find it.",
        "nl": "Antwoord in de thread van de vraag zelf (Q{id}), zodat de vrager en iedereen na hen het vindt.",
    },
    # Step 4: the asker is told honestly.
    "routing.tell": {
        "en": "Nobody has answered your question Q{id} yet, even after asking the colleagues most likely to know.",
        "nl": "Niemand heeft je vraag Q{id} nog beantwoord, ook niet na het vragen aan de collega's die het "
              "waarschijnlijk weten.",
    },
    "routing.tell_options": {
        "en": "You could add tags or reword it (/kb edit {id} <new text> #tag), or close it if you no longer "
              "need an answer. It will also be in the weekly digest of colleagues with matching expertise.",
        "nl": "Je kunt tags toevoegen of hem anders formuleren (/kb edit {id} <nieuwe tekst> #tag), of hem sluiten "
              "als je geen antwoord meer nodig hebt. Hij staat ook in de wekelijkse samenvatting van collega's "
              "met passende expertise.",
    },
    # Answers to the buttons.
    "routing.no_such_question": {
        "en": "That question doesn't exist (any more) or isn't visible to you.",
        "nl": "Die vraag bestaat niet (meer) of is niet zichtbaar voor jou.",
    },
    "routing.not_yours": {
        "en": "This invitation for Q{id} was meant for someone else; you're welcome to answer in its thread.",
        "nl": "Deze uitnodiging voor Q{id} was voor iemand anders; antwoorden in de thread mag natuurlijk altijd.",
    },
    "routing.settled": {
        "en": "Q{id} no longer needs help: it was answered, closed or withdrawn.",
        "nl": "Q{id} heeft geen hulp meer nodig: hij is beantwoord, gesloten of ingetrokken.",
    },
    "routing.already_taken": {"en": "You already took Q{id}. Thank you!", "nl": "Je had Q{id} al opgepakt. Dank je!"},
    "routing.already_declined": {
        "en": "You already passed on Q{id}; someone else has been asked.",
        "nl": "Je had Q{id} al doorgegeven; iemand anders is gevraagd.",
    },
    "routing.already_answered": {
        "en": "You already responded to the invitation for Q{id}.",
        "nl": "Je had al gereageerd op de uitnodiging voor Q{id}.",
    },
    "routing.taken": {
        "en": "Thanks, Q{id} is yours: reply in its thread when you have an answer. The others won't be chased "
              "for a while.",
        "nl": "Dank je, Q{id} is voor jou: antwoord in de thread zodra je het weet. De anderen worden voorlopig "
              "niet opgejaagd.",
    },
    "routing.on_it": {"en": "🙋 {names} is on it", "nl": "🙋 {names} pakt dit op"},
    "routing.declined": {
        "en": "No problem, Q{id} goes to someone else. It counts for how often you're asked about these tags.",
        "nl": "Geen probleem, Q{id} gaat naar iemand anders. Je wordt hierdoor minder vaak over deze tags gevraagd.",
    },
    "routing.snoozed": {
        "en": "I'll remind you of Q{id} on {day} at {time}.",
        "nl": "Ik herinner je aan Q{id} op {day} om {time}.",
    },
    # Home and stats.
    "routing.home.heading": {"en": "Invitations waiting for you", "nl": "Uitnodigingen die op je wachten"},
    "routing.home.none": {
        "en": "No invitations waiting. kbbot asks you at most a few times a week (/kb settings pings N).",
        "nl": "Geen uitnodigingen. kbbot vraagt je hooguit een paar keer per week (/kb settings pings N).",
    },
    "routing.stats": {
        "en": "Invited to help {invited} times; you answered {answered} of those ({percent}%)",
        "nl": "{invited} keer gevraagd om te helpen; daarvan beantwoordde je er {answered} ({percent}%)",
    },
    # Settings.
    "settings.pings": {
        "en": "Expert invitations: at most {value} a week",
        "nl": "Uitnodigingen als expert: hooguit {value} per week",
    },
    "settings.pings_never": {"en": "Expert invitations: never", "nl": "Uitnodigingen als expert: nooit"},
    "settings.pings_how": {
        "en": "Change with /kb settings pings N (0: never)",
        "nl": "Wijzig met /kb settings pings N (0: nooit)",
    },
    "usage.settings_pings": {
        "en": "“{value}” is not a number of invitations a week: use /kb settings pings 0 to 50 (0: never).",
        "nl": "“{value}” is geen aantal uitnodigingen per week: gebruik /kb settings pings 0 tot 50 (0: nooit).",
    },
    # The channel digest.
    "digest.channel.escalation_thanks": {
        "en": "Thanks for picking up questions nobody had answered: {names}",
        "nl": "Bedankt voor het oppakken van vragen waar niemand op antwoordde: {names}",
    },
}
