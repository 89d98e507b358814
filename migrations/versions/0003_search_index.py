"""Full-text search index: SQLite FTS5 tables or PostgreSQL tsvector + GIN, backfilled.

The index holds analysed terms (English and Dutch stems, Dutch compound
parts) written by ``kbbot.search``; the database ranks candidates with its own
full-text machinery (FTS5 BM25 on SQLite, ``ts_rank`` over a GIN index on
PostgreSQL). Deletions are followed by the database itself: triggers on
SQLite, ``ON DELETE CASCADE`` on PostgreSQL. Inserts and edits are indexed by
kbbot in the same transaction (``kbbot.search.sync``).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa  # noqa: F401
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_questions_fts USING fts5(text, answers, tags, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE search_questions_vocab USING fts5vocab(search_questions_fts, 'row')",
    "CREATE VIRTUAL TABLE search_posts_fts USING fts5(text, tags, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE search_posts_vocab USING fts5vocab(search_posts_fts, 'row')",
    "CREATE TRIGGER search_questions_deleted AFTER DELETE ON questions BEGIN "
    "DELETE FROM search_questions_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER search_posts_deleted AFTER DELETE ON shared_posts BEGIN "
    "DELETE FROM search_posts_fts WHERE rowid = old.id; END",
]
_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_posts_deleted",
    "DROP TRIGGER IF EXISTS search_questions_deleted",
    "DROP TABLE IF EXISTS search_posts_vocab",
    "DROP TABLE IF EXISTS search_posts_fts",
    "DROP TABLE IF EXISTS search_questions_vocab",
    "DROP TABLE IF EXISTS search_questions_fts",
]
_POSTGRES_UP = [
    "CREATE TABLE search_questions (question_id INTEGER PRIMARY KEY REFERENCES questions(id) ON DELETE CASCADE,"
    " tsv TSVECTOR NOT NULL)",
    "CREATE INDEX ix_search_questions_tsv ON search_questions USING GIN (tsv)",
    "CREATE TABLE search_posts (post_id INTEGER PRIMARY KEY REFERENCES shared_posts(id) ON DELETE CASCADE,"
    " tsv TSVECTOR NOT NULL)",
    "CREATE INDEX ix_search_posts_tsv ON search_posts USING GIN (tsv)",
]
_POSTGRES_DOWN = ["DROP TABLE IF EXISTS search_posts", "DROP TABLE IF EXISTS search_questions"]


def upgrade() -> None:
    bind = op.get_bind()
    for statement in _POSTGRES_UP if bind.dialect.name == "postgresql" else _SQLITE_UP:
        op.execute(statement)
    # Existing knowledge is indexed now, in the migration's transaction.
    from kbbot.search.indexer import reindex_all

    reindex_all(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for statement in _POSTGRES_DOWN if bind.dialect.name == "postgresql" else _SQLITE_DOWN:
        op.execute(statement)
