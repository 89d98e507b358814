"""The web knowledge base as an aiohttp sub-application under ``/kb/``.

:func:`attach` mounts it on the application ``kbbot serve`` already runs (or
the one ``kbbot web`` starts). Every page but the sign-in pages needs a
session; a request without one is sent to sign in, and a forged or expired
cookie is said to be so on that page. Every response carries the security
headers (:data:`SECURITY_HEADERS`); every error, whatever caused it, is a
page in the person's language and never a trace.

Database work and template rendering run in a thread (the event loop keeps
acknowledging chat platforms meanwhile), inside one unit of work per page.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import aiohttp
from aiohttp import web
from yarl import URL
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, joinedload, sessionmaker

from kbbot.config import Settings
from kbbot.contract import platform
from kbbot.contract.sign_in import IdentityProvider
from kbbot.clock import as_utc
from kbbot.i18n import DEFAULT_LOCALE, LOCALES, MESSAGES, t
from kbbot.presentation import cards
from kbbot.store.db import unit_of_work
from kbbot.store.models import Answer, FlagKind, Person, Question, QuestionStatus
from kbbot.web import cookies, identity, oidc, pages
from kbbot.web.highlight import mark
from kbbot.web.settings import WebSettings

log = logging.getLogger(__name__)

ROOT = "/kb"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}
MAX_NEXT = 512
MAX_QUERY_STRING = 16_384
"""Longer query strings are refused with a page saying so (the search box itself allows 4,000 characters)."""
LANGUAGE_COOKIE_DAYS = 365
CONFIG = web.AppKey("kbbot.web.config", "WebConfig")
SESSION = web.RequestKey("kbbot.web.session", object)
PROBLEM = web.RequestKey("kbbot.web.cookie_problem", object)
LOCALE = web.RequestKey("kbbot.web.locale", str)
SIGNED_OUT = web.RequestKey("kbbot.web.signed_out", bool)
NEW_SESSION = web.RequestKey("kbbot.web.new_session", str)
RENEW = web.RequestKey("kbbot.web.renew", bool)
_NEXT = re.compile(r"^/kb(/[^\\]*)?$")


@dataclass
class WebConfig:
    settings: Settings
    web: WebSettings
    sessions: sessionmaker[Session]
    providers: dict[str, oidc.Provider]
    signer: cookies.Signer
    local_sign_in: bool = False
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    http: aiohttp.ClientSession | None = None
    env: Environment = field(default_factory=lambda: _environment())


class Refused(Exception):
    """A page that answers with an error page: ``reason`` picks ``web.error.<reason>``."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _environment() -> Environment:
    return Environment(loader=PackageLoader("kbbot.web", "templates"), autoescape=select_autoescape(default=True),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def identity_providers() -> list[IdentityProvider]:
    """The providers the installed platforms offer (each adapter's optional ``sign_in()``)."""
    found = []
    for each in platform.platforms():
        sign_in = getattr(each, "sign_in", None)
        described = sign_in() if callable(sign_in) else None
        if described is not None:
            found.append(described)
    return found


def attach(app: web.Application, settings: Settings, sessions: sessionmaker[Session], *,
           web_settings: WebSettings | None = None, providers: Iterable[IdentityProvider] | None = None,
           local_sign_in: bool = False) -> WebConfig:
    """Serve the knowledge base under ``/kb/`` of ``app``; returns its configuration (tests read it)."""
    web_settings = web_settings or WebSettings()
    described = list(identity_providers() if providers is None else providers)
    config = WebConfig(settings=settings, web=web_settings, sessions=sessions,
                       providers={p.name: oidc.Provider(p) for p in described},
                       signer=cookies.Signer(web_settings.secret, web_settings.session_minutes * 60,
                                             web_settings.session_max_hours * 3600,
                                             web_settings.sign_in_minutes * 60),
                       local_sign_in=local_sign_in)
    kb = web.Application(middlewares=[_guard])
    kb[CONFIG] = config
    routes = [web.get("/", _home), web.get("/search", _search), web.get("/q/{id}", _question),
              web.get("/tags/{name}", _tag), web.get("/experts", _experts), web.get("/me", _me),
              web.get("/sign-in", _sign_in_page), web.get("/sign-in/{provider}", _sign_in_start),
              web.get("/callback/{provider}", _callback), web.post("/sign-out", _sign_out),
              web.post("/local-sign-in", _local_sign_in), web.get("/language/{code}", _language),
              web.get("/static/kb.css", _stylesheet), web.route("*", "/{tail:.*}", _nowhere)]
    kb.add_routes(routes)

    async def close(_app: web.Application) -> None:
        if config.http is not None:
            await config.http.close()

    kb.on_cleanup.append(close)
    app.add_subapp(ROOT, kb)

    async def bare(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(ROOT + "/")

    app.router.add_get(ROOT, bare)
    return config


def address(settings: Settings) -> str:
    """The knowledge base's address as people should open it (the configured public one, else this server)."""
    base = settings.web_url or f"http://{settings.host}:{settings.port}"
    return base.rstrip("/") + ROOT + "/"


# Middleware: sessions, language, security headers, error pages


@web.middleware
async def _guard(request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
    config = request.app[CONFIG]
    read = config.signer.read_session(request.cookies.get(cookies.SESSION))
    request[SESSION] = read.session
    request[PROBLEM] = read.problem
    try:
        if len(request.query_string) > MAX_QUERY_STRING:
            raise Refused(414, "too_long")
        response = await handler(request)
    except web.HTTPRedirection as redirect:
        response = redirect
    except Refused as refused:
        response = await _error(request, refused.status, refused.reason)
    except oidc.SignInRefused as refused:
        log.info("web sign-in refused: %s (%s)", refused.reason, refused)
        response = await _error(request, 400 if refused.reason != "provider_unreachable" else 502, refused.reason)
    except web.HTTPMethodNotAllowed:
        response = await _error(request, 405, "method_not_allowed")
    except web.HTTPNotFound:
        response = await _error(request, 404, "not_found")
    except web.HTTPException as other:
        response = await _error(request, other.status, "bad_request" if other.status < 500 else "server_error")
    except OperationalError:
        log.exception("web page %s: database unavailable", request.path)
        response = await _error(request, 503, "database_down")
    except Exception:
        log.exception("web page %s failed", request.path)
        response = await _error(request, 500, "server_error")
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    secure = _secure(request)
    session = request.get(SESSION)
    if request.get(SIGNED_OUT):
        response.del_cookie(cookies.SESSION, path=cookies.PATH)
    elif isinstance(request.get(NEW_SESSION), str):
        _set(response, cookies.SESSION, request[NEW_SESSION], secure)
    elif session is not None and request.get(RENEW, True):  # every page view renews it (up to its maximum age)
        _set(response, cookies.SESSION, config.signer.session(session.person_id, session.provider,
                                                              session.signed_in_at), secure)
    elif request[PROBLEM]:
        response.del_cookie(cookies.SESSION, path=cookies.PATH)
    return response


def _set(response: web.StreamResponse, name: str, value: str, secure: bool, max_age: int | None = None) -> None:
    response.set_cookie(name, value, path=cookies.PATH, httponly=True, secure=secure, samesite="Lax",
                        max_age=max_age)


def _secure(request: web.Request) -> bool:
    base = request.app[CONFIG].settings.web_url or ""
    return base.startswith("https://") or request.secure


def _base_url(request: web.Request) -> str:
    configured = request.app[CONFIG].settings.web_url
    return (configured or f"{request.scheme}://{request.host}").rstrip("/")


def _accepted_language(header: str | None) -> str | None:
    """The first of kbbot's languages in an ``Accept-Language`` header, by the browser's preference."""
    choices = []
    for position, part in enumerate((header or "")[:500].split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().split("-")[0].casefold()
        if language in LOCALES and weight > 0:
            choices.append((-weight, position, language))
    return min(choices)[2] if choices else None


def _locale(request: web.Request, viewer: Person | None) -> str:
    """The page's language: chosen on these pages, else set in kbbot (``/kb settings``), else the browser's.

    A language kbbot only took from the chat platform's profile counts after
    the browser's, since the browser says what this reader wants to read now.
    """
    chosen = request.cookies.get(cookies.LANGUAGE)
    if chosen in LOCALES:
        return chosen
    if viewer is not None and viewer.locale_chosen and viewer.locale in LOCALES:
        return viewer.locale
    browser = _accepted_language(request.headers.get("Accept-Language"))
    if browser is not None:
        return browser
    if viewer is not None and viewer.locale in LOCALES:
        return viewer.locale
    default = request.app[CONFIG].settings.default_locale
    return default if default in LOCALES else DEFAULT_LOCALE


def _helpers(locale: str) -> dict[str, Any]:
    def state(question: Question) -> str:
        if any(a.is_accepted and a.deleted_at is None for a in question.answers):
            return "accepted"
        return "answered" if question.status is QuestionStatus.ACCEPTED else question.status.value

    def flags(answer: Answer, kind: str) -> int:
        return sum(1 for f in answer.flags if f.kind is FlagKind(kind))

    def verified(answer: Answer) -> str:
        """"Verified by X, date" (the chat's words) where its owner or a tag expert said it is still right."""
        care = answer.care  # type: ignore[attr-defined]
        if care is None or care.verified_at is None or care.verified_by is None or care.retired_at is not None:
            return ""
        return t(locale, "verify.line.verified", name=cards.name(care.verified_by),
                 date=as_utc(care.verified_at).date().isoformat())

    def retired(answer: Answer) -> str:
        care = answer.care  # type: ignore[attr-defined]
        if care is None or care.retired_at is None:
            return ""
        return t(locale, "verify.line.retired", date=as_utc(care.retired_at).date().isoformat())

    return {"_": lambda key, **params: t(locale, key, **params), "locale": locale, "root": ROOT,
            "name": cards.name, "asker": lambda q: cards.asker_label(q, locale), "where": lambda q: cards.where(q, locale),
            "snippet": cards.snippet, "mark": mark, "state": state, "flags": flags, "verified": verified,
            "retired": retired,
            "live_count": lambda q: sum(1 for a in q.answers if a.deleted_at is None),
            "date": lambda moment: moment.date().isoformat()}


def _render(config: WebConfig, template: str, locale: str, **values: Any) -> str:
    values.setdefault("viewer", None)
    values.setdefault("section", "")
    values.setdefault("local_sign_in", config.local_sign_in)
    return config.env.get_template(template).render(**_helpers(locale), **values)


def _html(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


async def _error(request: web.Request, status: int, reason: str) -> web.Response:
    config = request.app[CONFIG]
    locale = request.get(LOCALE) or _locale(request, None)
    if f"web.error.{reason}.title" not in MESSAGES:
        reason = "server_error"
    body = _render(config, "error.html", locale, reason=reason, here=ROOT + "/",
                   viewer=None, signed=request.get(SESSION) is not None)
    return _html(body, status)


# Pages for people signed in


async def _page(request: web.Request, build: Callable[[Session, Person], tuple[str, dict[str, Any]]],
                section: str = "") -> web.Response:
    """Run ``build`` for the signed-in viewer in one unit of work, in a thread, and render what it returns."""
    config = request.app[CONFIG]
    session_cookie: cookies.WebSession | None = request[SESSION]
    if session_cookie is None:
        _to_sign_in(request)

    def work() -> str | None:
        with unit_of_work(config.sessions) as session:
            viewer = identity.signed_in(session, session_cookie.person_id)  # type: ignore[union-attr]
            if viewer is None:
                return None
            locale = _locale(request, viewer)
            request[LOCALE] = locale
            template, values = build(session, viewer)
            return _render(config, template, locale, viewer=viewer, section=section, here=request.path_qs, **values)

    body = await asyncio.to_thread(work)
    if body is None:  # the person is gone (removed, deactivated): the session means nothing now
        request[SESSION] = None
        request[SIGNED_OUT] = True
        _to_sign_in(request)
    return _html(body)  # type: ignore[arg-type]


def _to_sign_in(request: web.Request) -> None:
    target = f"{ROOT}/sign-in"
    params = {}
    if request.method == "GET" and _safe_next(request.path_qs):
        params["next"] = request.path_qs
    if request.get(PROBLEM):
        params["notice"] = request[PROBLEM]
    raise web.HTTPSeeOther(str(URL(target).with_query(params)))


def _safe_next(value: str | None) -> str | None:
    """A local page of the knowledge base to return to after sign-in; anything else is dropped."""
    if not value or len(value) > MAX_NEXT or not _NEXT.match(value) or "//" in value:
        return None
    return value


async def _home(request: web.Request) -> web.Response:
    def build(session: Session, viewer: Person) -> tuple[str, dict[str, Any]]:
        return "home.html", {"questions": pages.recent(session, viewer), "tags": pages.popular_tags(session, viewer, 20),
                             "query": ""}
    return await _page(request, build)


async def _search(request: web.Request) -> web.Response:
    query = request.query.get("q", "")
    page = request.query.get("page", "1")
    if not page.isdigit() or len(page) > 3:
        raise Refused(400, "bad_request")

    def build(session: Session, viewer: Person) -> tuple[str, dict[str, Any]]:
        return "search.html", {"view": pages.search_page(session, viewer, query, int(page))}
    return await _page(request, build, "search")


def _number(text: str) -> int:
    digits = text.removeprefix("Q").removeprefix("q")
    if not digits.isdigit() or len(digits) > 12:
        raise Refused(404, "not_found")
    return int(digits)


async def _question(request: web.Request) -> web.Response:
    number = _number(request.match_info["id"])

    def build(session: Session, viewer: Person) -> tuple[str, dict[str, Any]]:
        found = pages.question(session, viewer, number)
        if found is None:  # missing and not allowed look the same
            raise Refused(404, "not_found")
        return "question.html", {"q": found, "answers": pages.live_answers(found), "thread": _thread_link(found)}
    return await _page(request, build)


def _thread_link(question: Question) -> str | None:
    """The question's conversation in its chat platform, where the platform says how to link to it."""
    found = platform.get(question.conversation.workspace.platform)
    permalink = getattr(found, "permalink", None)
    if not callable(permalink) or question.message_id is None:
        return None
    link = permalink(question.conversation.workspace.external_id, question.conversation.external_id,
                     question.message_id)
    return link if isinstance(link, str) and link.startswith("https://") else None


async def _tag(request: web.Request) -> web.Response:
    name = request.match_info["name"]

    def build(session: Session, viewer: Person) -> tuple[str, dict[str, Any]]:
        view = pages.tag_page(session, viewer, name)
        if view is None:
            raise Refused(404, "not_found")
        return "tag.html", {"view": view}
    return await _page(request, build, "experts")


async def _experts(request: web.Request) -> web.Response:
    def build(session: Session, viewer: Person) -> tuple[str, dict[str, Any]]:
        return "experts.html", {"directory": pages.experts_directory(session, viewer)}
    return await _page(request, build, "experts")


async def _me(request: web.Request) -> web.Response:
    def build(session: Session, viewer: Person) -> tuple[str, dict[str, Any]]:
        return "me.html", {"view": pages.my_page(session, viewer)}
    return await _page(request, build, "me")


async def _nowhere(request: web.Request) -> web.Response:
    if request[SESSION] is None:
        _to_sign_in(request)
    raise Refused(404, "not_found")


async def _stylesheet(request: web.Request) -> web.Response:
    request[RENEW] = False  # a response caches may keep carries no cookie
    css = resources.files("kbbot.web").joinpath("static/kb.css").read_text(encoding="utf-8")
    return web.Response(text=css, content_type="text/css", charset="utf-8",
                        headers={"Cache-Control": "public, max-age=3600"})


async def _language(request: web.Request) -> web.Response:
    code = request.match_info["code"]
    if code not in LOCALES:
        raise Refused(404, "not_found")
    response = web.HTTPSeeOther(_safe_next(request.query.get("next")) or ROOT + "/")
    _set(response, cookies.LANGUAGE, code, _secure(request), max_age=LANGUAGE_COOKIE_DAYS * 86400)
    raise response


# Signing in and out


async def _sign_in_page(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    notice = request.query.get("notice")
    if notice not in ("expired", "invalid", "signed_out"):
        notice = request[PROBLEM]
    next_page = _safe_next(request.query.get("next"))

    def work() -> str:
        with unit_of_work(config.sessions) as session:
            # The local sign-in (``kbbot web`` only) offers everyone in the database; it is never served otherwise.
            people = list(session.scalars(
                select(Person).where(Person.is_active, Person.is_bot.is_(False)).options(joinedload(Person.workspace))
                .order_by(Person.workspace_id, Person.display_name).limit(500))) if config.local_sign_in else []
            return _render(config, "sign_in.html", _locale(request, None), providers=list(config.providers.values()),
                           notice=notice, next=next_page, people=people, here=request.path_qs)

    return _html(await asyncio.to_thread(work))


def _provider(request: web.Request) -> oidc.Provider:
    found = request.app[CONFIG].providers.get(request.match_info["provider"])
    if found is None:
        raise Refused(404, "unknown_provider")
    return found


def _http(config: WebConfig) -> aiohttp.ClientSession:
    if config.http is None or config.http.closed:
        config.http = aiohttp.ClientSession()
    return config.http


async def _sign_in_start(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    provider = _provider(request)
    state, url = await oidc.begin(provider, _http(config), config.sessions,
                                  f"{_base_url(request)}{ROOT}/callback/{provider.name}",
                                  _safe_next(request.query.get("next")), config.clock())
    response = web.HTTPSeeOther(url)
    _set(response, cookies.SIGN_IN, config.signer.sign_in(state), _secure(request),
         max_age=config.web.sign_in_minutes * 60)
    raise response


async def _callback(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    provider = _provider(request)
    state, code = request.query.get("state", ""), request.query.get("code", "")
    if not state or len(state) > 64:
        raise Refused(400, "sign_in_unknown")
    if request.query.get("error"):
        await asyncio.to_thread(_forget, config, provider.name, state)
        raise Refused(400, "sign_in_denied")
    if not code or len(code) > 4096:
        raise Refused(400, "token_refused")
    finished = await oidc.finish(provider, _http(config), config.sessions, state=state, code=code,
                                 redirect_uri=f"{_base_url(request)}{ROOT}/callback/{provider.name}",
                                 now=config.clock(), lifetime=timedelta(minutes=config.web.sign_in_minutes),
                                 browser_state=config.signer.read_sign_in(request.cookies.get(cookies.SIGN_IN)))

    def who() -> int | None:
        with unit_of_work(config.sessions) as session:
            person = identity.person_for(session, provider.described, finished.claims)
            return person.id if person is not None else None

    person_id = await asyncio.to_thread(who)
    if person_id is None:
        log.info("web sign-in: %s claims name nobody kbbot knows", provider.name)
        raise Refused(403, "unknown_person")
    response = web.HTTPSeeOther(_safe_next(finished.return_to) or ROOT + "/")
    response.del_cookie(cookies.SIGN_IN, path=cookies.PATH)
    request[NEW_SESSION] = config.signer.session(person_id, provider.name)
    raise response


def _forget(config: WebConfig, provider: str, state: str) -> None:
    """A sign-in the person cancelled at the provider cannot be finished later either."""
    try:
        oidc.take(config.sessions, provider, state, config.clock(), timedelta(minutes=config.web.sign_in_minutes))
    except oidc.SignInRefused:
        pass


def _same_origin(request: web.Request) -> None:
    """Forms are only taken from this site's own pages (``Origin``, where the browser sends it)."""
    origin = request.headers.get("Origin")
    if origin and origin != "null" and origin.rstrip("/") not in (
            _base_url(request), f"{request.scheme}://{request.host}"):
        raise Refused(403, "forbidden_origin")


async def _sign_out(request: web.Request) -> web.Response:
    _same_origin(request)
    request[SESSION] = None
    request[SIGNED_OUT] = True
    raise web.HTTPSeeOther(f"{ROOT}/sign-in?notice=signed_out")


async def _local_sign_in(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    if not config.local_sign_in:
        raise Refused(403, "local_only")
    _same_origin(request)
    form = await request.post()
    chosen = str(form.get("person", ""))
    if not chosen.isdigit() or len(chosen) > 12:
        raise Refused(400, "bad_request")

    def exists() -> bool:
        with unit_of_work(config.sessions) as session:
            return identity.signed_in(session, int(chosen)) is not None

    if not await asyncio.to_thread(exists):
        raise Refused(400, "bad_request")
    response = web.HTTPSeeOther(_safe_next(str(form.get("next", ""))) or ROOT + "/")
    request[NEW_SESSION] = config.signer.session(int(chosen), "local")
    raise response
