"""kbbot on Slack: Bolt's ``AsyncApp`` on the shared aiohttp server, HTTP mode or Socket Mode.

A thin adapter: Slack payloads become core events, core replies become Block
Kit; no business rule lives here.

* :mod:`.plugin`: ``configured``/``attach``/``outbound``, what ``kbbot serve`` and the CLI call.
* :mod:`.app`: the Bolt app, OAuth install routes, Socket Mode start and stop.
* :mod:`.listeners`: the commands, events and buttons handled (the manifest test reads them).
* :mod:`.translate`: payload → core event, pure.
* :mod:`.pipeline` and :mod:`.ackfirst`: persist, acknowledge, then work.
* :mod:`.delivery`, :mod:`.blocks`, :mod:`.permalinks`: core reply → Web API calls.
* :mod:`.clients`: retry policy (429 ``Retry-After``; never re-post after an ambiguous failure).
* :mod:`.lookups`: conversation kinds and profiles, cached.
* :mod:`.stores`: Bolt's SQLAlchemy installation and state stores on kbbot's database.
* :mod:`.outbound`: the scheduler's port to Slack.
"""
