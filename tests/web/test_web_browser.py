"""The knowledge base in a real browser: Debian's headless Chromium, driven by Playwright, against ``kbbot serve``.

``kbbot serve`` runs as its own process on 127.0.0.1 with Slack configured
(against the fake Web API) and "Sign in with Slack" pointed at a loopback
OpenID provider that signs real tokens. The knowledge comes from chat,
through the real core (the scheduler tests' :class:`World`), digests
included. Skipped with a reason where Chromium or Playwright is missing
(``.ci/run`` installs Chromium).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from kbbot.config import Settings
from kbbot.contract.replies import ListBlock
from processes import wait_healthy
from slack_support.fake_methods import BOT_TOKEN
from slack_support.fake_web_api import FakeSlack
from slack_support.fixtures import fake_slack  # noqa: F401 - pytest fixture
from slack_support.harness import SIGNING_SECRET
from web_support.provider import CLIENT_ID, CLIENT_SECRET, OpenIdProvider

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scheduler"))  # the scheduler tests' World
from test_scheduler_support import World, utc  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
KBBOT = str(Path(sys.executable).with_name("kbbot"))
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[test])")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no {CHROMIUM} (apt-get install chromium)")


@dataclass
class Scene:
    url: str
    provider: OpenIdProvider
    pinned: int
    secret: int
    anonymous: int
    digest_link: str
    printed: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def scene(db_url: str, sessions: sessionmaker[Session], settings: Settings, fake_slack: FakeSlack,  # noqa: F811
          tmp_path: Path) -> Iterator[Scene]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    world = World(sessions, settings.model_copy(update={"web_url": url}), utc(2026, 11, 24, 9, 0))
    world.join("alice")
    world.join("bob")
    world.join("carol", private=("secret",))
    world.join("dave")
    world.command("bob", "expertise", "add #python")
    world.deliverer().run()
    pinned = world.ask("alice", "general", "How do I pin a #python dependency for the build?")
    world.accept("alice", world.answer("bob", pinned, "Use a constraints file: pip install -c constraints.txt"))
    secret = world.ask("carol", "secret", "Which #python version does Project Nightingale use?", private=True)
    anonymous = world.ask("dave", "general", "Can I run #python 2 on the old build box?", anonymous=True)
    world.run_until(utc(2026, 11, 30, 9, 30), step_minutes=120)
    digest = next(r for r in world.outbound.to("bob") if "kbbot," in r.text)
    digest_link = next(item.link for block in digest.blocks if isinstance(block, ListBlock) for item in block.items
                       if item.link and item.link.endswith(f"/kb/q/{anonymous}"))

    provider = OpenIdProvider().start()
    env = {key: value for key, value in os.environ.items() if not key.startswith("KBBOT_")}
    env.update(KBBOT_DATABASE_URL=db_url, KBBOT_SLACK_BOT_TOKEN=BOT_TOKEN, KBBOT_SLACK_SIGNING_SECRET=SIGNING_SECRET,
               KBBOT_SLACK_API_URL=fake_slack.url, KBBOT_SLACK_SOCKET_MODE="false", KBBOT_SCHEDULER_ENABLED="false",
               KBBOT_PORT=str(port), KBBOT_WORKERS="0", KBBOT_HTTP_PROCESSES="1", KBBOT_WEB_URL=url,
               KBBOT_WEB_SECRET="browser-test-secret-browser-test-secret",
               KBBOT_SLACK_SIGN_IN_CLIENT_ID=CLIENT_ID, KBBOT_SLACK_SIGN_IN_CLIENT_SECRET=CLIENT_SECRET,
               KBBOT_SLACK_SIGN_IN_ISSUER=provider.issuer)
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([KBBOT, "serve"], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        try:
            wait_healthy(port, server, lambda: log_path.read_text()[-3000:])
            yield Scene(url=url, provider=provider, pinned=pinned, secret=secret, anonymous=anonymous,
                        digest_link=digest_link, printed=log_path.read_text())
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
            provider.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


def person(chromium: object, scene: Scene, who: str, locale: str = "en-GB") -> object:
    """A fresh browser profile for ``who``: the loopback provider signs in whoever is at the keyboard."""
    context = chromium.new_context(locale=locale)  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.who = who  # type: ignore[attr-defined]
    return page


def sign_in(page: object, scene: Scene, who: str) -> None:
    scene.provider.user = {"sub": who, "https://slack.com/team_id": "T1", "https://slack.com/user_id": who}
    page.get_by_role("link", name="Sign in with Slack").click()  # type: ignore[attr-defined]


def test_sign_in_search_open_a_question_and_switch_to_dutch(chromium: object, scene: Scene) -> None:
    assert f"Knowledge base on the web: {scene.url}/kb/" in scene.printed
    page = person(chromium, scene, "alice")
    page.goto(scene.url + "/kb/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    sign_in(page, scene, "alice")
    page.get_by_text("Signed in as Alice").wait_for()
    page.get_by_label("Search questions and answers").fill("pin python dependency")
    page.keyboard.press("Enter")
    page.get_by_text("results for “pin python dependency”").wait_for()
    assert page.locator("mark").first.inner_text().lower() in ("pin", "python", "dependency")
    page.get_by_role("link", name="How do I pin a #python dependency for the build?").click()
    page.wait_for_url(f"**/kb/q/{scene.pinned}")
    assert "Use a constraints file" in page.locator(".answer.is-accepted").inner_text()
    page.get_by_role("link", name="Nederlands").click()
    page.wait_for_url(f"**/kb/q/{scene.pinned}")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "Geaccepteerd" in page.locator(".answer.is-accepted").inner_text()
    # A search pasted far too long, past what the page itself accepts: kbbot's own page, in Dutch, no trace.
    response = page.goto(f"{scene.url}/kb/search?q={'x' * 20_000}")
    assert response.status == 414 and page.get_by_role("heading", level=1).inner_text() == "Dit adres is te lang"
    page.goto(scene.url + "/kb/")
    page.get_by_role("button", name="Afmelden").click()
    page.get_by_text("Je bent afgemeld.").wait_for()


def test_a_link_in_a_digest_opens_the_question_after_sign_in(chromium: object, scene: Scene) -> None:
    page = person(chromium, scene, "bob")
    page.goto(scene.digest_link)
    sign_in(page, scene, "bob")
    page.wait_for_url(scene.digest_link)
    assert "Can I run #python 2 on the old build box?" in page.get_by_role("heading", level=1).inner_text()


def test_private_questions_and_anonymous_askers_in_the_browser(chromium: object, scene: Scene) -> None:
    member, outsider = person(chromium, scene, "carol"), person(chromium, scene, "bob")
    for page, who in ((member, "carol"), (outsider, "bob")):
        page.goto(scene.url + "/kb/")
        sign_in(page, scene, who)
        page.get_by_text("Signed in as").wait_for()
    member.goto(f"{scene.url}/kb/q/{scene.secret}")
    assert "Project Nightingale" in member.get_by_role("heading", level=1).inner_text()
    response = outsider.goto(f"{scene.url}/kb/q/{scene.secret}")
    assert response.status == 404 and outsider.get_by_role("heading", level=1).inner_text() == "Not found"
    assert "Nightingale" not in outsider.content()
    for path in (f"/kb/q/{scene.anonymous}", "/kb/search?q=python+build+box", "/kb/tags/python", "/kb/"):
        outsider.goto(scene.url + path)
        html = outsider.content()
        assert "Can I run" in html and "Dave" not in html and "dave" not in html, path
