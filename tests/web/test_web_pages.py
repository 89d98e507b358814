"""The pages a signed-in person reads: search, question, tags, experts, my page; privacy and bad input."""

from __future__ import annotations

import re

import pytest
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from kbbot.services import search
from kbbot.store.db import unit_of_work
from kbbot.store.models import Answer, AnswerCare, Person
from web_support.knowledge import ANONYMOUS_ASKER, Seeded
from web_support.site import Browser, slack_user


def signed_in(browser: Browser, user: str) -> Browser:
    shown = browser.sign_in(slack_user("T1", user)).text
    assert "Signed in as" in shown or "Aangemeld als" in shown
    return browser


def result_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<h3 class="item-title"><a href="/kb/q/(\d+)"', html)]


def test_search_ranks_as_chat_search_does_counts_and_marks_the_words(
        browser: Browser, seeded: Seeded, sessions: sessionmaker[Session]) -> None:
    page = signed_in(browser, "U1").get("/kb/search?q=reset+vpn+passwords")
    assert page.status == 200
    with unit_of_work(sessions) as session:
        expected = [hit.question.id for hit in search.search(session, session.get(Person, seeded.alice),
                                                             "reset vpn passwords", limit=21)]
    assert result_ids(page.text) == expected[:20] and expected[0] == seeded.public
    assert f"{len(expected)} results for “reset vpn passwords”" in page.text
    assert "<mark>reset</mark>" in page.text and "<mark>VPN</mark>" in page.text and "<mark>password</mark>" in page.text
    assert "Open the self-service portal" in page.text  # the accepted answer under the hit


def test_search_syntax_and_empty_searches_are_just_words(browser: Browser, seeded: Seeded) -> None:
    signed_in(browser, "U1")
    page = browser.get('/kb/search?q="vpn" AND (password OR NEAR/3 * -- ; DROP TABLE questions')
    assert page.status == 200 and seeded.public in result_ids(page.text)
    page = browser.get("/kb/search?q=%22%28%29*%3A%3A")
    assert page.status == 200 and "That search has no words to look for" in page.text
    page = browser.get("/kb/search?q=")
    assert page.status == 200 and "results for" not in page.text


def test_a_huge_search_gets_a_page_saying_so(browser: Browser, seeded: Seeded) -> None:
    signed_in(browser, "U1")
    page = browser.get("/kb/search?q=" + "vpn+" * 1500)
    assert page.status == 200 and "That search is too long" in page.text and "Traceback" not in page.text


def test_the_question_page_shows_answers_with_their_standing(browser: Browser, seeded: Seeded) -> None:
    page = signed_in(browser, "U3").get(f"/kb/q/{seeded.public}")
    text = page.text
    assert "How do I reset the VPN password on my laptop?" in text
    assert "Asked by Alice Jansen on 2026-11-26" in text and "#general" in text and 'href="/kb/tags/vpn"' in text
    accepted = text.index("Open the self-service portal")
    stale = text.index("Call the helpdesk")
    assert accepted < stale  # the accepted answer first
    assert "Accepted" in text[:stale] and "Upvotes: 2" in text and "Flagged outdated (1)" in text
    assert "by Bob de Vries" in text and "by Carol Buiten" in text


def test_a_private_channels_question_is_for_its_members_only(site, seeded: Seeded) -> None:
    member, outsider = Browser(site), Browser(site)
    try:
        page = signed_in(member, "U2").get(f"/kb/q/{seeded.private}")
        assert page.status == 200 and "Globex merger" in page.text
        hidden = signed_in(outsider, "U3").get(f"/kb/q/{seeded.private}")
        missing = outsider.get("/kb/q/987654")
        assert hidden.status == missing.status == 404
        assert hidden.text == missing.text and "Globex" not in hidden.text
        assert "Globex" not in outsider.get("/kb/search?q=globex+merger").text
        assert "Globex" in member.get("/kb/search?q=globex+merger").text
    finally:
        member.close()
        outsider.close()


def test_an_anonymous_asker_is_named_nowhere(browser: Browser, seeded: Seeded) -> None:
    signed_in(browser, "U3")
    pages = [browser.get(path).text for path in (
        "/kb/", f"/kb/q/{seeded.anonymous}", "/kb/search?q=confidential+counsellor", "/kb/tags/hr", "/kb/experts",
        "/kb/me")]
    assert "confidential counsellor" in pages[1] and "Asked by anonymous" in pages[1]
    for html in pages:
        assert ANONYMOUS_ASKER not in html and "Dirk" not in html and "U4" not in html


