"""Ranked full-text retrieval over questions, answers, tags and shared posts (issue 6).

The public entry points are in :mod:`kbbot.services.search` (``search``,
``suggest``, ``search_posts``, ``find``). This package holds the pieces:

* :mod:`~kbbot.search.analysis`, :mod:`~kbbot.search.stopwords`,
  :mod:`~kbbot.search.compounds`: English and Dutch text to index terms.
* :mod:`~kbbot.search.query`: any typed text to a bounded, syntax-free query.
* :mod:`~kbbot.search.backend`, :mod:`~kbbot.search.sqlite_fts`,
  :mod:`~kbbot.search.postgres_fts`: the database-native indexes (FTS5;
  ``tsvector`` with GIN) behind one interface.
* :mod:`~kbbot.search.statistics`: document frequencies from a workspace's
  public knowledge only, so nothing private moves anyone's results.
* :mod:`~kbbot.search.indexer`, :mod:`~kbbot.search.sync`: writing the index
  in the same transaction as the knowledge.
* :mod:`~kbbot.search.ranking`, :mod:`~kbbot.search.records`: final BM25F
  order and the 0–1 relevance that gates ``/ask`` suggestions.
* :mod:`~kbbot.search.scope`, :mod:`~kbbot.search.render`: who may see a
  shared post, and how a post looks as a result.
* :mod:`~kbbot.search.semantic`: the optional sentence-embedding reranker.

Importing the package installs the listener that keeps the index in the same
transaction as the knowledge (:mod:`kbbot.search.sync`).
"""

from kbbot.search import sync as _sync

_sync.install()
