"""The knowledge base in a browser: read-only pages under ``/kb/``, signed in through the chat platforms.

Why here, in the core, and not under ``adapters/``: an adapter translates a
platform's payloads and holds no rule, and may not read kbbot's tables. These
pages *are* a presentation of the knowledge, like ``/kb search`` or the home
view: they read through the core's own services (the same search engine and
ranking, the one visibility rule in :mod:`kbbot.store.visibility`, the
expertise ranking, the stages), so they belong beside them. What is
platform-specific about them is only *who may sign in*: each adapter describes
its OpenID Connect provider (:mod:`kbbot.contract.sign_in`), and this package
knows providers by those descriptions, never by name.

* :mod:`.app` builds the aiohttp sub-application (routes, security headers, error pages);
* :mod:`.oidc` signs people in with authlib (discovery, PKCE, ID-token validation);
* :mod:`.cookies` keeps the session in a signed, short-lived cookie;
* :mod:`.identity` maps a verified ID token to the person kbbot knows from chat;
* :mod:`.pages` gathers what each page shows, always for one viewer;
* :mod:`.highlight` marks the searched words in results.

Templates (Jinja2, autoescaped) and the stylesheet are package data; the
pages need no JavaScript.
"""
