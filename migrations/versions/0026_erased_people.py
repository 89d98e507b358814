"""Erased people stay erased for imports of history (kbbot/privacy/erased.py).

``erased_people`` holds, per workspace, an HMAC-SHA256 of each erased
person's platform id, keyed by the workspace's ``erasure_keys.salt`` (a
random value made at its first erasure). ``kbbot import`` checks the ids of an
export against it, so an old export cannot create an erased person again.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'erasure_keys',
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspaces.id', ondelete='CASCADE'), nullable=False),
        sa.Column('salt', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('workspace_id'),
    )
    op.create_table(
        'erased_people',
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspaces.id', ondelete='CASCADE'), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('workspace_id', 'digest'),
    )


def downgrade() -> None:
    op.drop_table('erased_people')
    op.drop_table('erasure_keys')
