"""Admin in chat and privacy (issue 18): the audit log and the workspace admins the platform names.

Workspace settings made in chat live in ``workspaces.settings`` (already JSON),
so they need no column; erasure and retention need no schema of their own.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspaces.id', ondelete='CASCADE'), nullable=True),
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('people.id', ondelete='SET NULL'), nullable=True),
        sa.Column('actor', sa.String(32), nullable=False),
        sa.Column('action', sa.String(32), nullable=False),
        sa.Column('key', sa.String(64), nullable=True),
        sa.Column('old_value', sa.JSON(), nullable=True),
        sa.Column('new_value', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_audit_log_workspace_id', 'audit_log', ['workspace_id'])
    op.create_index('ix_audit_log_created_at', 'audit_log', ['created_at'])
    op.create_table(
        'workspace_admins',
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspaces.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('people.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('source', sa.String(16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('workspace_admins')
    op.drop_index('ix_audit_log_created_at', table_name='audit_log')
    op.drop_index('ix_audit_log_workspace_id', table_name='audit_log')
    op.drop_table('audit_log')
