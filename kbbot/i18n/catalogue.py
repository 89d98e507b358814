"""The message catalogue: every user-facing string, English and Dutch side by side.

Keep entries short; chat is read on phones. Placeholders in ``{braces}``
must be the same in both languages (a test checks).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # Questions and asking
    "question.heading": {"en": "❓ Question from {asker}", "nl": "❓ Vraag van {asker}"},
    "question.heading_anonymous": {"en": "❓ Anonymous question", "nl": "❓ Anonieme vraag"},
    "question.anonymous": {"en": "anonymous", "nl": "anoniem"},
    "question.reply_hint": {
        "en": "Reply in this thread to answer; the asker can accept the best answer with ✅.",
        "nl": "Antwoord in deze thread; wie de vraag stelde, accepteert het beste antwoord met ✅.",
    },
    "question.reply_hint_anonymous": {
        "en": "Reply in this thread to answer; the asker accepts the best answer privately.",
        "nl": "Antwoord in deze thread; wie de vraag stelde, accepteert het beste antwoord privé.",
    },
    "question.reply_hint_quote": {
        "en": "Answer with Reply on this message; the asker accepts the best answer privately.",
        "nl": "Antwoord met Beantwoorden op dit bericht; wie de vraag stelde, accepteert het beste antwoord privé.",
    },
    "where.dm": {"en": "a direct message", "nl": "een privébericht"},
    "suggest.heading": {
        "en": "These colleagues' answers may already help. Does one answer your question?",
        "nl": "Deze antwoorden van collega's helpen misschien al. Beantwoordt een ervan je vraag?",
    },
    "ask.no_channel": {
        "en": "Ask in a channel so colleagues can answer, or ask an admin to set a questions channel.",
        "nl": "Stel je vraag in een kanaal zodat collega's kunnen antwoorden, of vraag een beheerder een vragenkanaal in te stellen.",
    },
    "ask.posted_anonymously": {
        "en": "Your question is posted anonymously in {channel}. Only you will be told about answers.",
        "nl": "Je vraag staat anoniem in {channel}. Alleen jij krijgt bericht over antwoorden.",
    },
    "ask.posted_elsewhere": {
        "en": "Your question is posted in {channel}.",
        "nl": "Je vraag staat in {channel}.",
    },
    "ask.experts_lead": {
        "en": "Colleagues who know about {tags}, could you help?",
        "nl": "Collega's die verstand hebben van {tags}, kunnen jullie helpen?",
    },
    "ask.expert_dm": {
        "en": "A colleague asks about {tags} in {channel}, and you know about that:",
        "nl": "Een collega heeft een vraag over {tags} in {channel}, en daar weet jij van:",
    },
    "ask.expert_dm_hint": {
        "en": "Answer in the question's thread; your answer helps everyone who asks later.",
        "nl": "Antwoord in de thread van de vraag; je antwoord helpt iedereen die het later vraagt.",
    },
    "ask.confirm": {
        "en": "Shall I post this question in {channel} so colleagues can answer?",
        "nl": "Zal ik deze vraag in {channel} plaatsen zodat collega's kunnen antwoorden?",
    },
    "ask.anon_needs_dm": {
        "en": "Your message shows your name here, so I can't ask anonymously from it. Send me the question in a direct message, or use /ask --anon.",
        "nl": "Je bericht toont hier je naam, dus ik kan er niet anoniem mee vragen. Stuur me de vraag in een privébericht, of gebruik /ask --anon.",
    },
    "ask.expert_dm_anonymous": {
        "en": "A colleague asks anonymously about {tags} in {channel}, and you know about that:",
        "nl": "Een collega vraagt anoniem iets over {tags} in {channel}, en daar weet jij van:",
    },
    "draft.gone": {
        "en": "That question was already handled.",
        "nl": "Die vraag is al afgehandeld.",
    },
    "draft.posting": {"en": "Asking your colleagues…", "nl": "Je collega's worden gevraagd…"},
    "draft.resolved": {
        "en": "Glad it was already answered. Nothing was posted.",
        "nl": "Fijn dat het al beantwoord was. Er is niets geplaatst.",
    },
    # Answers
    "answer.by": {"en": "answer {id} by {author}", "nl": "antwoord {id} van {author}"},
    "answer.accepted_mark": {"en": "✅ accepted", "nl": "✅ geaccepteerd"},
    "answer.votes": {"en": "👍 {count}", "nl": "👍 {count}"},
    "answer.flagged_incorrect": {"en": "⚠️ flagged incorrect ({count})", "nl": "⚠️ gemarkeerd als onjuist ({count})"},
    "answer.flagged_outdated": {"en": "⚠️ flagged outdated ({count})", "nl": "⚠️ gemarkeerd als verouderd ({count})"},
    "answer.new_for_asker": {
        "en": "{author} answered your question “{question}”",
        "nl": "{author} heeft je vraag “{question}” beantwoord",
    },
    "answer.accept_hint": {
        "en": "Accept the answer that solved it: it helps the next person who asks.",
        "nl": "Accepteer het antwoord dat je hielp: daar heeft de volgende vraagsteller ook wat aan.",
    },
    "question.followed": {
        "en": "You'll get a message when this question has an accepted answer.",
        "nl": "Je krijgt bericht zodra deze vraag een geaccepteerd antwoord heeft.",
    },
    "question.already_followed": {
        "en": "You already follow this question.",
        "nl": "Je volgt deze vraag al.",
    },
    "question.own": {"en": "That is your own question: you hear about every answer already.",
                     "nl": "Dat is je eigen vraag: je hoort al over elk antwoord."},
    "answer.accepted_for_follower": {
        "en": "The question you also had, “{question}”, has an accepted answer by {author}:",
        "nl": "De vraag die jij ook had, “{question}”, heeft een geaccepteerd antwoord van {author}:",
    },
    "answer.upvoted": {"en": "👍 Thanks, your upvote is counted.", "nl": "👍 Dank je, je duim telt mee."},
    "answer.already_upvoted": {"en": "You already upvoted that answer.", "nl": "Je hebt dat antwoord al een 👍 gegeven."},
    "answer.already_accepted": {"en": "You already accepted {author}'s answer; nothing changed.",
                                "nl": "Je hebt het antwoord van {author} al geaccepteerd; er is niets veranderd."},
    "answer.not_found": {
        "en": "That answer no longer exists or is not visible to you.",
        "nl": "Dat antwoord bestaat niet meer of is niet zichtbaar voor jou.",
    },
    "answer.only_asker_accepts": {
        "en": "Only the person who asked can accept an answer. You can upvote it with 👍.",
        "nl": "Alleen wie de vraag stelde kan een antwoord accepteren. Jij kunt het een 👍 geven.",
    },
    "answer.no_self_vote": {
        "en": "You can't upvote your own answer.",
        "nl": "Je kunt je eigen antwoord geen 👍 geven.",
    },
    "answer.accepted_confirmation": {
        "en": "You accepted {author}'s answer. Thanks for closing the loop!",
        "nl": "Je hebt het antwoord van {author} geaccepteerd. Bedankt voor het afronden!",
    },
    "answer.accepted_in_thread": {
        "en": "✅ {asker} accepted the answer by {author}.",
        "nl": "✅ {asker} heeft het antwoord van {author} geaccepteerd.",
    },
    "answer.accepted_for_author": {
        "en": "🎉 Your answer to “{question}” was accepted. Thank you for sharing what you know!",
        "nl": "🎉 Je antwoord op “{question}” is geaccepteerd. Bedankt voor het delen van je kennis!",
    },
    # Flags
    "flag.kind.outdated": {"en": "outdated", "nl": "verouderd"},
    "flag.kind.incorrect": {"en": "incorrect", "nl": "onjuist"},
    "flag.recorded": {
        "en": "Thanks, the answer is marked {kind}. Its author is asked to update it.",
        "nl": "Bedankt, het antwoord is gemarkeerd als {kind}. De auteur wordt gevraagd het bij te werken.",
    },
    "flag.already": {"en": "You already flagged that answer.", "nl": "Je hebt dat antwoord al gemarkeerd."},
    "flag.for_author": {
        "en": "A colleague marked your answer to “{question}” as {kind}: {reason}. Edit it in its thread to update it.",
        "nl": "Een collega markeerde je antwoord op “{question}” als {kind}: {reason}. Pas het aan in de thread om het bij te werken.",
    },
    "flag.no_reason": {"en": "no reason given", "nl": "geen reden opgegeven"},
    # Search results
    "hit.asked_by": {"en": "asked by {asker}", "nl": "gevraagd door {asker}"},
    "hit.answer_id": {"en": "answer {id}", "nl": "antwoord {id}"},
    "hit.incorrect_warning": {"en": "⚠️ flagged as incorrect", "nl": "⚠️ gemarkeerd als onjuist"},
    "hit.accepted": {"en": "✅ {author}: {answer}", "nl": "✅ {author}: {answer}"},
    "hit.answers": {"en": "{count} answer(s)", "nl": "{count} antwoord(en)"},
    "hit.outdated_warning": {"en": "⚠️ may be outdated", "nl": "⚠️ mogelijk verouderd"},
    "hit.answer_line": {"en": "answer {id} by {author}: {answer}", "nl": "antwoord {id} van {author}: {answer}"},
    "hit.more_answers": {"en": "+ {count} more answer(s)", "nl": "+ nog {count} antwoord(en)"},
    "search.heading": {"en": "{count} result(s) for “{query}”", "nl": "{count} resultaat/resultaten voor “{query}”"},
    "search.none": {
        "en": "Nothing found for “{query}”. Ask your colleagues with /ask.",
        "nl": "Niets gevonden voor “{query}”. Vraag het je collega's met /ask.",
    },
    # Experts and expertise
    "experts.heading": {"en": "Who knows about #{tag}", "nl": "Wie weet iets van #{tag}"},
    "experts.none": {
        "en": "Nobody has declared or earned #{tag} yet. Ask the question with /ask and tag it #{tag}.",
        "nl": "Nog niemand heeft #{tag} opgegeven of verdiend. Stel je vraag met /ask en tag hem met #{tag}.",
    },
    "experts.declared": {"en": "declared", "nl": "opgegeven"},
    "experts.accepted": {"en": "{count} accepted answer(s)", "nl": "{count} geaccepteerd(e) antwoord(en)"},
    "experts.posts": {"en": "{count} shared post(s)", "nl": "{count} gedeelde post(s)"},
    "experts.upvotes": {"en": "{count} upvote(s)", "nl": "{count} duim(en) omhoog"},
    "expertise.added": {"en": "Added to your expertise: {tags}", "nl": "Toegevoegd aan je expertise: {tags}"},
    "expertise.already": {"en": "Already in your expertise: {tags}", "nl": "Stond al in je expertise: {tags}"},
    "expertise.removed": {"en": "Removed from your expertise: {tags}", "nl": "Verwijderd uit je expertise: {tags}"},
    "expertise.none_removed": {
        "en": "None of those tags were in your expertise.",
        "nl": "Geen van die tags stond in je expertise.",
    },
    "expertise.empty": {
        "en": "You have no expertise tags yet. Add some with /expertise add kubernetes python",
        "nl": "Je hebt nog geen expertisetags. Voeg ze toe met /expertise add kubernetes python",
    },
    "expertise.heading": {"en": "Your expertise", "nl": "Jouw expertise"},
    "expertise.declared": {"en": "Declared: {tags}", "nl": "Opgegeven: {tags}"},
    "expertise.earned": {"en": "Earned by accepted answers: {tags}", "nl": "Verdiend met geaccepteerde antwoorden: {tags}"},
    "expertise.earned_tag": {"en": "#{tag} ({count})", "nl": "#{tag} ({count})"},
    # Settings
    "settings.heading": {"en": "Your settings", "nl": "Je instellingen"},
    "settings.language": {"en": "Language: {value}", "nl": "Taal: {value}"},
    "settings.timezone": {"en": "Timezone: {value}", "nl": "Tijdzone: {value}"},
    "settings.prompts": {"en": "Weekly 'what did you learn?' prompt: {value}", "nl": "Wekelijkse vraag 'wat heb je geleerd?': {value}"},
    "settings.digest": {"en": "Weekly digest: {value}", "nl": "Wekelijkse samenvatting: {value}"},
    "settings.when": {"en": "{day} at {time}", "nl": "{day} om {time}"},
    "settings.on": {"en": "on", "nl": "aan"},
    "settings.off": {"en": "off", "nl": "uit"},
    "settings.how": {
        "en": "Change with /kb settings language nl|en, timezone Europe/Amsterdam, prompts on|off, digest on|off",
        "nl": "Wijzig met /kb settings taal nl|en, tijdzone Europe/Amsterdam, prompts aan|uit, digest aan|uit",
    },
    "settings.saved": {"en": "Settings saved.", "nl": "Instellingen opgeslagen."},
    "language.en": {"en": "English", "nl": "Engels"},
    "language.nl": {"en": "Dutch", "nl": "Nederlands"},
    # A channel's language (/kb channel language): what kbbot posts there is in it
    "channel.language_set": {"en": "kbbot now posts in {language} in {channel} (set by {person}).",
                             "nl": "kbbot post nu in het {language} in {channel} (ingesteld door {person})."},
    "channel.language_automatic": {
        "en": "kbbot posts in {channel} in the language of most of its members again (now {language}).",
        "nl": "kbbot post in {channel} weer in de taal van de meeste leden (nu {language}).",
    },
    "channel.language_shown_set": {
        "en": "kbbot posts in {channel} in {language}: set with /kb channel language. Change it with /kb channel language en|nl|auto.",
        "nl": "kbbot post in {channel} in het {language}: ingesteld met /kb kanaal taal. Wijzig het met /kb kanaal taal en|nl|auto.",
    },
    "channel.language_shown_members": {
        "en": "kbbot posts in {channel} in {language}, the language most of its members use. Set one with /kb channel language en|nl.",
        "nl": "kbbot post in {channel} in het {language}, de taal van de meeste leden. Stel er een in met /kb kanaal taal en|nl.",
    },
    "channel.language_not_here": {
        "en": "Use this in the channel whose language you want to set.",
        "nl": "Gebruik dit in het kanaal waarvan je de taal wilt instellen.",
    },
    # Someone mentioned in what a colleague wrote whom kbbot does not know: never shown by their id
    "mention.someone": {"en": "@someone", "nl": "@iemand"},
    # Stats and stages
    "stats.heading": {"en": "Your knowledge sharing", "nl": "Jouw kennisdeling"},
    "stats.questions": {"en": "Questions asked: {count}", "nl": "Vragen gesteld: {count}"},
    "stats.answers": {"en": "Answers given: {count}", "nl": "Antwoorden gegeven: {count}"},
    "stats.accepted": {"en": "Answers accepted: {count}", "nl": "Antwoorden geaccepteerd: {count}"},
    "stats.upvotes": {"en": "Upvotes received: {count}", "nl": "Duimen ontvangen: {count}"},
    "stats.stage": {"en": "Your stage: {stage}", "nl": "Jouw fase: {stage}"},
    "stage.consuming": {"en": "consuming", "nl": "consumeren"},
    "stage.contributing": {"en": "contributing", "nl": "bijdragen"},
    "stage.creating": {"en": "creating", "nl": "creëren"},
    "stage.next.consuming": {
        "en": "Next step: answer a question in your field, or upvote an answer that helped you.",
        "nl": "Volgende stap: beantwoord een vraag uit jouw vakgebied, of geef een 👍 aan een antwoord dat je hielp.",
    },
    "stage.next.contributing": {
        "en": "Next step: share what you learned this week, or answer so well it gets accepted.",
        "nl": "Volgende stap: deel wat je deze week leerde, of geef een antwoord dat geaccepteerd wordt.",
    },
    "stage.next.creating": {
        "en": "Colleagues rely on what you share. Thank you!",
        "nl": "Collega's bouwen op wat jij deelt. Dank je wel!",
    },
    # Home
    "home.heading": {"en": "Hi {name}, here is your knowledge corner", "nl": "Hoi {name}, dit is je kennishoek"},
    "home.mine": {"en": "Your open questions", "nl": "Je open vragen"},
    "home.mine_none": {"en": "No open questions. Ask one with /ask.", "nl": "Geen open vragen. Stel er een met /ask."},
    "home.waiting": {"en": "Unanswered questions in your expertise", "nl": "Onbeantwoorde vragen in jouw expertise"},
    "home.waiting_none": {
        "en": "Nothing waiting for you. Add expertise tags to see questions you can help with.",
        "nl": "Niets dat op je wacht. Voeg expertisetags toe om vragen te zien waarbij je kunt helpen.",
    },
    "home.expertise": {"en": "Your expertise", "nl": "Jouw expertise"},
    "home.expertise_none": {"en": "None yet: /expertise add <tags>", "nl": "Nog geen: /expertise add <tags>"},
    # Buttons
    "button.accept": {"en": "✅ Accept", "nl": "✅ Accepteren"},
    "button.upvote": {"en": "👍 Upvote", "nl": "👍 Duim omhoog"},
    "button.flag_outdated": {"en": "⚠️ Outdated", "nl": "⚠️ Verouderd"},
    "button.this_answers_it": {"en": "This answers it", "nl": "Dit beantwoordt het"},
    "button.ask_anyway": {"en": "Ask anyway", "nl": "Toch vragen"},
    "button.follow": {"en": "✋ Me too", "nl": "✋ Ik ook"},
    "button.post_question": {"en": "Post with my name", "nl": "Plaatsen met mijn naam"},
    "button.ask_anonymously": {"en": "Post anonymously", "nl": "Anoniem plaatsen"},
    "button.language_other": {"en": "Nederlands", "nl": "English"},
    "button.toggle_prompts": {"en": "Prompts on/off", "nl": "Wekelijkse vraag aan/uit"},
    "button.toggle_digest": {"en": "Digest on/off", "nl": "Samenvatting aan/uit"},
    # Help
    "help.heading": {"en": "What kbbot can do", "nl": "Wat kbbot kan"},
    "help.ask": {
        "en": "/ask [--anon] <question> [#tag …]: ask colleagues; existing answers are shown first",
        "nl": "/ask [--anon] <vraag> [#tag …]: vraag het je collega's; bestaande antwoorden zie je eerst",
    },
    "help.answer": {
        "en": "Reply in a question's thread to answer; the asker accepts with ✅, others upvote with 👍",
        "nl": "Antwoord in de thread van een vraag; de vraagsteller accepteert met ✅, anderen geven een 👍",
    },
    "help.search": {"en": "/kb search <words>: search what colleagues already answered",
                    "nl": "/kb search <woorden>: zoek in wat collega's al beantwoordden"},
    "help.experts": {"en": "/experts <tag>: who knows about a topic", "nl": "/experts <tag>: wie weet iets van een onderwerp"},
    "help.expertise": {"en": "/expertise add|remove|list <tags>: your expertise tags",
                       "nl": "/expertise add|remove|list <tags>: jouw expertisetags"},
    "help.settings": {"en": "/kb settings: language, timezone, weekly prompt and digest",
                      "nl": "/kb settings: taal, tijdzone, wekelijkse vraag en samenvatting"},
    "help.stats": {"en": "/kb stats: your questions, answers and stage", "nl": "/kb stats: je vragen, antwoorden en fase"},
    "help.upvote": {"en": "/kb upvote <answer number>: say an answer helped you (or react with 👍)",
                    "nl": "/kb upvote <antwoordnummer>: laat weten dat een antwoord hielp (of reageer met 👍)"},
    "help.close": {"en": "/kb close <question number>: close your own question (solved elsewhere, no longer needed)",
                   "nl": "/kb close <vraagnummer>: sluit je eigen vraag (elders opgelost, niet meer nodig)"},
    "help.edit": {"en": "/kb edit <question number> <new text> [#tag …]: reword your own question (new tags replace the old)",
                  "nl": "/kb edit <vraagnummer> <nieuwe tekst> [#tag …]: herformuleer je eigen vraag (nieuwe tags vervangen de oude)"},
    "help.withdraw": {"en": "/kb withdraw <question number>: take your own question back (not once an answer is accepted)",
                      "nl": "/kb withdraw <vraagnummer>: trek je eigen vraag in (niet meer na een geaccepteerd antwoord)"},
    "help.home": {"en": "/kb home: your open questions, questions for you, expertise and settings",
                  "nl": "/kb home: je open vragen, vragen voor jou, expertise en instellingen"},
    "help.digest": {"en": "/kb digest on|off: a weekly digest for this channel",
                    "nl": "/kb digest aan|uit: een wekelijkse samenvatting voor dit kanaal"},
    "help.whoami": {"en": "/kb whoami: what kbbot knows about you", "nl": "/kb whoami: wat kbbot over je weet"},
    "help.channel": {"en": "/kb channel language en|nl|auto: the language kbbot posts in here (auto: most members')",
                     "nl": "/kb kanaal taal en|nl|auto: de taal waarin kbbot hier post (auto: die van de meeste leden)"},
    "whoami.heading": {"en": "What kbbot knows about you", "nl": "Wat kbbot over je weet"},
    "whoami.name": {"en": "Name: {name}", "nl": "Naam: {name}"},
    "whoami.id": {"en": "your id on this platform: {id}", "nl": "je id op dit platform: {id}"},
    "whoami.expertise": {"en": "Expertise: declared {declared}; earned {earned}",
                         "nl": "Expertise: zelf opgegeven {declared}; verdiend {earned}"},
    "whoami.knowledge": {
        "en": "Your knowledge here: {questions} question(s), {answers} answer(s), {posts} shared post(s); "
              "you follow {following} question(s)",
        "nl": "Jouw kennis hier: {questions} vraag/vragen, {answers} antwoord(en), {posts} gedeelde bericht(en); "
              "je volgt {following} vraag/vragen",
    },
    "whoami.conversations": {
        "en": "Conversations kbbot knows you are in: {count} (this decides what you may see)",
        "nl": "Gesprekken waarvan kbbot weet dat je erin zit: {count} (dat bepaalt wat je mag zien)",
    },
    "whoami.activity": {"en": "Recorded actions: {count} in total, no timeline; your stage: {stage}",
                        "nl": "Vastgelegde acties: {count} in totaal, geen tijdlijn; je fase: {stage}"},
    "whoami.footer": {
        "en": "Only you see this. Change your settings with /kb settings, your expertise with /expertise.",
        "nl": "Alleen jij ziet dit. Wijzig je instellingen met /kb settings, je expertise met /expertise.",
    },
    "channel.this_channel": {"en": "this channel", "nl": "dit kanaal"},
    "channel.language_unchanged": {"en": "kbbot already posts in {language} in {channel}; nothing changed.",
                                   "nl": "kbbot post al in het {language} in {channel}; er is niets veranderd."},
    "help.flag": {"en": "/kb flag <answer number> outdated|incorrect [reason]: correct the knowledge",
                  "nl": "/kb flag <antwoordnummer> verouderd|onjuist [reden]: corrigeer de kennis"},
    # Small talk to kbbot: thanks and greetings are not questions (kbbot/commands/small_talk.py)
    "chat.thanks": {
        "en": "Glad it helped! Ask me anything with /ask <question>, or type /kb help to see what I can do.",
        "nl": "Fijn dat het hielp! Vraag me alles met /ask <vraag>, of typ /kb help om te zien wat ik kan.",
    },
    "chat.hello": {
        "en": "Hi! Ask me anything with /ask <question>, or type /kb help to see what I can do.",
        "nl": "Hoi! Vraag me alles met /ask <vraag>, of typ /kb help om te zien wat ik kan.",
    },
    "chat.thread_reply": {
        "en": "I don't pass on replies to my messages. To ask something new, use /ask <question>; "
              "to answer or thank a colleague, reply in the question's thread.",
        "nl": "Antwoorden op mijn berichten geef ik niet door. Iets nieuws vragen doe je met /ask <vraag>; "
              "een collega antwoorden of bedanken doe je in de thread van de vraag.",
    },
    # A channel's digest asked for again (the first request is announced in the channel: see scheduling.py)
    "digest.channel_already_on": {
        "en": "This channel already gets a weekly digest ({day} {time}, {timezone}); nothing changed.",
        "nl": "Dit kanaal krijgt al een wekelijkse samenvatting ({day} {time}, {timezone}); er is niets veranderd.",
    },
    "digest.channel_already_off": {
        "en": "This channel gets no weekly digest; nothing changed.",
        "nl": "Dit kanaal krijgt geen wekelijkse samenvatting; er is niets veranderd.",
    },
    # Usage and errors
    "usage.hint": {"en": "Type /kb help for all commands.", "nl": "Typ /kb help voor alle opdrachten."},
    "usage.ask": {"en": "Usage: /ask [--anon] <question> [#tag …]", "nl": "Gebruik: /ask [--anon] <vraag> [#tag …]"},
    "usage.ask_flag": {
        "en": "Unknown option {flag}. Usage: /ask [--anon] <question> [#tag …]",
        "nl": "Onbekende optie {flag}. Gebruik: /ask [--anon] <vraag> [#tag …]",
    },
    "usage.search": {"en": "Usage: /kb search <words>", "nl": "Gebruik: /kb search <woorden>"},
    "usage.kb": {
        "en": "Unknown /kb command “{command}”. Usage: /kb {verbs}",
        "nl": "Onbekende /kb-opdracht “{command}”. Gebruik: /kb {verbs}",
    },
    "usage.settings": {
        "en": "Usage: /kb settings [language en|nl] [timezone Area/City] [prompts on|off] [digest on|off] "
              "[prompt-day mon…fri] [prompt-time 15:00] [digest-day mon…sun] [digest-time 09:00] [pings 0…50]",
        "nl": "Gebruik: /kb settings [taal en|nl] [tijdzone Gebied/Stad] [prompts aan|uit] [digest aan|uit] "
              "[vraagdag ma…vr] [vraagtijd 15:00] [samenvattingsdag ma…zo] [samenvattingstijd 09:00] [pings 0…50]",
    },
    "usage.settings_schedule": {
        "en": "“{value}” is not a day (mon…sun) or a time (HH:MM).",
        "nl": "“{value}” is geen dag (ma…zo) of tijd (UU:MM).",
    },
    "usage.settings_prompt_weekend": {
        "en": "The weekly prompt comes on workdays only: pick Monday to Friday.",
        "nl": "De wekelijkse vraag komt alleen op werkdagen: kies maandag tot en met vrijdag.",
    },
    "usage.channel_digest": {"en": "Usage: /kb digest on|off (in the channel)", "nl": "Gebruik: /kb digest aan|uit (in het kanaal)"},
    "usage.channel": {"en": "Usage: /kb channel language en|nl|auto (in the channel)",
                      "nl": "Gebruik: /kb kanaal taal en|nl|auto (in het kanaal)"},
    "usage.settings_language": {
        "en": "Unknown language “{value}”: choose en or nl.",
        "nl": "Onbekende taal “{value}”: kies en of nl.",
    },
    "usage.settings_timezone": {
        "en": "Unknown timezone “{value}”: use a name like Europe/Amsterdam.",
        "nl": "Onbekende tijdzone “{value}”: gebruik een naam als Europe/Amsterdam.",
    },
    "usage.experts": {"en": "Usage: /experts <tag>", "nl": "Gebruik: /experts <tag>"},
    "usage.expertise": {"en": "Usage: /expertise {verbs} <tags>", "nl": "Gebruik: /expertise {verbs} <tags>"},
    "usage.expertise_unknown": {"en": "Unknown /expertise command “{command}”. Usage: /expertise {verbs} <tags>",
                                "nl": "Onbekende /expertise-opdracht “{command}”. Gebruik: /expertise {verbs} <tags>"},
    "usage.expertise_mentions": {
        "en": "Mentions are not tags: name topics, for example /expertise add kubernetes python",
        "nl": "Vermeldingen zijn geen tags: noem onderwerpen, bijvoorbeeld /expertise add kubernetes python",
    },
    "usage.close": {"en": "Usage: /kb close <question number>", "nl": "Gebruik: /kb close <vraagnummer>"},
    "question.already_closed": {"en": "Question {id} is already closed; nothing changed.",
                                "nl": "Vraag {id} is al gesloten; er is niets veranderd."},
    "question.closed": {"en": "Question {id} is closed. Thanks for letting colleagues know.",
                        "nl": "Vraag {id} is gesloten. Fijn dat je het laat weten."},
    "question.only_asker_closes": {"en": "Only the person who asked can close a question.",
                                   "nl": "Alleen wie de vraag stelde kan hem sluiten."},
    "question.closed_in_thread": {"en": "🔒 The asker closed this question.", "nl": "🔒 De vraagsteller heeft deze vraag gesloten."},
    "usage.edit": {"en": "Usage: /kb edit <question number> <new text> [#tag …]",
                   "nl": "Gebruik: /kb edit <vraagnummer> <nieuwe tekst> [#tag …]"},
    "usage.withdraw": {"en": "Usage: /kb withdraw <question number>", "nl": "Gebruik: /kb withdraw <vraagnummer>"},
    "question.not_found": {"en": "That question no longer exists or is not visible to you.",
                           "nl": "Die vraag bestaat niet meer of is niet zichtbaar voor jou."},
    "question.only_asker_edits": {"en": "Only the person who asked can edit a question. You can answer it in its thread.",
                                  "nl": "Alleen wie de vraag stelde kan hem bewerken. Jij kunt hem beantwoorden in de thread."},
    "question.only_asker_withdraws": {"en": "Only the person who asked can withdraw a question.",
                                      "nl": "Alleen wie de vraag stelde kan hem intrekken."},
    "question.edited": {"en": "Question {id} now reads:", "nl": "Vraag {id} luidt nu:"},
    "question.edit_unchanged": {"en": "Question {id} already reads like that; nothing changed.",
                                "nl": "Vraag {id} luidt al zo; er is niets veranderd."},
    "question.edited_mark": {"en": "✏️ Edited by the asker", "nl": "✏️ Bewerkt door de vraagsteller"},
    "question.withdrawn": {
        "en": "Question {id} is withdrawn. It no longer shows in search, suggestions, home or digests.",
        "nl": "Vraag {id} is ingetrokken. Hij verschijnt niet meer in zoekresultaten, suggesties, overzichten of samenvattingen.",
    },
    "question.withdrawn_card": {"en": "↩️ This question was withdrawn by the asker.",
                                "nl": "↩️ Deze vraag is ingetrokken door de vraagsteller."},
    "question.already_withdrawn": {"en": "You already withdrew question {id}.", "nl": "Je hebt vraag {id} al ingetrokken."},
    "question.withdraw_refused_accepted": {
        "en": "Question {id} has an accepted answer, so it stays: colleagues with the same question will find it. "
              "You can still reword it with /kb edit {id} <new text>.",
        "nl": "Vraag {id} heeft een geaccepteerd antwoord en blijft dus staan: collega's met dezelfde vraag vinden het. "
              "Je kunt hem wel herformuleren met /kb edit {id} <nieuwe tekst>.",
    },
    "usage.upvote": {"en": "Usage: /kb upvote <answer number>", "nl": "Gebruik: /kb upvote <antwoordnummer>"},
    "usage.flag": {
        "en": "Usage: /kb flag <answer number> outdated|incorrect [reason]",
        "nl": "Gebruik: /kb flag <antwoordnummer> verouderd|onjuist [reden]",
    },
    "error.unknown_command": {
        "en": "I don't know the command “{command}”.",
        "nl": "Ik ken de opdracht “{command}” niet.",
    },
    "error.too_long": {
        "en": "That text is {length} characters; the limit is {limit}. Please shorten it.",
        "nl": "Die tekst is {length} tekens; de limiet is {limit}. Maak hem korter.",
    },
    "error.unreadable": {
        "en": "Part of what you sent could not be read (it arrived garbled, shown as �). Please type it again.",
        "nl": "Een deel van wat je stuurde kon niet worden gelezen (het kwam verminkt aan, te zien als �). "
              "Typ het opnieuw.",
    },
    "error.too_many_tags": {"en": "Use at most {limit} tags.", "nl": "Gebruik maximaal {limit} tags."},
    "error.unknown_action": {
        "en": "That button no longer works. Try the command again.",
        "nl": "Die knop werkt niet meer. Probeer de opdracht opnieuw.",
    },
}
