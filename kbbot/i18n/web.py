"""Messages of the web knowledge base (kbbot/web/), English and Dutch side by side."""

from __future__ import annotations

_ERRORS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    # reason: ((English title, body), (Dutch title, body))
    "not_found": (("Not found", "There is no such page or question here, or it is not one you can see."),
                  ("Niet gevonden", "Deze pagina of vraag bestaat hier niet, of is er geen die jij mag zien.")),
    "bad_request": (("That request could not be read", "Something in the address was not what this page expects. "
                     "Go back and try again."),
                    ("Dit verzoek is niet te lezen", "Iets in het adres is niet wat deze pagina verwacht. "
                     "Ga terug en probeer het opnieuw.")),
    "too_long": (("That address is too long", "Search with fewer words (at most 4,000 characters)."),
                 ("Dit adres is te lang", "Zoek met minder woorden (hoogstens 4.000 tekens).")),
    "server_error": (("Something went wrong on our side", "The knowledge base could not show this page just now. "
                      "Try again in a minute; it has been logged for the administrator."),
                     ("Er ging bij ons iets mis", "De kennisbank kon deze pagina nu niet tonen. Probeer het over "
                      "een minuut opnieuw; de beheerder kan het terugvinden.")),
    "database_down": (("The knowledge base is unavailable", "Its database cannot be reached right now. "
                       "Try again in a minute."),
                      ("De kennisbank is niet bereikbaar", "De database is nu niet te bereiken. "
                       "Probeer het over een minuut opnieuw.")),
    "provider_unreachable": (("Sign-in service unreachable", "The sign-in service did not answer. Try again in a "
                              "minute."),
                             ("Aanmeldservice niet bereikbaar", "De aanmeldservice gaf geen antwoord. Probeer het "
                              "over een minuut opnieuw.")),
    "token_refused": (("Sign-in was not completed", "The sign-in service refused to confirm who you are. Start "
                       "signing in again."),
                      ("Aanmelden is niet gelukt", "De aanmeldservice wilde niet bevestigen wie je bent. Begin "
                       "opnieuw met aanmelden.")),
    "token_invalid": (("Sign-in could not be verified", "The answer from the sign-in service did not pass our "
                       "checks, so you are not signed in. Start signing in again."),
                      ("Aanmelden kon niet worden gecontroleerd", "Het antwoord van de aanmeldservice kwam niet "
                       "door onze controles, dus je bent niet aangemeld. Begin opnieuw met aanmelden.")),
    "sign_in_unknown": (("Unknown sign-in", "This sign-in was not started here. Start signing in again."),
                        ("Onbekende aanmelding", "Deze aanmelding is hier niet begonnen. Begin opnieuw met "
                         "aanmelden.")),
    "sign_in_used": (("This sign-in link was already used", "A sign-in can be completed only once. Start signing "
                      "in again."),
                     ("Deze aanmeldlink is al gebruikt", "Een aanmelding kan maar één keer worden afgerond. Begin "
                      "opnieuw met aanmelden.")),
    "sign_in_expired": (("This sign-in took too long", "For your safety a sign-in must be finished within a few "
                         "minutes. Start signing in again."),
                        ("Deze aanmelding duurde te lang", "Voor je veiligheid moet een aanmelding binnen een "
                         "paar minuten klaar zijn. Begin opnieuw met aanmelden.")),
    "sign_in_other_browser": (("Sign-in started elsewhere", "This sign-in was started in another browser or its "
                               "cookie is gone. Start signing in again in this browser."),
                              ("Aanmelding elders begonnen", "Deze aanmelding is in een andere browser begonnen "
                               "of het cookie ervan is weg. Begin opnieuw met aanmelden in deze browser.")),
    "sign_in_denied": (("Sign-in was cancelled", "The sign-in service did not sign you in (you may have "
                        "cancelled). Start signing in again."),
                       ("Aanmelden is afgebroken", "De aanmeldservice heeft je niet aangemeld (misschien heb je "
                        "geannuleerd). Begin opnieuw met aanmelden.")),
    "unknown_person": (("kbbot does not know you yet", "You signed in, but kbbot has not met you in chat in that "
                        "workspace yet. Use kbbot there once (for example /kb help), then sign in again."),
                       ("kbbot kent je nog niet", "Je bent aangemeld, maar kbbot heeft je in die werkruimte nog "
                        "niet in de chat gezien. Gebruik kbbot daar eerst eens (bijvoorbeeld /kb help) en meld "
                        "je dan opnieuw aan.")),
    "unknown_provider": (("Unknown sign-in service", "This knowledge base does not offer that way of signing in."),
                         ("Onbekende aanmeldservice", "Deze kennisbank biedt die manier van aanmelden niet.")),
    "local_only": (("Local sign-in is off", "Signing in without a sign-in service is only possible with "
                    "`kbbot web`, on this computer."),
                   ("Lokaal aanmelden staat uit", "Aanmelden zonder aanmeldservice kan alleen met `kbbot web`, "
                    "op deze computer.")),
    "method_not_allowed": (("That does not work here", "This page cannot be used that way."),
                           ("Dat werkt hier niet", "Deze pagina kan zo niet worden gebruikt.")),
    "forbidden_origin": (("Refused", "That form was sent from another site, so nothing was done."),
                         ("Geweigerd", "Dat formulier kwam van een andere site, dus er is niets gedaan.")),
}

