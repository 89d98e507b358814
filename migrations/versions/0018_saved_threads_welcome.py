"""Threads saved as knowledge ("Save to kbbot") and newcomers greeted once (issue 14).

``saved_threads`` marks a question saved from a thread (who saved it, the
link back); the question itself is found again by its conversation and root
message, so a second save updates it. ``welcomes`` holds one row per person
greeted: its primary key, not a check before inserting, keeps the greeting
to one even when two processes handle a newcomer's joins at once.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'saved_threads',
        sa.Column('question_id', sa.Integer(), sa.ForeignKey('questions.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('saved_by_id', sa.Integer(), sa.ForeignKey('people.id', ondelete='CASCADE'), nullable=False),
        sa.Column('link', sa.String(1000), nullable=True),
        sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index('ix_saved_threads_saved_by_id', 'saved_threads', ['saved_by_id'])
    op.create_table(
        'welcomes',
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('people.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('greeted_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('welcomes')
    op.drop_index('ix_saved_threads_saved_by_id', table_name='saved_threads')
    op.drop_table('saved_threads')
