"""Weekly working-out-loud prompts and digests, delivered exactly once in each person's own time (issue 5).

- :mod:`~kbbot.weekly.timing`: weekly moments in a timezone, ISO weeks, DST-safe.
- :mod:`~kbbot.weekly.schedules`: whose moment is when (operator, workspace, person).
- :mod:`~kbbot.scheduler.ledger`: claim / mark in the delivery ledger (the exactly-once part).
- :mod:`~kbbot.scheduler.windows`: what a digest covers: since the recipient's previous sent digest.
- :mod:`~kbbot.scheduler.pacing`: platform-friendly spacing of sends.
- :mod:`~kbbot.scheduler.delivery`: one delivery round (what is due → claimed → built → sent → marked).
- :mod:`~kbbot.scheduler.runner`: APScheduler with its job store in kbbot's database (``kbbot serve``).
- :mod:`~kbbot.scheduler.cli`: ``kbbot digest preview`` and ``kbbot digest send --now``.

Nothing here imports a platform SDK: replies leave through :class:`kbbot.contract.outbound.Outbound`.
"""
