"""kbbot: a platform-neutral knowledge-sharing core.

Nothing in this package imports a chat platform's SDK: adapters translate
platform payloads into :mod:`kbbot.contract.events` and render :mod:`kbbot.contract.replies`.
"""

__version__ = "0.1.0"
