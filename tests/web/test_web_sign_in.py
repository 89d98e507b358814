"""Signing in to the web knowledge base: real tokens from a loopback provider, every check by authlib."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from kbbot.store.db import unit_of_work
from kbbot.store.models import WebSignIn
from web_support.knowledge import Seeded
from web_support.provider import OpenIdProvider
from web_support.site import Browser, Site, slack_user


def test_nobody_signed_in_sees_nothing_but_the_sign_in_page(browser: Browser, seeded: Seeded) -> None:
    for path in ("/kb/", f"/kb/q/{seeded.public}", "/kb/search?q=vpn", "/kb/tags/vpn", "/kb/experts", "/kb/me",
                 "/kb/nothing/here"):
        page = browser.get(path)
        assert page.status == 200 and "/kb/sign-in" in page.url, path
        assert "Sign in with Slack" in page.text and "Sign in with Microsoft" in page.text
        assert "VPN" not in page.text and "Alice" not in page.text


def test_signing_in_with_the_chat_workspace_identity_finds_the_same_person(browser: Browser, seeded: Seeded) -> None:
    page = browser.sign_in(slack_user("T1", "U1"), next_page=f"/kb/q/{seeded.public}")
    assert page.status == 200 and page.url.endswith(f"/kb/q/{seeded.public}")
    assert "Signed in as Alice Jansen" in page.text
    assert "How do I reset the VPN password on my laptop?" in page.text


def test_signing_in_with_the_directory_identity_finds_the_teams_person(browser: Browser, provider: OpenIdProvider,
                                                                      seeded: Seeded) -> None:
    provider.issuer_template = provider.issuer + "/{tenant}/v2.0"  # multi-tenant: each tenant is its own issuer
    page = browser.sign_in({"sub": "x", "tid": "tenant-1", "oid": "oid-erin"}, provider="teams")
    assert page.status == 200 and "Signed in as Erin Teams" in page.text


def test_a_workspace_or_person_kbbot_never_met_is_told_so(browser: Browser, provider: OpenIdProvider,
                                                           seeded: Seeded) -> None:
    page = browser.sign_in(slack_user("T1", "U999"))
    assert page.status == 403 and "kbbot does not know you yet" in page.text
    page = browser.sign_in(slack_user("T-other", "U1"))
    assert page.status == 403 and "Signed in as" not in page.text
    # Microsoft's tid with the chat id of a Slack person: the directory provider matches directory ids only.
    provider.issuer_template = provider.issuer + "/{tenant}/v2.0"
    page = browser.sign_in({"sub": "x", "tid": "T1", "oid": "U1"}, provider="teams")
    assert page.status == 403


def test_a_replayed_callback_is_refused_with_a_clear_page(browser: Browser, provider: OpenIdProvider,
                                                          seeded: Seeded) -> None:
    assert "Signed in as Alice" in browser.sign_in(slack_user("T1", "U1")).text
    replay = provider.last_redirect
    assert replay is not None
    page = browser.get(replay)
    assert page.status == 400 and "This sign-in link was already used" in page.text
    assert "Traceback" not in page.text


def test_a_callback_for_a_sign_in_started_in_another_browser_is_refused(site: Site, provider: OpenIdProvider,
                                                                         seeded: Seeded) -> None:
    victim, attacker = Browser(site), Browser(site)
    try:
        provider.user = slack_user("T1", "U3")
        attacker.get("/kb/sign-in/slack", follow=False)  # the attacker starts, then hands the callback over
        started = attacker.get("/kb/sign-in/slack", follow=False).headers["Location"]
        callback = attacker.get(started, follow=False).headers["Location"]
        page = victim.get(callback)
        assert page.status == 400 and "Sign-in started elsewhere" in page.text
        assert "kbbot_session" not in victim.cookies()
    finally:
        victim.close()
        attacker.close()


def test_an_unknown_state_is_refused(browser: Browser) -> None:
    page = browser.get("/kb/callback/slack?code=abc&state=made-up")
    assert page.status == 400 and "Unknown sign-in" in page.text


def test_a_cancelled_sign_in_says_so_and_cannot_be_finished_later(browser: Browser, sessions: sessionmaker[Session],
                                                                  provider: OpenIdProvider) -> None:
    started = browser.get("/kb/sign-in/slack", follow=False).headers["Location"]
    state = started.split("state=")[1].split("&")[0]
    page = browser.get(f"/kb/callback/slack?error=access_denied&state={state}")
    assert page.status == 400 and "Sign-in was cancelled" in page.text
    with unit_of_work(sessions) as session:
        assert session.scalars(select(WebSignIn.used_at).where(WebSignIn.state == state)).one() is not None


@pytest.mark.parametrize("tamper", ["wrong_audience", "expired", "wrong_nonce", "wrong_issuer", "foreign_key"])
def test_a_token_that_fails_a_check_signs_nobody_in(browser: Browser, provider: OpenIdProvider, tamper: str,
                                                    seeded: Seeded) -> None:
    provider.tamper = tamper
    page = browser.sign_in(slack_user("T1", "U1"))
    assert page.status == 400 and "Sign-in could not be verified" in page.text
    assert "kbbot_session" not in browser.cookies()
    assert browser.get("/kb/me").url.split("?")[0].endswith("/kb/sign-in")


def test_a_forged_cookie_is_refused_with_a_notice(browser: Browser, seeded: Seeded) -> None:
    browser.sign_in(slack_user("T1", "U3"))
    value = browser.cookies()["kbbot_session"]
    # Carol's session turned into Alice's (person 1) by editing the payload: the signature no longer fits.
    browser.set_cookie("kbbot_session", "eyJwIjoxLCJzIjoxLCJ2Ijoic2xhY2sifQ" + value[value.index("."):])
    page = browser.get(f"/kb/q/{seeded.public}")
    assert "/kb/sign-in" in page.url
    assert "Your session could not be read" in page.text and "Alice" not in page.text


@pytest.mark.parametrize("idle_hours, signed_in_hours", [(3, 3), (0, 13)])
def test_an_expired_session_asks_to_sign_in_again(sessions: sessionmaker[Session], settings, provider: OpenIdProvider,
                                                  seeded: Seeded, monkeypatch: pytest.MonkeyPatch,
                                                  idle_hours: int, signed_in_hours: int) -> None:
    """Idle for longer than 30 minutes, or signed in more than 12 hours ago however active since."""
    import time

    from itsdangerous import URLSafeTimedSerializer

    from web_support.site import SECRET

    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - idle_hours * 3600)  # the cookie was issued back then
    value = URLSafeTimedSerializer(SECRET, salt="kbbot.web.session").dumps(
        {"p": seeded.alice, "s": now - signed_in_hours * 3600, "v": "slack"})
    monkeypatch.undo()
    site = Site(sessions, settings, provider)
    browser = Browser(site)
    try:
        browser.set_cookie("kbbot_session", value)
        page = browser.get("/kb/me")
        assert "/kb/sign-in" in page.url and "Your session has ended" in page.text and "Alice" not in page.text
    finally:
        browser.close()
        site.stop()


def test_sessions_are_renewed_and_sign_out_ends_them(browser: Browser, seeded: Seeded) -> None:
    browser.sign_in(slack_user("T1", "U1"))
    page = browser.get("/kb/me", follow=False)
    cookie = page.headers.getall("Set-Cookie")
    session_cookie = next(c for c in cookie if c.startswith("kbbot_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie and "Path=/kb" in session_cookie
    assert "Secure" not in session_cookie  # plain HTTP on loopback; see the HTTPS test
    page = browser.post("/kb/sign-out")
    assert "You are signed out" in page.text
    assert "/kb/sign-in" in browser.get("/kb/me").url


def test_cookies_are_secure_behind_https(sessions: sessionmaker[Session], settings, provider: OpenIdProvider,
                                         seeded: Seeded) -> None:
    site = Site(sessions, settings, provider, web_url="https://kb.example.com")
    browser = Browser(site)
    try:
        page = browser.get("/kb/sign-in/slack", follow=False)
        assert "redirect_uri=https://kb.example.com/kb/callback/slack&" in page.headers["Location"]
        sign_in_cookie = next(c for c in page.headers.getall("Set-Cookie") if c.startswith("kbbot_sign_in="))
        assert "Secure" in sign_in_cookie and "HttpOnly" in sign_in_cookie and "SameSite=Lax" in sign_in_cookie
    finally:
        browser.close()
        site.stop()


def test_sign_out_from_another_site_is_refused(browser: Browser, seeded: Seeded) -> None:
    browser.sign_in(slack_user("T1", "U1"))
    page = browser.post("/kb/sign-out", Origin="https://evil.example")
    assert page.status == 403 and "Refused" in page.text
    assert "Signed in as Alice" in browser.get("/kb/me").text


def test_local_sign_in_exists_only_where_it_was_asked_for(browser: Browser, seeded: Seeded) -> None:
    page = browser.post("/kb/local-sign-in", {"person": str(seeded.alice)})
    assert page.status == 403 and "Local sign-in is off" in page.text
    assert "kbbot_session" not in browser.cookies()


def test_the_local_sign_in_is_marked_as_local_only_and_signs_in_as_the_chosen_person(
        sessions: sessionmaker[Session], settings, provider: OpenIdProvider, seeded: Seeded) -> None:
    site = Site(sessions, settings, provider, local_sign_in=True)
    browser = Browser(site)
    try:
        page = browser.get("/kb/")
        assert "LOCAL ONLY" in page.text and "Local sign-in (this computer only)" in page.text
        assert f'<option value="{seeded.carol}">Carol Buiten (Acme)</option>' in page.text
        page = browser.post("/kb/local-sign-in", {"person": str(seeded.carol), "next": f"/kb/q/{seeded.public}"})
        assert page.url.endswith(f"/kb/q/{seeded.public}") and "Signed in as Carol Buiten" in page.text
        assert "LOCAL ONLY" in page.text
        assert browser.post("/kb/local-sign-in", {"person": "99999"}).status == 400
    finally:
        browser.close()
        site.stop()


def test_kbbot_web_refuses_to_listen_beyond_this_computer(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    from kbbot.cli import main
    from kbbot.config import Settings

    code = main(["--database-url", db_url, "web"],
                settings_factory=lambda **values: Settings(_env_file=None, host="0.0.0.0", **values))
    assert code == 2
    assert "listens on this computer only" in capsys.readouterr().err


def test_a_provider_that_does_not_answer_gets_a_page_saying_so(sessions: sessionmaker[Session], settings,
                                                               seeded: Seeded) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        silent = OpenIdProvider()
        silent.issuer = f"http://127.0.0.1:{probe.getsockname()[1]}"
    site = Site(sessions, settings, silent)
    browser = Browser(site)
    try:
        page = browser.get("/kb/sign-in/slack")
        assert page.status == 502 and "Sign-in service unreachable" in page.text
        assert browser.get("/kb/sign-in/nobody").status == 404
    finally:
        browser.close()
        site.stop()
