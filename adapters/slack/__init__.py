"""kbbot on Slack: Bolt's ``AsyncApp`` on the shared aiohttp server, HTTP mode or Socket Mode.

A thin adapter: Slack payloads become core events, core replies become Block
Kit; no business rule lives here. The core owns ingest (persist, ack, work)
and delivery (the outbox, recording what was posted); this package only
translates and renders, and talks to Slack.

* :mod:`.platform`: ``PLATFORM`` (name, capabilities) and ``configured``/``attach``/``outbound``/``handler``.
* :mod:`.settings`: ``SlackSettings``, the adapter's own ``KBBOT_SLACK_*`` settings.
* :mod:`.app`: the Bolt app, OAuth install routes, Socket Mode start and stop, the core's ``Ingest`` for Slack.
* :mod:`.listeners`: the commands, events and buttons handled (the manifest test reads them).
* :mod:`.translate`: payload → core event, pure.
* :mod:`.render`: core reply → Block Kit, with user text made inert.
* :mod:`.send`: the outbound port (core reply → Web API calls, what was posted reported back).
* :mod:`.permalinks`: links to listed questions' messages (``chat.getPermalink``), cached.
* :mod:`.clients`: retry policy (429 ``Retry-After``; never re-post after an ambiguous failure) and bot tokens.
* :mod:`.lookups`: conversation kinds, profiles and private channels' members, cached; the after-the-ack steps.
* :mod:`.authorize`: Bolt authorization that never turns a Slack hiccup into a lost event.
* :mod:`.stores`: Bolt's SQLAlchemy installation and state stores on kbbot's database.
* :mod:`.bounded`: the small LRU map behind every per-process cache.
* :mod:`.messages`: the adapter's own user-facing messages.
"""
