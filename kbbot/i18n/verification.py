"""Messages of answer owners, verification, re-checks, alumni and guests (issue 19), English and Dutch."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # How an answer stands, under it in search results and suggestions.
    "verify.line.verified": {"en": "✔ verified by {name}, {date}", "nl": "✔ bevestigd door {name}, {date}"},
    "verify.line.unverified": {"en": "not verified since {date}", "nl": "niet bevestigd sinds {date}"},
    "verify.line.due": {"en": "⏳ due for a re-check", "nl": "⏳ toe aan een controle"},
    "verify.line.retired": {"en": "🗄 retired {date}", "nl": "🗄 gearchiveerd {date}"},
    # /kb verify
    "help.verify": {"en": "/kb verify <answer number>: say an accepted answer is still right (owner or tag expert)",
                    "nl": "/kb bevestig <antwoordnummer>: laat weten dat een geaccepteerd antwoord nog klopt "
                          "(eigenaar of tag-expert)"},
    "usage.verify": {"en": "Usage: /kb verify <answer number>", "nl": "Gebruik: /kb bevestig <antwoordnummer>"},
    "verify.done": {"en": "✔ Thanks: answer {id} is marked still right. It is due for a re-check again on {date}.",
                    "nl": "✔ Dank je: antwoord {id} klopt nog. Op {date} is het weer toe aan een controle."},
    "verify.already": {"en": "You already said answer {id} is still right today.",
                       "nl": "Je hebt vandaag al laten weten dat antwoord {id} nog klopt."},
    "verify.not_accepted": {
        "en": "Answer {id} isn't accepted: only an accepted answer is verified. The asker accepts one first.",
        "nl": "Antwoord {id} is niet geaccepteerd: alleen een geaccepteerd antwoord wordt bevestigd. "
              "De vraagsteller accepteert er eerst een."},
    "verify.not_allowed": {
        "en": "Only the answer's owner or an expert in its tags can do that for answer {id}. Nothing changed.",
        "nl": "Alleen de eigenaar van het antwoord of een expert in de tags ervan kan dat voor antwoord {id}. "
              "Er is niets veranderd."},
    "verify.retired": {"en": "Answer {id} is retired; nothing changed.",
                       "nl": "Antwoord {id} is gearchiveerd; er is niets veranderd."},
    # /kb retire
    "help.retire": {"en": "/kb retire <answer number>: an answer no longer holds (kept, but no longer suggested)",
                    "nl": "/kb archiveer <antwoordnummer>: een antwoord klopt niet meer (bewaard, niet meer "
                          "voorgesteld)"},
    "usage.retire": {"en": "Usage: /kb retire <answer number>", "nl": "Gebruik: /kb archiveer <antwoordnummer>"},
    "retire.done": {
        "en": "🗄 Answer {id} is retired: kept, but no longer suggested or found (/kb search --all still lists it).",
        "nl": "🗄 Antwoord {id} is gearchiveerd: bewaard, maar niet meer voorgesteld of gevonden "
              "(/kb zoek --alles toont het nog)."},
    "retire.already": {"en": "Answer {id} was already retired.", "nl": "Antwoord {id} was al gearchiveerd."},
    "retire.not_allowed": {
        "en": "Only the answer's owner or an expert in its tags can retire answer {id}. Nothing changed.",
        "nl": "Alleen de eigenaar van het antwoord of een expert in de tags ervan kan antwoord {id} archiveren. "
              "Er is niets veranderd."},
    # "Update" from a re-check
    "update.how": {
        "en": "✏️ Reply in the thread of question Q{question} with the up-to-date answer: it takes the place of "
              "answer {id}, which is kept as history.",
        "nl": "✏️ Antwoord in de draad van vraag Q{question} met het actuele antwoord: dat neemt de plaats in van "
              "antwoord {id}, dat als geschiedenis bewaard blijft."},
    "update.current": {"en": "now: {answer}", "nl": "nu: {answer}"},
    "update.hint": {"en": "Still right after all? /kb verify {id}", "nl": "Klopt het toch nog? /kb bevestig {id}"},
    # /kb owner
    "help.owner": {"en": "/kb owner <answer number> @person: hand an answer over to someone who looks after it",
                   "nl": "/kb eigenaar <antwoordnummer> @persoon: draag een antwoord over aan wie het bijhoudt"},
    "usage.owner": {"en": "Usage: /kb owner <answer number> @person",
                    "nl": "Gebruik: /kb eigenaar <antwoordnummer> @persoon"},
    "owner.done": {"en": "{name} now looks after answer {id}.", "nl": "{name} houdt antwoord {id} nu bij."},
    "owner.already": {"en": "{name} already looks after answer {id}.",
                      "nl": "{name} houdt antwoord {id} al bij."},
    "owner.not_allowed": {
        "en": "Only the answer's owner or an expert in its tags can hand answer {id} over. Nothing changed.",
        "nl": "Alleen de eigenaar van het antwoord of een expert in de tags ervan kan antwoord {id} overdragen. "
              "Er is niets veranderd."},
    "owner.unknown_person": {"en": "I don't know who {person} is here. Mention them, e.g. /kb owner 12 @name.",
                             "nl": "Ik weet niet wie {person} hier is. Noem de persoon, bijv. /kb eigenaar 12 @naam."},
    "owner.cannot_own": {"en": "{name} can't look after answer {id} (they can't see its question, or left).",
                         "nl": "{name} kan antwoord {id} niet bijhouden (de vraag is voor die persoon niet "
                               "zichtbaar, of die persoon is vertrokken)."},
    "owner.for_new_owner": {
        "en": "{name} handed answer {id} to you, on: {question}",
        "nl": "{name} heeft antwoord {id} aan jou overgedragen, bij: {question}"},
    "owner.for_new_owner_hint": {
        "en": "You'll hear when people use it and it needs a look, once a week at most.",
        "nl": "Je hoort het als mensen het gebruiken en het een controle nodig heeft, hooguit eens per week."},
    # The weekly re-check batch
    "recheck.heading": {"en": "🔎 Answers to re-check", "nl": "🔎 Antwoorden om te controleren"},
    "recheck.intro": {
        "en": "Colleagues were shown these {count} answer(s) of yours this week. One click each keeps them right.",
        "nl": "Collega's kregen deze week {count} antwoord(en) van jou te zien. Eén klik per antwoord houdt ze "
              "actueel."},
    "recheck.state.due": {"en": "⏳ due for a re-check, shown {count}×", "nl": "⏳ toe aan een controle, {count}× "
                                                                             "getoond"},
    "recheck.state.flagged": {"en": "⚠️ flagged, shown {count}×", "nl": "⚠️ gemarkeerd, {count}× getoond"},
    "recheck.handed": {
        "en": "{count} answer(s) came to you because the colleague who looked after them left:",
        "nl": "{count} antwoord(en) kwamen bij jou omdat de collega die ze bijhield is vertrokken:"},
    "recheck.handed_item": {"en": "written by {author}", "nl": "geschreven door {author}"},
    "button.still_right": {"en": "✔ Still right", "nl": "✔ Klopt nog"},
    "button.update_answer": {"en": "✏️ Update", "nl": "✏️ Bijwerken"},
    "button.retire_answer": {"en": "🗄 Retire", "nl": "🗄 Archiveren"},
    # /kb search --all, /experts
    "hit.retired_mark": {"en": "🗄 retired", "nl": "🗄 gearchiveerd"},
    "usage.search_all": {"en": "Usage: /kb search [--all] <words>", "nl": "Gebruik: /kb zoek [--alles] <woorden>"},
    "experts.guest": {"en": "guest", "nl": "gast"},
}