def test_tag_pages_and_the_experts_directory(browser: Browser, seeded: Seeded) -> None:
    signed_in(browser, "U3")
    page = browser.get("/kb/tags/vpn")
    assert "#vpn" in page.text and "Bob de Vries" in page.text and "declared" in page.text
    assert "How do I reset the VPN password" in page.text
    page = browser.get("/kb/tags/VPN")
    assert page.status == 200 and "Bob de Vries" in page.text
    assert browser.get("/kb/tags/no-such-tag").status == 404
    directory = browser.get("/kb/experts").text
    assert 'href="/kb/tags/vpn"' in directory and "Bob de Vries" in directory and "accepted answers: 1" in directory


def test_my_page_has_my_questions_answers_invitations_and_stage(browser: Browser, seeded: Seeded) -> None:
    page = signed_in(browser, "U1").get("/kb/me").text
    mine = page.split("My questions")[1]
    assert "How do I reset the VPN password" in mine.split("My answers")[0]
    assert "The Globex merger closes" in page.split("My answers")[1]
    waiting = page.split("Questions waiting for you")[1].split("My questions")[0]
    assert "Which printer on the third floor" in waiting  # Alice declared #printer; Carol asked
    assert '<p class="stage-name">consuming</p>' in page  # stages come from what one did in chat (none here)


def test_the_anonymous_asker_alone_sees_that_it_was_them(site, seeded: Seeded) -> None:
    dirk = Browser(site)
    try:
        page = signed_in(dirk, "U4").get("/kb/me").text
        assert "You asked this anonymously" in page and "confidential counsellor" in page
    finally:
        dirk.close()


def test_dutch_from_the_browser_the_setting_or_the_switch(site, seeded: Seeded, sessions: sessionmaker[Session]) -> None:
    dutch_browser = Browser(site, accept_language="nl-NL,nl;q=0.9,en;q=0.5")
    english_browser = Browser(site, accept_language="en-GB,en;q=0.9")
    try:
        assert "Aanmelden met Slack" in dutch_browser.get("/kb/").text
        page = signed_in(dutch_browser, "U3").get(f"/kb/q/{seeded.public}")
        assert 'lang="nl"' in page.text and "Gevraagd door Alice Jansen" in page.text and "Geaccepteerd" in page.text
        with unit_of_work(sessions) as session:  # Bob chose Dutch in kbbot (/kb settings)
            session.execute(update(Person).where(Person.id == seeded.bob).values(locale="nl", locale_chosen=True))
        assert "Zoeken" in signed_in(english_browser, "U2").get("/kb/search").text
        switched = english_browser.get(f"/kb/language/en?next=/kb/q/{seeded.public}")
        assert switched.url.endswith(f"/kb/q/{seeded.public}") and "Asked by Alice" in switched.text
    finally:
        dutch_browser.close()
        english_browser.close()


def test_every_page_is_locked_down_and_has_no_script(browser: Browser, seeded: Seeded) -> None:
    signed_in(browser, "U1")
    for path in ("/kb/", "/kb/search?q=vpn", f"/kb/q/{seeded.public}", "/kb/tags/vpn", "/kb/experts", "/kb/me",
                 "/kb/q/0", "/kb/sign-in"):
        page = browser.get(path)
        csp = page.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "script-src" not in csp
        assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["X-Content-Type-Options"] == "nosniff"
        assert "<script" not in page.text.lower() and " on" + "click=" not in page.text.lower()
        assert '<html lang="en">' in page.text and '<meta name="viewport"' in page.text


@pytest.mark.parametrize("path", ["/kb/q/abc", "/kb/q/99999999999999999999", "/kb/q/-1", "/kb/q/%00",
                                  "/kb/nowhere", "/kb/tags/" + "x" * 300, "/kb/language/fr"])
def test_bad_addresses_get_the_same_clear_page(browser: Browser, seeded: Seeded, path: str) -> None:
    page = signed_in(browser, "U1").get(path)
    assert page.status == 404 and "Not found" in page.text and "Traceback" not in page.text


def test_a_return_address_elsewhere_is_ignored(browser: Browser, seeded: Seeded) -> None:
    page = browser.sign_in(slack_user("T1", "U1"), next_page="https://evil.example/kb/")
    assert page.url.startswith(browser.site.url + "/kb/")
    page = browser.get("/kb/language/nl?next=//evil.example/")
    assert page.url == browser.site.url + "/kb/"


