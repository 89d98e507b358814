"""Workspaces, and people in their own chat, remember that kbbot was removed, so the scheduler stops writing.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('workspaces', sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('workspaces', sa.Column('installed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('people', sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('people', sa.Column('installed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Not batch mode: its copy-and-drop of ``workspaces`` failed on SQLite with "database table is
    # locked" (a downgrade with data in it); SQLite 3.35, kbbot's minimum, drops a column in place.
    op.drop_column('people', 'installed_at')
    op.drop_column('people', 'removed_at')
    op.drop_column('workspaces', 'installed_at')
    op.drop_column('workspaces', 'removed_at')
