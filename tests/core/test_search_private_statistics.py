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