MESSAGES: dict[str, dict[str, str]] = {
    "web.title": {"en": "Knowledge base", "nl": "Kennisbank"},
    "web.skip": {"en": "Skip to content", "nl": "Naar de inhoud"},
    "web.nav.label": {"en": "Main", "nl": "Hoofdmenu"},
    "web.nav.search": {"en": "Search", "nl": "Zoeken"},
    "web.nav.experts": {"en": "Experts", "nl": "Deskundigen"},
    "web.nav.me": {"en": "My page", "nl": "Mijn pagina"},
    "web.signed_in_as": {"en": "Signed in as {name}", "nl": "Aangemeld als {name}"},
    "web.sign_out": {"en": "Sign out", "nl": "Afmelden"},
    "web.language": {"en": "Language", "nl": "Taal"},
    "web.footer": {"en": "You see what you could see in chat: private channels only if you are in them.",
                   "nl": "Je ziet wat je ook in de chat zou zien: privékanalen alleen als je erin zit."},
    "web.local.banner": {"en": "LOCAL ONLY — trying kbbot on this computer: anyone here can sign in as anyone.",
                         "nl": "ALLEEN LOKAAL — kbbot uitproberen op deze computer: iedereen hier kan zich als "
                               "wie dan ook aanmelden."},
    "web.local.heading": {"en": "Local sign-in (this computer only)", "nl": "Lokaal aanmelden (alleen deze computer)"},
    "web.local.explain": {"en": "`kbbot web` lets you look around as any person in this database, without a "
                                "sign-in service. It only listens on this computer and is not for real use.",
                          "nl": "Met `kbbot web` kijk je rond als iedereen in deze database, zonder "
                                "aanmeldservice. Het luistert alleen op deze computer en is niet voor echt gebruik."},
    "web.local.person": {"en": "Sign in as", "nl": "Aanmelden als"},
    "web.local.submit": {"en": "Sign in locally", "nl": "Lokaal aanmelden"},
    "web.local.nobody": {"en": "There is nobody in this database yet: ask kbbot something in chat or in its terminal first.",
                         "nl": "Er staat nog niemand in deze database: vraag kbbot eerst iets in de chat of in zijn terminal."},
    "web.sign_in.title": {"en": "Sign in", "nl": "Aanmelden"},
    "web.sign_in.intro": {"en": "Sign in with the account you use kbbot with in chat. You will see exactly what "
                                "you may see there.",
                          "nl": "Meld je aan met het account waarmee je kbbot in de chat gebruikt. Je ziet precies "
                                "wat je daar mag zien."},
    "web.sign_in.with": {"en": "Sign in with {provider}", "nl": "Aanmelden met {provider}"},
    "web.sign_in.none": {"en": "No way of signing in is configured yet; ask your administrator.",
                         "nl": "Er is nog geen manier van aanmelden ingesteld; vraag het je beheerder."},
    "web.notice.expired": {"en": "Your session has ended. Please sign in again.",
                           "nl": "Je sessie is afgelopen. Meld je opnieuw aan."},
    "web.notice.invalid": {"en": "Your session could not be read, so you were signed out. Please sign in again.",
                           "nl": "Je sessie kon niet worden gelezen, dus je bent afgemeld. Meld je opnieuw aan."},
    "web.notice.signed_out": {"en": "You are signed out.", "nl": "Je bent afgemeld."},
    "web.error.back": {"en": "Back to the knowledge base", "nl": "Terug naar de kennisbank"},
    "web.error.sign_in": {"en": "Sign in", "nl": "Aanmelden"},
    "web.home.heading": {"en": "Welcome, {name}", "nl": "Welkom, {name}"},
    "web.home.recent": {"en": "Recent questions", "nl": "Recente vragen"},
    "web.home.empty": {"en": "No questions you can see yet.", "nl": "Nog geen vragen die jij kunt zien."},
    "web.home.tags": {"en": "Topics", "nl": "Onderwerpen"},
    "web.search.label": {"en": "Search questions and answers", "nl": "Zoek in vragen en antwoorden"},
    "web.search.submit": {"en": "Search", "nl": "Zoeken"},
    "web.search.title": {"en": "Search", "nl": "Zoeken"},
    "web.search.title_for": {"en": "Search: {query}", "nl": "Zoeken: {query}"},
    "web.search.too_long": {"en": "That search is too long: use at most {limit} characters.",
                            "nl": "Die zoekopdracht is te lang: gebruik hoogstens {limit} tekens."},
    "web.search.no_words": {"en": "That search has no words to look for. Try a few words from the question.",
                            "nl": "In die zoekopdracht staan geen woorden om naar te zoeken. Probeer een paar "
                                  "woorden uit de vraag."},
    "web.search.count": {"en": "{count} results for “{query}”", "nl": "{count} resultaten voor “{query}”"},
    "web.search.count_more": {"en": "The best {count} results for “{query}”; more below, or add words to narrow it down.",
                              "nl": "De beste {count} resultaten voor “{query}”; meer hieronder, of voeg woorden toe "
                                    "om te verfijnen."},
    "web.search.count_page": {"en": "Results {first} to {last} for “{query}”",
                              "nl": "Resultaten {first} tot en met {last} voor “{query}”"},
    "web.search.results": {"en": "Results", "nl": "Resultaten"},
    "web.search.pages": {"en": "More results", "nl": "Meer resultaten"},
    "web.search.previous": {"en": "← Previous results", "nl": "← Vorige resultaten"},
    "web.search.next": {"en": "Next results →", "nl": "Volgende resultaten →"},
    "web.search.none": {"en": "Nothing found. Ask it in chat: /ask", "nl": "Niets gevonden. Vraag het in de chat: /ask"},
    "web.asked_by": {"en": "asked by {asker}", "nl": "gevraagd door {asker}"},
    "web.asked_by_on": {"en": "Asked by {asker} on {date}", "nl": "Gevraagd door {asker} op {date}"},
    "web.answered_by_on": {"en": "Answer {id} by {author} on {date}", "nl": "Antwoord {id} van {author} op {date}"},
    "web.state.open": {"en": "open", "nl": "onbeantwoord"},
    "web.state.answered": {"en": "answered", "nl": "beantwoord"},
    "web.state.accepted": {"en": "accepted answer", "nl": "geaccepteerd antwoord"},
    "web.state.closed": {"en": "closed", "nl": "gesloten"},
    "web.answer_count": {"en": "Answers: {count}", "nl": "Antwoorden: {count}"},
    "web.question_count": {"en": "questions: {count}", "nl": "vragen: {count}"},
    "web.tags": {"en": "Tags", "nl": "Trefwoorden"},
    "web.accepted": {"en": "Accepted", "nl": "Geaccepteerd"},
    "web.verified": {"en": "Verified", "nl": "Geverifieerd"},
    "web.flagged_outdated": {"en": "Flagged outdated ({count})", "nl": "Gemeld als verouderd ({count})"},
    "web.flagged_incorrect": {"en": "Flagged incorrect ({count})", "nl": "Gemeld als onjuist ({count})"},
    "web.votes": {"en": "Upvotes: {count}", "nl": "Stemmen: {count}"},
    "web.question.number": {"en": "Question {id}", "nl": "Vraag {id}"},
    "web.question.thread": {"en": "Open the conversation in chat", "nl": "Open het gesprek in de chat"},
    "web.question.no_answers": {"en": "No answers yet. Answer it in its thread in chat.",
                                "nl": "Nog geen antwoorden. Beantwoord hem in zijn draad in de chat."},
    "web.tag.experts": {"en": "Who knows about this", "nl": "Wie weet hier iets van"},
    "web.tag.no_experts": {"en": "Nobody has declared or earned this topic yet.",
                           "nl": "Niemand heeft dit onderwerp nog opgegeven of verdiend."},
    "web.tag.questions": {"en": "Questions", "nl": "Vragen"},
    "web.tag.no_questions": {"en": "No questions you can see carry this tag.",
                             "nl": "Geen vragen die jij kunt zien hebben deze tag."},
    "web.expert.declared": {"en": "declared", "nl": "opgegeven"},
    "web.expert.accepted": {"en": "accepted answers: {count}", "nl": "geaccepteerde antwoorden: {count}"},
    "web.expert.upvotes": {"en": "upvotes: {count}", "nl": "stemmen: {count}"},
    "web.experts.title": {"en": "Experts", "nl": "Deskundigen"},
    "web.experts.intro": {"en": "Who knows what, by topic: from what people declared and the answers colleagues "
                                "found useful.",
                          "nl": "Wie weet wat, per onderwerp: uit wat mensen opgaven en de antwoorden die "
                                "collega's nuttig vonden."},
    "web.experts.none": {"en": "No experts yet.", "nl": "Nog geen deskundigen."},
    "web.me.title": {"en": "My page", "nl": "Mijn pagina"},
    "web.me.stage": {"en": "Where you stand", "nl": "Waar je staat"},
    "web.me.figures": {"en": "Questions: {questions} · answers: {answers} · accepted: {accepted} · upvotes: {upvotes}",
                       "nl": "Vragen: {questions} · antwoorden: {answers} · geaccepteerd: {accepted} · "
                             "stemmen: {upvotes}"},
    "web.me.expertise": {"en": "Your topics", "nl": "Jouw onderwerpen"},
    "web.me.waiting": {"en": "Questions waiting for you", "nl": "Vragen die op jou wachten"},
    "web.me.waiting_none": {"en": "Nothing is waiting for your expertise right now.",
                            "nl": "Er wacht nu niets op jouw expertise."},
    "web.me.questions": {"en": "My questions", "nl": "Mijn vragen"},
    "web.me.questions_none": {"en": "You have not asked anything yet.", "nl": "Je hebt nog niets gevraagd."},
    "web.me.answers": {"en": "My answers", "nl": "Mijn antwoorden"},
    "web.me.answers_none": {"en": "You have not answered anything yet.", "nl": "Je hebt nog niets beantwoord."},
    "web.me.anonymous_note": {"en": "You asked this anonymously: only you see that it is yours.",
                              "nl": "Je vroeg dit anoniem: alleen jij ziet dat hij van jou is."},
    "web.link.open_question": {"en": "Open in the knowledge base", "nl": "Openen in de kennisbank"},
}

for _reason, ((_en_title, _en_body), (_nl_title, _nl_body)) in _ERRORS.items():
    MESSAGES[f"web.error.{_reason}.title"] = {"en": _en_title, "nl": _nl_title}
    MESSAGES[f"web.error.{_reason}.body"] = {"en": _en_body, "nl": _nl_body}
