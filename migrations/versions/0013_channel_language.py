"""The language set for a conversation: what kbbot posts there is in it (``/kb channel language``).

Null means "not set": kbbot then speaks the language most of the
conversation's known members use (kbbot/services/language.py).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('conversations', sa.Column('locale', sa.String(length=8), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): rebuilding a table that so many others reference is not needed.
    op.drop_column('conversations', 'locale')
