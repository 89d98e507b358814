"""Ranked full-text retrieval over questions, answers, tags and shared posts (issue 6).

Importing the package installs the listener that keeps the index in the same
transaction as the knowledge (:mod:`kbbot.search.sync`).
"""

from kbbot.search import sync as _sync

_sync.install()
