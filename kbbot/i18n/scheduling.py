"""Messages of the scheduling feature, English and Dutch side by side (same rules as catalogue.py).

``wol.*`` is the weekly working-out-loud prompt and what follows from it;
``digest.*`` the channel and personal digests. The prompt questions rotate
week by week; their keys are ``wol.question.0`` … (see :data:`PROMPT_QUESTIONS`).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # The weekly prompt: one of these questions, rotating.
    "wol.question.0": {
        "en": "What did you work on this week that a colleague might want to know about?",
        "nl": "Waar heb je deze week aan gewerkt dat een collega ook zou willen weten?",
    },
    "wol.question.1": {
        "en": "What did you learn this week?",
        "nl": "Wat heb je deze week geleerd?",
    },
    "wol.question.2": {
        "en": "Where did you get stuck this week, and how did you get unstuck (or not yet)?",
        "nl": "Waar liep je deze week vast, en hoe kwam je weer verder (of nog niet)?",
    },
    "wol.question.3": {
        "en": "Which tool, trick or shortcut saved you time this week?",
        "nl": "Welk hulpmiddel, trucje of handigheidje bespaarde je deze week tijd?",
    },
    "wol.question.4": {
        "en": "What would you tell a new colleague about what you did this week?",
        "nl": "Wat zou je een nieuwe collega vertellen over wat je deze week deed?",
    },
    "wol.prompt.heading": {"en": "🗣️ Working out loud", "nl": "🗣️ Hardop werken"},
    "wol.prompt.hint": {
        "en": "Reply to this message with a few lines (add #tags if you like). You choose afterwards whether "
              "your team sees it or it stays just for you.",
        "nl": "Antwoord op dit bericht met een paar regels (met #tags als je wilt). Daarna kies je of je team "
              "het ziet of dat het alleen voor jou blijft.",
    },
    "wol.button.prompts_off": {"en": "No more weekly prompts", "nl": "Geen wekelijkse vraag meer"},
    "wol.button.other_day": {"en": "Another day…", "nl": "Andere dag…"},
    "wol.pick_day": {
        "en": "On which day should I ask you, at {time}?",
        "nl": "Op welke dag zal ik het je vragen, om {time}?",
    },
    "wol.day_chosen": {
        "en": "From now on I'll ask you on {day} at {time} ({timezone}).",
        "nl": "Vanaf nu vraag ik het je op {day} om {time} ({timezone}).",
    },
    "wol.day.mon": {"en": "Monday", "nl": "maandag"},
    "wol.day.tue": {"en": "Tuesday", "nl": "dinsdag"},
    "wol.day.wed": {"en": "Wednesday", "nl": "woensdag"},
    "wol.day.thu": {"en": "Thursday", "nl": "donderdag"},
    "wol.day.fri": {"en": "Friday", "nl": "vrijdag"},
    "wol.day.sat": {"en": "Saturday", "nl": "zaterdag"},
    "wol.day.sun": {"en": "Sunday", "nl": "zondag"},
    "wol.button.prompts_on": {"en": "Turn weekly prompts back on", "nl": "Wekelijkse vraag weer aanzetten"},
    "wol.button.share": {"en": "Share with #{channel}", "nl": "Delen met #{channel}"},
    "wol.button.keep_private": {"en": "Just for me", "nl": "Alleen voor mij"},
    "wol.button.ask_instead": {"en": "It's a question: ask it", "nl": "Het is een vraag: stel hem"},
    "wol.saved": {
        "en": "Noted{tags}. Who should see it? Until you choose, it stays just for you.",
        "nl": "Genoteerd{tags}. Wie mag het zien? Zolang je niet kiest, blijft het alleen voor jou.",
    },
    "wol.saved_no_channel": {
        "en": "Noted{tags}, just for you. Join or post in a team channel to be able to share next time.",
        "nl": "Genoteerd{tags}, alleen voor jou. Word lid van een teamkanaal of post erin om het volgende keer te "
              "kunnen delen.",
    },
    "wol.shared": {
        "en": "Shared with #{channel}: it will be in the channel's weekly digest.",
        "nl": "Gedeeld met #{channel}: het komt in de wekelijkse samenvatting van het kanaal.",
    },
    "wol.kept_private": {
        "en": "Kept just for you. Nobody else will see it.",
        "nl": "Alleen voor jou bewaard. Niemand anders ziet het.",
    },
    "wol.not_yours": {
        "en": "That post is not yours to share.",
        "nl": "Dat bericht is niet van jou om te delen.",
    },
    "wol.cannot_share_there": {
        "en": "You can only share with a channel you are in.",
        "nl": "Je kunt alleen delen met een kanaal waar je in zit.",
    },
    "wol.prompts_off": {
        "en": "Done: no more weekly prompts. You can turn them on again at any time.",
        "nl": "Klaar: geen wekelijkse vraag meer. Je kunt hem altijd weer aanzetten.",
    },
    "wol.prompts_on": {
        "en": "Weekly prompts are on again.",
        "nl": "De wekelijkse vraag staat weer aan.",
    },
    # Channels asking for a digest ("@kbbot digest on" in the channel).
    "digest.channel_on": {
        "en": "This channel will get a weekly digest ({day} {time}, {timezone}).",
        "nl": "Dit kanaal krijgt een wekelijkse samenvatting ({day} {time}, {timezone}).",
    },
    "digest.channel_off": {
        "en": "This channel will no longer get a weekly digest.",
        "nl": "Dit kanaal krijgt geen wekelijkse samenvatting meer.",
    },
    "digest.channel_private_only": {
        "en": "A digest can only be turned on in a channel, not in a direct message.",
        "nl": "Een samenvatting kan alleen in een kanaal aan, niet in een privébericht.",
    },
    # Personal digest
    "digest.personal.heading": {
        "en": "📬 Your week in kbbot, {name}",
        "nl": "📬 Jouw week in kbbot, {name}",
    },
    "digest.personal.waiting": {
        "en": "Questions in your expertise still waiting for an answer",
        "nl": "Vragen binnen jouw expertise die nog op een antwoord wachten",
    },
    "digest.personal.new_answers": {
        "en": "New answers to your questions",
        "nl": "Nieuwe antwoorden op jouw vragen",
    },
    "digest.personal.recognition": {
        "en": "Your answers this week",
        "nl": "Jouw antwoorden deze week",
    },
    "digest.personal.accepted": {
        "en": "✅ Accepted: {answer}",
        "nl": "✅ Geaccepteerd: {answer}",
    },
    "digest.personal.flagged": {
        "en": "⚠️ Flagged {kind}: {answer}",
        "nl": "⚠️ Gemarkeerd als {kind}: {answer}",
    },
    "digest.flag.outdated": {"en": "outdated", "nl": "verouderd"},
    "digest.flag.incorrect": {"en": "incorrect", "nl": "onjuist"},
    "digest.personal.flag_hint": {
        "en": "Edit your answer in its thread if it needs an update.",
        "nl": "Pas je antwoord aan in de thread als het bijgewerkt moet worden.",
    },
    "digest.personal.stage": {
        "en": "You are {stage} · questions asked: {questions} · answers: {answers} · accepted: {accepted}",
        "nl": "Je bent aan het {stage} · vragen gesteld: {questions} · antwoorden: {answers} · geaccepteerd: {accepted}",
    },
    "digest.answer_from": {
        "en": "{author} answered",
        "nl": "{author} antwoordde",
    },
    # Channel digest
    "digest.channel.heading": {
        "en": "📰 This week in #{channel}",
        "nl": "📰 Deze week in #{channel}",
    },
    "digest.channel.new_questions": {"en": "New questions", "nl": "Nieuwe vragen"},
    "digest.channel.accepted": {"en": "Answers accepted this week", "nl": "Deze week geaccepteerde antwoorden"},
    "digest.channel.unanswered": {"en": "Still waiting for an answer", "nl": "Wachten nog op een antwoord"},
    "digest.channel.posts": {"en": "Working out loud", "nl": "Hardop gewerkt"},
    "digest.channel.helpers": {
        "en": "Thank you for helping most this week: {names}",
        "nl": "Bedankt voor de meeste hulp deze week: {names}",
    },
    "digest.more": {"en": "…and {count} more", "nl": "…en nog {count}"},
    "digest.post_by": {"en": "{author}", "nl": "{author}"},
    # Buttons in digests: clicking through is reading it.
    "digest.button.open": {"en": "Open", "nl": "Openen"},
    "digest.button.thanks": {"en": "👍 Useful", "nl": "👍 Nuttig"},
    "digest.button.digest_off": {"en": "No more digests", "nl": "Geen samenvatting meer"},
    "digest.thanks": {"en": "Thanks for reading!", "nl": "Bedankt voor het lezen!"},
    "digest.digest_off": {
        "en": "Done: no more weekly digests. Turn them on again with /kb settings digest on.",
        "nl": "Klaar: geen wekelijkse samenvatting meer. Zet hem weer aan met /kb settings digest aan.",
    },
    "digest.question_gone": {
        "en": "That question is no longer available to you.",
        "nl": "Die vraag is niet meer voor je beschikbaar.",
    },
    "digest.no_answers_yet": {
        "en": "No answers yet. Reply in the question's thread if you know.",
        "nl": "Nog geen antwoorden. Antwoord in de thread van de vraag als je het weet.",
    },
    "digest.empty_preview": {
        "en": "Nothing worth saying this week: this digest would not be sent.",
        "nl": "Niets te melden deze week: deze samenvatting zou niet worden verstuurd.",
    },
}

PROMPT_QUESTIONS = tuple(sorted((k for k in MESSAGES if k.startswith("wol.question.")),
                                key=lambda k: int(k.rsplit(".", 1)[1])))
"""Catalogue keys of the rotating prompt questions, in rotation order."""
