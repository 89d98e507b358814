"""Ranking on a small hand-made knowledge base, in English and Dutch, on SQLite and PostgreSQL.

Each test builds a few questions and answers through the ORM (so the index
is filled by the same flush that stores the knowledge) and checks what a
person would see from ``/kb search`` and from the suggestions at ``/ask``.
"""

from __future__ import annotations

from test_search_support import KB, NOW, kb, shared_sessions, texts  # noqa: F401 - fixtures

from kbbot.services import search
from kbbot.store.models import Flag, FlagKind


def test_the_question_about_the_words_ranks_first_in_english(kb: KB) -> None:
    kb.ask("How do I reset my VPN password?", answer="Use the self-service portal at vpn.example.com.")
    kb.ask("Which printer on the third floor supports colour?", answer="The one next to the kitchen.")
    kb.ask("Where do I find the VPN client for Linux?", answer="On the intranet downloads page.")
    hits = search.search(kb.session, kb.bob, "forgot vpn password")
    assert texts(hits)[0] == "How do I reset my VPN password?"
    assert "Which printer on the third floor supports colour?" not in texts(hits)


def test_english_stemming_matches_other_forms_of_a_word(kb: KB) -> None:
    kb.ask("Deploying containers to the staging cluster", answer="Run make deploy-staging.")
    kb.ask("Lunch options near the office", answer="The canteen opens at noon.")
    assert texts(search.search(kb.session, kb.bob, "how to deploy a container"))[:1] == [
        "Deploying containers to the staging cluster"]


def test_dutch_plural_finds_the_singular_and_back(kb: KB) -> None:
    singular = kb.ask("Hoe reserveer ik een werkplek op kantoor?", answer="Via de app Flexdesk.")
    kb.ask("Wanneer gaat de kantine open?", answer="Om half twaalf.")
    assert texts(search.search(kb.session, kb.bob, "werkplekken"))[:1] == [singular.text]
    plural = kb.ask("Zijn er genoeg fietsen voor bezoekers?", answer="Vraag het bij de balie.")
    assert texts(search.search(kb.session, kb.bob, "fiets"))[:1] == [plural.text]


def test_dutch_compound_parts_are_found(kb: KB) -> None:
    compound = kb.ask("Hoe vraag ik de thuiswerkvergoeding aan?", answer="In het HR-portaal onder declaraties.")
    kb.ask("Waar staat de koffieautomaat?", answer="Naast de lift.")
    assert texts(search.search(kb.session, kb.bob, "vergoeding"))[:1] == [compound.text]
    # ... and a compound query finds the parts written separately.
    separate = kb.ask("Kan ik een plek reserveren in de vergaderzaal?", answer="Ja, via Outlook.")
    assert separate.text in texts(search.search(kb.session, kb.bob, "vergaderplek"))


def test_words_in_answers_and_tags_count_but_less_than_in_the_question(kb: KB) -> None:
    in_question = kb.ask("How do I rotate the kubernetes certificates?", answer="Run the rotate job.")
    in_answer = kb.ask("Our cluster TLS expired, what now?", answer="Rotate the kubernetes certificates with kubeadm.")
    tagged = kb.ask("Cluster upgrade planning", tags=("kubernetes",), answer="Every quarter.")
    hits = search.search(kb.session, kb.bob, "kubernetes certificates")
    assert texts(hits)[0] == in_question.text
    assert in_answer.text in texts(hits)
    assert tagged.text in texts(search.search(kb.session, kb.bob, "k8s", tags=("k8s",)))


def test_suggestions_only_above_the_threshold_and_accepted_first(kb: KB) -> None:
    answered = kb.ask("How do I get access to the staging database?", answer="Ask in #platform.")
    accepted = kb.ask("Getting access to the staging database", answer="Request it in the portal.", accepted=True)
    kb.ask("How do I get access to the staging database from home?")  # open: never suggested
    kb.ask("Staging deploy failed", answer="Retry the pipeline.")
    suggested = search.suggest(kb.session, kb.bob, "How can I get staging database access?", [])
    assert texts(suggested)[:2] == [accepted.text, answered.text]
    assert len(suggested) <= 3
    # One ordinary word in common is not enough to hold a new question back...
    weak = "Do I need an access badge for the new office building in Utrecht?"
    assert search.suggest(kb.session, kb.bob, weak, []) == []
    # ... although search still lists the question that shares it.
    assert answered.text in texts(search.search(kb.session, kb.bob, weak))


def test_an_outdated_accepted_answer_ranks_below_a_fresh_one(kb: KB) -> None:
    old = kb.ask("How do I book a meeting room?", answer="Use the paper list at reception.", accepted=True)
    fresh = kb.ask("How do I book a meeting room?", answer="Use the room finder in Outlook.", accepted=True)
    kb.session.add(Flag(answer_id=old.answers[0].id, person_id=kb.alice.id, kind=FlagKind.OUTDATED, created_at=NOW))
    kb.session.flush()
    kb.session.expire_all()
    assert [h.question.id for h in search.search(kb.session, kb.bob, "book meeting room")] == [fresh.id, old.id]


def test_nothing_matches_gives_an_empty_list(kb: KB) -> None:
    kb.ask("How do I reset my VPN password?", answer="Self-service portal.")
    assert search.search(kb.session, kb.bob, "quarterly revenue forecast") == []
    assert search.search(kb.session, kb.bob, "the and of") == []


def test_one_shared_word_is_not_a_suggestion(kb: KB) -> None:
    """"Anyone know the wifi password?" is not "How do I rotate the staging password?"."""
    rotate = kb.ask("How do I rotate the staging password?", answer="vault write db/rotate-root/staging",
                    accepted=True)
    kb.ask("Where is the printer on the third floor?", answer="Next to the kitchen.")
    kb.ask("Who orders the coffee beans?", answer="Facilities.")
    assert search.suggest(kb.session, kb.bob, "@here anyone know the wifi password?", []) == []
    assert search.suggest(kb.session, kb.bob, "password", ["wifi"]) == []  # a tag is a word of the question too
    # Two words in common are, and a one-word question needs only that word.
    assert texts(search.suggest(kb.session, kb.bob, "how often should the staging password be rotated?", [])) == [
        rotate.text]
    assert texts(search.suggest(kb.session, kb.bob, "staging password", [])) == [rotate.text]
    assert texts(search.suggest(kb.session, kb.bob, "printer?", [])) == ["Where is the printer on the third floor?"]


def test_a_dutch_compound_shares_the_words_it_joins() -> None:
    from kbbot.search import ranking
    from kbbot.search.query import groups

    def shared(query: str, question: str) -> int:
        return ranking.shared_words(groups(query), ranking.Candidate.of(None, question, []))

    assert shared("Waar vraag ik de thuiswerkvergoeding aan?", "Vergoeding voor thuiswerken") == 2
    assert shared("vergoeding voor thuiswerken", "Hoe vraag ik de thuiswerkvergoeding aan?") == 2
    assert shared("anyone know the wifi password?", "How do I rotate the staging password?") == 1
