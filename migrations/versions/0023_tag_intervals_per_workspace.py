"""A tag's verification interval belongs to one workspace, as its escalation channel already does (issue 18).

Tags are shared by every workspace kbbot serves, so an interval keyed by the
tag alone let one workspace's admin change how often another workspace's
answers are re-checked. The table is rebuilt keyed by (workspace, tag); an
interval set before (only ever by the operator) is kept for every workspace,
so nothing changes for anyone on upgrade.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'tag_intervals_by_workspace',
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('tag_id', sa.Integer(), nullable=False),
        sa.Column('days', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('workspace_id', 'tag_id'),
    )
    op.execute('INSERT INTO tag_intervals_by_workspace (workspace_id, tag_id, days, updated_at) '
               'SELECT workspaces.id, intervals.tag_id, intervals.days, intervals.updated_at '
               'FROM tag_verification_intervals AS intervals CROSS JOIN workspaces')
    op.drop_table('tag_verification_intervals')
    op.rename_table('tag_intervals_by_workspace', 'tag_verification_intervals')


def downgrade() -> None:
    op.create_table(
        'tag_intervals_of_tags',
        sa.Column('tag_id', sa.Integer(), nullable=False),
        sa.Column('days', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('tag_id'),
    )
    # One interval per tag again: the shortest any workspace chose, so no answer is re-checked later than asked.
    op.execute('INSERT INTO tag_intervals_of_tags (tag_id, days, updated_at) '
               'SELECT tag_id, MIN(days), MAX(updated_at) FROM tag_verification_intervals GROUP BY tag_id')
    op.drop_table('tag_verification_intervals')
    op.rename_table('tag_intervals_of_tags', 'tag_verification_intervals')
