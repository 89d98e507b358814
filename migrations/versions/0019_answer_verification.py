"""Knowledge that stays true: answer owners, verification, re-checks by use, alumni and guests (issue 19).

* ``people.is_guest`` (a platform's guest account: sees only the conversations
  it is a member of) and ``people.left_at`` (the platform said they left).
* ``answer_care``: who looks after an answer (its author while no row says
  otherwise), who last said it is still right and when, whether it is retired.
* ``tag_verification_intervals``: a tag's own re-check interval (days),
  overriding the operator's default; written by an admin command.
* ``answer_showings``: a due or flagged answer shown to someone, counted (never
  who saw it): what queues it for its owner's weekly re-check.
* ``recheck_reminders``: one row per owner and week, so nobody is reminded
  twice in a week, whichever process builds the reminder.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('people', sa.Column('is_guest', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('people', sa.Column('left_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'answer_care',
        sa.Column('answer_id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('owner_since', sa.DateTime(timezone=True), nullable=True),
        sa.Column('handed_over_because', sa.String(length=16), nullable=True),
        sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('verified_by_id', sa.Integer(), nullable=True),
        sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('retired_by_id', sa.Integer(), nullable=True),
        sa.Column('update_asked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['owner_id'], ['people.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['verified_by_id'], ['people.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['retired_by_id'], ['people.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('answer_id'),
    )
    op.create_index('ix_answer_care_owner_id', 'answer_care', ['owner_id'])
    op.create_table(
        'tag_verification_intervals',
        sa.Column('tag_id', sa.Integer(), nullable=False),
        sa.Column('days', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('tag_id'),
    )
    op.create_table(
        'answer_showings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('answer_id', sa.Integer(), nullable=False),
        sa.Column('surface', sa.String(length=16), nullable=False),
        sa.Column('was_due', sa.Boolean(), nullable=False),
        sa.Column('was_flagged', sa.Boolean(), nullable=False),
        sa.Column('shown_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_answer_showings_answer_id', 'answer_showings', ['answer_id'])
    op.create_index('ix_answer_showings_shown_at', 'answer_showings', ['shown_at'])
    op.create_table(
        'recheck_reminders',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('delivery_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('person_id', 'period'),
    )


def downgrade() -> None:
    op.drop_table('recheck_reminders')
    op.drop_index('ix_answer_showings_shown_at', table_name='answer_showings')
    op.drop_index('ix_answer_showings_answer_id', table_name='answer_showings')
    op.drop_table('answer_showings')
    op.drop_table('tag_verification_intervals')
    op.drop_index('ix_answer_care_owner_id', table_name='answer_care')
    op.drop_table('answer_care')
    op.drop_column('people', 'left_at')
    op.drop_column('people', 'is_guest')
