"""What someone cannot see cannot change what they see: private knowledge never moves public results.

Ranking weighs words by how rare they are (idf). If private channels, direct
messages, "just for me" posts or another workspace counted in those
statistics, an outsider could learn that a word is being used in private
from the order and scores of their own results. Alice is in the private
channel; Bob is not.
"""

from __future__ import annotations

from test_search_support import KB, NOW, kb, shared_sessions, texts  # noqa: F401 - fixtures

from kbbot.services import search
from kbbot.store.models import ConversationKind, Workspace


def _ranking(kb: KB, query: str) -> list[tuple[str, float]]:
    """Everything Bob finds for ``query``: questions, posts and suggestions, in order, with their scores."""
    questions = [(h.question.text, round(h.score, 9)) for h in search.search(kb.session, kb.bob, query, limit=500)]
    posts = [(h.post.text, round(h.score, 9)) for h in search.search_posts(kb.session, kb.bob, query, limit=500)]
    suggested = [(h.question.text, round(h.relevance, 9)) for h in search.suggest(kb.session, kb.bob, query, [])]
    return [*questions, ("--", 0.0), *posts, ("--", 0.0), *suggested]


def _leak_privately(kb: KB, words: str, times: int) -> None:
    """Many private questions, answers and posts full of ``words``, in every place Bob cannot look."""
    secret = kb.conversation("G-secret", ConversationKind.PRIVATE)
    dm = kb.conversation("D-alice", ConversationKind.DM)
    kb.join(kb.alice, secret)
    kb.join(kb.alice, dm)
    for i in range(times):
        where = secret if i % 2 else dm
        kb.ask(f"Secret {words} plan number {i}?", answer=f"The {words} is confidential, item {i}.", where=where)
        kb.share(f"Post {i}: working on the secret {words}", where=where if i % 3 else None, author=kb.alice)
    other = Workspace(platform="console", external_id="T-other", name="Other", settings={}, created_at=NOW)
    kb.session.add(other)
    kb.session.flush()
    elsewhere = KB.__new__(KB)
    elsewhere.session, elsewhere.workspace = kb.session, other
    elsewhere.channel = elsewhere.conversation("C-other", ConversationKind.CHANNEL)
    elsewhere.alice = elsewhere.bob = elsewhere.person("dave", "Dave")
    for i in range(times):
        elsewhere.ask(f"Other company {words} question {i}?", answer=f"Their {words} answer {i}.")


def test_private_questions_and_posts_do_not_change_an_outsiders_ranking(kb: KB) -> None:
    kb.ask("How do I deploy the billing service?", answer="Run the deploy pipeline.")
    kb.ask("How do I roll back a billing release?", answer="Use the rollback job.")
    kb.ask("Deploy or rollback first when billing breaks?", answer="Rollback, then deploy a fix.")
    kb.ask("Where is the deploy calendar?", answer="In the wiki.")
    kb.ask("Who approves a rollback?", answer="The release manager approves every rollback.")
    kb.share("Learned how our billing deploy pipeline works", where=kb.channel, author=kb.bob)
    kb.share("Practised a rollback of the billing database", where=kb.channel, author=kb.bob)
    queries = ["deploy rollback", "billing deploy", "rollback billing release", "deploy billing service rollback"]
    before = {q: _ranking(kb, q) for q in queries}
    assert texts(search.search(kb.session, kb.bob, "deploy rollback"))  # the public knowledge is found

    _leak_privately(kb, "deploy billing", times=40)

    assert {q: _ranking(kb, q) for q in queries} == before
    # A member still finds the private knowledge, ranked among the public.
    found = texts(search.search(kb.session, kb.alice, "secret deploy plan", limit=50))
    assert any(t.startswith("Secret deploy billing plan") for t in found)
    assert any("working on the secret deploy billing" in h.post.text
               for h in search.search_posts(kb.session, kb.alice, "secret deploy", limit=50))


def test_private_knowledge_does_not_change_which_public_questions_are_candidates(kb: KB) -> None:
    # More public matches than the database nominates for ranking, so its own order decides which are ranked.
    for i in range(50):
        kb.ask(f"Alpha question {i} about the {'quarterly ' * (i % 3)}budget?", answer=f"Answer {i}.")
    for i in range(70):
        kb.ask(f"Beta question {i} about the {'yearly ' * (i % 4)}roadmap?", answer=f"Answer {i}.")
    before = _ranking(kb, "alpha beta")
    assert len([t for t, _ in before if t.startswith(("Alpha", "Beta"))]) >= 100

    _leak_privately(kb, "alpha", times=150)

    assert _ranking(kb, "alpha beta") == before


def _sampled(monkeypatch: object) -> None:
    """Make this small knowledge base "large": statistics come from a sample and counts stop at a cap."""
    from kbbot.search import statistics

    for name, value in (("SAMPLE_FROM", 40), ("SAMPLE_SIZE", 20), ("SAMPLE_MIN_HITS", 4), ("COUNT_UP_TO", 8),
                        ("COMMON_COUNT", 10**9)):
        monkeypatch.setattr(statistics, name, value)  # type: ignore[attr-defined]
    _forget_statistics()


def _forget_statistics() -> None:
    from kbbot.search import statistics

    statistics._remembered.clear()
    statistics._samples.clear()


def test_a_large_knowledge_base_counts_rare_words_exactly_and_caps_common_ones(kb: KB, monkeypatch) -> None:
    from kbbot.search import indexer, statistics

    for i in range(60):
        kb.ask(f"Printer {i} jams {'on duplex ' if i % 2 else ''}pages?", answer=f"Answer {i}.")
    kb.ask("Where is the stapler kept?", answer="Second drawer.")
    kb.ask("Who refills the stapler?", answer="Facilities.")
    _sampled(monkeypatch)
    monkeypatch.setattr(statistics, "SAMPLE_MIN_HITS", 1000)  # no word is common enough to estimate alone:
    connection = kb.session.connection()  # every one is counted, up to the cap
    total, counts = statistics.public_statistics(connection, indexer.backend_of(connection), kb.workspace.id,
                                                 ["stapler", "duplex", "printer"])
    assert total == 62
    assert counts["stapler"] == 2  # rare: counted, exactly
    # Past the cap: the cap or the sample's estimate (every other document, every document), whichever is larger.
    assert 8 <= counts["duplex"] <= 62 and 8 <= counts["printer"] <= 62
    assert counts["printer"] >= counts["duplex"]


def test_in_a_sampled_knowledge_base_private_knowledge_still_changes_nothing_for_an_outsider(kb: KB,
                                                                                          monkeypatch) -> None:
    for i in range(60):
        kb.ask(f"Question {i} about {'expenses ' if i % 3 == 0 else ''}{'travel ' if i % 4 == 0 else ''}policy?",
               answer=f"Answer {i}.")
    _sampled(monkeypatch)
    queries = ["travel expenses", "expenses policy", "travel policy question"]
    before = {q: _ranking(kb, q) for q in queries}
    assert any(t.startswith("Question") for t, _ in before["travel expenses"])

    _leak_privately(kb, "travel expenses", times=30)
    _forget_statistics()  # a new sample and new counts: nothing remembered hides the private rows

    assert {q: _ranking(kb, q) for q in queries} == before