def test_many_results_come_in_pages_in_the_same_order(browser: Browser, seeded: Seeded,
                                                      sessions: sessionmaker[Session]) -> None:
    from kbbot.store.models import Question, QuestionStatus
    from web_support.knowledge import NOW

    with unit_of_work(sessions) as session:
        public = session.get(Question, seeded.public)
        assert public is not None
        session.add_all([Question(workspace_id=public.workspace_id, conversation_id=public.conversation_id,
                                  asker_id=seeded.carol, is_anonymous=False, text=f"Docking station {n} for my laptop?",
                                  status=QuestionStatus.OPEN, created_at=NOW, updated_at=NOW) for n in range(25)])
    with unit_of_work(sessions) as session:
        expected = [hit.question.id for hit in search.search(session, session.get(Person, seeded.alice),
                                                             "laptop docking", limit=100)]
    signed_in(browser, "U1")
    first = browser.get("/kb/search?q=laptop+docking")
    assert result_ids(first.text) == expected[:20] and "Next results" in first.text
    second = browser.get("/kb/search?q=laptop+docking&page=2")
    assert result_ids(second.text) == expected[20:40] and '<ol class="list results" start="21">' in second.text
    assert "Results 21 to 26" in second.text and "Previous results" in second.text
    assert browser.get("/kb/search?q=laptop&page=x").status == 400


def test_the_question_page_links_to_the_thread_in_chat(browser: Browser, seeded: Seeded) -> None:
    page = signed_in(browser, "U1").get(f"/kb/q/{seeded.public}")
    assert 'href="https://slack.com/archives/C1/p5000100" rel="noreferrer noopener"' in page.text


def test_a_database_that_is_down_gets_a_page_saying_so(settings, provider, tmp_path) -> None:
    from kbbot.store.db import make_engine, session_factory
    from kbbot.web.cookies import Signer
    from web_support.site import SECRET, Site

    gone = session_factory(make_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'kbbot.db'}"))
    site = Site(gone, settings, provider)
    browser = Browser(site)
    try:
        browser.set_cookie("kbbot_session", Signer(SECRET, 1800, 3600, 600).session(1, "slack"))
        page = browser.get("/kb/me")
        assert page.status == 503 and "The knowledge base is unavailable" in page.text and "Traceback" not in page.text
    finally:
        browser.close()
        site.stop()


def test_the_stylesheet_is_cacheable_and_carries_no_cookie(browser: Browser, seeded: Seeded) -> None:
    signed_in(browser, "U1")
    page = browser.get("/kb/static/kb.css")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/css")
    assert "max-age=3600" in page.headers["Cache-Control"] and "Set-Cookie" not in page.headers


def test_a_tag_used_only_where_the_viewer_is_not_is_not_found(browser: Browser, seeded: Seeded,
                                                              sessions: sessionmaker[Session]) -> None:
    from kbbot.store.models import Question, Tag

    with unit_of_work(sessions) as session:
        private = session.get(Question, seeded.private)
        assert private is not None
        private.tags = [Tag(name="globex")]
    signed_in(browser, "U3")
    outsider = browser.get("/kb/tags/globex")
    assert outsider.status == 404 and outsider.text == browser.get("/kb/tags/never-used-anywhere").text


def test_the_question_page_says_who_verified_an_answer_and_marks_a_retired_one(
        browser: Browser, seeded: Seeded, sessions: sessionmaker[Session]) -> None:
    with unit_of_work(sessions) as session:
        accepted = session.scalars(select(Answer).where(Answer.question_id == seeded.public, Answer.is_accepted)).one()
        bob = session.scalars(select(Person).where(Person.display_name == "Bob de Vries")).first()
        session.add(AnswerCare(answer_id=accepted.id, verified_at=datetime(2026, 11, 28, 10, tzinfo=UTC),
                               verified_by_id=bob.id))
    text = signed_in(browser, "U3").get(f"/kb/q/{seeded.public}").text
    assert "verified by Bob de Vries, 2026-11-28" in text  # the chat's words

    with unit_of_work(sessions) as session:
        care = session.get(AnswerCare, accepted.id)
        care.retired_at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    text = browser.get(f"/kb/q/{seeded.public}").text
    assert "retired 2026-12-01" in text and "verified by" not in text  # retired: no longer shown as verified
