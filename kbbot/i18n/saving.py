"""Messages of "Save to kbbot" (a thread saved as knowledge), English and Dutch side by side (same rules as catalogue.py)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "save.title": {"en": "Save to kbbot", "nl": "Opslaan in kbbot"},
    "save.submit": {"en": "Save", "nl": "Opslaan"},
    "save.close": {"en": "Cancel", "nl": "Annuleren"},
    "save.intro": {
        "en": "This thread becomes an answered question, credited to the people who wrote it. "
              "Everyone who can see this conversation will find it in kbbot; nobody else.",
        "nl": "Deze thread wordt een beantwoorde vraag, op naam van wie hem schreven. "
              "Iedereen die dit gesprek kan zien vindt hem in kbbot; verder niemand.",
    },
    "save.updating": {
        "en": "This thread was saved before as Q{id}. Saving again updates it.",
        "nl": "Deze thread is al opgeslagen als Q{id}. Opnieuw opslaan werkt hem bij.",
    },
    "save.question_label": {"en": "Question", "nl": "Vraag"},
    "save.answer_label": {"en": "The reply that answers it", "nl": "Het antwoord op de vraag"},
    "save.tags_label": {"en": "Tags", "nl": "Onderwerpen (tags)"},
    "save.tags_hint": {"en": "Topics, separated by spaces: #postgres #backup",
                       "nl": "Onderwerpen, gescheiden door spaties: #postgres #backup"},
    "save.choice": {"en": "{author}: {text}", "nl": "{author}: {text}"},
    "save.someone": {"en": "someone", "nl": "iemand"},
    "save.no_replies": {
        "en": "This thread has no replies yet, so nothing answers it. Save it once someone has answered.",
        "nl": "Deze thread heeft nog geen antwoorden, dus niets beantwoordt de vraag. "
              "Sla hem op zodra iemand heeft geantwoord.",
    },
    "save.choose_reply": {
        "en": "Use Save to kbbot on the reply that answers the question, not on the question itself.",
        "nl": "Kies Opslaan in kbbot bij het antwoord op de vraag, niet bij de vraag zelf.",
    },
    "save.unread.not_allowed": {
        "en": "kbbot can't list the other replies in this thread: it isn't allowed to read them here. "
              "Whoever runs kbbot can give it access to this team's channel messages.",
        "nl": "kbbot kan de andere antwoorden in deze thread niet tonen: het mag ze hier niet lezen. "
              "Wie kbbot beheert kan het toegang geven tot de kanaalberichten van dit team.",
    },
    "save.unread.unavailable": {
        "en": "kbbot can't list the other replies in this thread: they couldn't be read just now. "
              "Try again in a minute to choose from all of them.",
        "nl": "kbbot kan de andere antwoorden in deze thread niet tonen: ze konden zojuist niet gelezen worden. "
              "Probeer het over een minuut opnieuw om uit alle antwoorden te kiezen.",
    },
    "save.unreadable": {
        "en": "kbbot can't read this conversation, so it can't save it. Add kbbot to the conversation, then try again.",
        "nl": "kbbot kan dit gesprek niet lezen en dus niet opslaan. Voeg kbbot toe aan het gesprek en probeer het opnieuw.",
    },
    "save.not_here": {
        "en": "A direct message is not saved as knowledge: only the two of you can see it.",
        "nl": "Een privébericht wordt niet als kennis opgeslagen: alleen jullie tweeën kunnen het zien.",
    },
    "save.own_question": {
        "en": "This thread is your question Q{id}. Saving it accepts the reply you choose as its answer.",
        "nl": "Deze thread is jouw vraag Q{id}. Opslaan accepteert het antwoord dat je kiest.",
    },
    "save.already_asked": {
        "en": "This thread is already question Q{id} in kbbot. Its asker rewords it and accepts its answer.",
        "nl": "Deze thread is al vraag Q{id} in kbbot. Wie hem stelde past hem aan en accepteert het antwoord.",
    },
    "save.withdrawn": {
        "en": "Its asker took this question back, so it is not saved as knowledge.",
        "nl": "Wie deze vraag stelde heeft hem ingetrokken, dus hij wordt niet als kennis opgeslagen.",
    },
    "save.error.question_empty": {"en": "Write the question.", "nl": "Schrijf de vraag op."},
    "save.error.question_too_long": {
        "en": "Keep the question under {limit} characters (this one has {length}).",
        "nl": "Houd de vraag onder de {limit} tekens (deze heeft er {length}).",
    },
    "save.error.answer_missing": {"en": "Choose the reply that answers the question.",
                                  "nl": "Kies het antwoord op de vraag."},
    "save.error.answer_is_question": {"en": "The question can't be its own answer: choose a reply.",
                                      "nl": "De vraag kan niet haar eigen antwoord zijn: kies een antwoord."},
    "save.error.tag": {
        "en": "\u201c{tag}\u201d is not a tag. Use words of letters and digits, like #postgres.",
        "nl": "\u201c{tag}\u201d is geen tag. Gebruik woorden van letters en cijfers, zoals #postgres.",
    },
    "save.error.too_many_tags": {"en": "At most {limit} tags.", "nl": "Hoogstens {limit} tags."},
    "save.not_saved": {"en": "Nothing was saved: {reason}", "nl": "Er is niets opgeslagen: {reason}"},
    "save.answer_gone": {
        "en": "The reply you chose is no longer in the thread, so nothing was saved. Open Save to kbbot again.",
        "nl": "Het gekozen antwoord staat niet meer in de thread, dus er is niets opgeslagen. Open Opslaan in kbbot opnieuw.",
    },
    "save.answer_taken": {
        "en": "That reply is already an answer to another question, so nothing was saved.",
        "nl": "Dat antwoord hoort al bij een andere vraag, dus er is niets opgeslagen.",
    },
    "save.saved": {"en": "Saved as Q{id}. Colleagues who can see this conversation will find it.",
                   "nl": "Opgeslagen als Q{id}. Collega's die dit gesprek kunnen zien, vinden hem terug."},
    "save.updated": {"en": "Q{id} is updated.", "nl": "Q{id} is bijgewerkt."},
    "save.note_anonymous": {
        "en": "📌 Saved to the knowledge base as Q{id}, with {author}'s reply as the answer.",
        "nl": "📌 Opgeslagen in de kennisbank als Q{id}, met het antwoord van {author}.",
    },
    "save.note": {
        "en": "📌 Saved to the knowledge base by {saver} as Q{id}, with {author}'s reply as the answer.",
        "nl": "📌 Opgeslagen in de kennisbank door {saver} als Q{id}, met het antwoord van {author}.",
    },
}
