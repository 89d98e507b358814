"""Search and suggestions never show what the searcher may not see, and never reveal anonymous askers."""

from __future__ import annotations

from test_search_support import KB, NOW, kb, shared_sessions, texts  # noqa: F401 - fixtures

from kbbot.presentation import cards
from kbbot.services import search
from kbbot.store.models import ConversationKind, Workspace


def test_a_private_channel_question_is_found_only_by_its_members(kb: KB) -> None:
    secret = kb.conversation("G-reorg", ConversationKind.PRIVATE)
    kb.join(kb.alice, secret)
    kb.ask("When is the reorganisation announced?", answer="Next Monday.", where=secret)
    kb.ask("When is the summer party announced?", answer="In May.")
    assert texts(search.search(kb.session, kb.bob, "reorganisation announced")) == [
        "When is the summer party announced?"]
    assert "When is the reorganisation announced?" in texts(search.search(kb.session, kb.alice, "reorganisation"))
    # At /ask, a member is offered the private answer; an outsider never is.
    asked = "When will the reorganisation be announced?"
    assert "When is the reorganisation announced?" in texts(search.suggest(kb.session, kb.alice, asked, []))
    assert "When is the reorganisation announced?" not in texts(search.suggest(kb.session, kb.bob, asked, []))


def test_a_direct_message_question_stays_between_its_members(kb: KB) -> None:
    dm = kb.conversation("D-alice", ConversationKind.DM)
    kb.join(kb.alice, dm)
    kb.ask("Salary scale of the senior role?", answer="Scale 11.", where=dm)
    assert search.search(kb.session, kb.bob, "salary scale senior") == []
    assert texts(search.search(kb.session, kb.alice, "salary scale senior")) == ["Salary scale of the senior role?"]


def test_another_workspace_is_never_searched(kb: KB) -> None:
    other = Workspace(platform="console", external_id="T2", name="Other", settings={}, created_at=NOW)
    kb.session.add(other)
    kb.session.flush()
    kb.ask("How do I reset my VPN password?", answer="Portal.")
    outsider = KB.__new__(KB)
    outsider.session, outsider.workspace = kb.session, other
    carol = outsider.person("carol", "Carol")
    assert search.search(kb.session, carol, "vpn password") == []


def test_anonymous_askers_stay_anonymous_in_results(kb: KB) -> None:
    kb.ask("Is it normal to feel lost in the first month?", answer="Yes, ask your buddy.", anonymous=True,
           asker=kb.alice)
    # The asker's name is not searchable...
    assert search.search(kb.session, kb.bob, "Alice") == []
    # ... and the result a colleague sees says "anonymous", not who asked.
    [hit] = search.search(kb.session, kb.bob, "lost first month")
    item = cards.hit_item(hit.question, hit.accepted, "en")
    assert "Alice" not in f"{item.text} {item.detail}"
    assert "anonymous" in item.detail
    assert "anoniem" in cards.hit_item(hit.question, hit.accepted, "nl").detail


def test_just_for_me_posts_are_found_by_their_author_only(kb: KB) -> None:
    kb.share("Learned how to profile slow postgres queries with auto_explain", where=None, author=kb.alice)
    kb.share("Working on the postgres upgrade runbook", where=kb.channel, author=kb.bob)
    alice_sees = [h.post.text for h in search.search_posts(kb.session, kb.alice, "postgres")]
    bob_sees = [h.post.text for h in search.search_posts(kb.session, kb.bob, "postgres")]
    assert sorted(alice_sees) == ["Learned how to profile slow postgres queries with auto_explain",
                                  "Working on the postgres upgrade runbook"]
    assert bob_sees == ["Working on the postgres upgrade runbook"]


def test_posts_shared_in_a_private_channel_reach_its_members_only(kb: KB) -> None:
    team = kb.conversation("G-platform", ConversationKind.PRIVATE)
    kb.join(kb.alice, team)
    kb.share("Stuck on the terraform state lock again", where=team, author=kb.alice, tags=("terraform",))
    assert [h.post.text for h in search.search_posts(kb.session, kb.alice, "terraform")] == [
        "Stuck on the terraform state lock again"]
    assert search.search_posts(kb.session, kb.bob, "terraform") == []


def test_find_lists_questions_and_posts_together_by_relevance(kb: KB) -> None:
    kb.ask("How do I migrate a helm chart to kustomize?", answer="Use helm template first.")
    kb.share("Migrated our helm charts to kustomize this week, notes in the wiki", where=kb.channel)
    kb.share("Private notes on helm", where=None, author=kb.alice)
    found = search.find(kb.session, kb.bob, "helm kustomize")
    assert {type(h).__name__ for h in found} == {"Hit", "PostHit"}
    assert len(found) == 2


def test_a_post_result_says_who_shared_it_or_that_it_is_private(kb: KB) -> None:
    from kbbot.search.render import post_item

    private = kb.share("My notes on the quarterly planning", where=None, author=kb.alice)
    shared = kb.share("Quarterly planning template is in the wiki", where=kb.channel, author=kb.bob)
    mine = post_item(private, "en")
    assert "only you can see it" in mine.detail
    assert "alleen jij" in post_item(private, "nl").detail
    theirs = post_item(shared, "nl")
    assert "Bob" in theirs.detail and "#C-general" in theirs.detail
    assert theirs.text == "Quarterly planning template is in the wiki"
