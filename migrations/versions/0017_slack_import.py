"""Importing a chat history (issue 14): each import run, and each thread read, so a re-run changes nothing twice.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=255), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_import_runs_workspace_id'), 'import_runs', ['workspace_id'], unique=False)
    op.create_table('imported_threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=128), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['import_runs.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation_id', 'message_id', name='uq_imported_threads_conversation_message')
    )
    op.create_index(op.f('ix_imported_threads_question_id'), 'imported_threads', ['question_id'], unique=False)
    op.create_index(op.f('ix_imported_threads_run_id'), 'imported_threads', ['run_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_imported_threads_run_id'), table_name='imported_threads')
    op.drop_index(op.f('ix_imported_threads_question_id'), table_name='imported_threads')
    op.drop_table('imported_threads')
    op.drop_index(op.f('ix_import_runs_workspace_id'), table_name='import_runs')
    op.drop_table('import_runs')
