"""Expert routing: invitations, ping budgets, the escalation ladder's steps and per-workspace ladder settings.

``invitations`` holds one row per question and invited person (waiting for
working hours, sent, claimed, declined, snoozed); ``ping_counts`` the weekly
counter the budget is checked against; ``routing_steps`` one row per ladder
step taken, whose primary key makes each step happen once across processes;
``routing_preferences`` a person's own budget; ``routing_settings`` a
workspace's overrides of the operator's defaults.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('waiting', 'sent', 'claimed', 'declined', 'snoozed', 'cancelled',
                               name='invitation_state', native_enum=False, length=32), nullable=False),
    sa.Column('via', sa.String(length=8), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('question_id', 'person_id', name='uq_invitations_question_person')
    )
    op.create_index('ix_invitations_state_due', 'invitations', ['state', 'due_at'], unique=False)
    op.create_index(op.f('ix_invitations_person_id'), 'invitations', ['person_id'], unique=False)
    op.create_table('ping_counts',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'period')
    )
    op.create_table('routing_preferences',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('pings_per_week', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id')
    )
    op.create_table('routing_steps',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('taken_by', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'step')
    )
    op.create_table('routing_settings',
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('first_invites', sa.Integer(), nullable=True),
    sa.Column('second_after_hours', sa.Float(), nullable=True),
    sa.Column('second_invites', sa.Integer(), nullable=True),
    sa.Column('repost_after_days', sa.Float(), nullable=True),
    sa.Column('repost_channel', sa.String(length=200), nullable=True),
    sa.Column('tag_channels', sa.JSON(), nullable=True),
    sa.Column('tell_after_days', sa.Float(), nullable=True),
    sa.Column('claim_pause_hours', sa.Float(), nullable=True),
    sa.Column('pings_per_week', sa.Integer(), nullable=True),
    sa.Column('work_start', sa.String(length=5), nullable=True),
    sa.Column('work_end', sa.String(length=5), nullable=True),
    sa.Column('work_days', sa.String(length=32), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('workspace_id')
    )


def downgrade() -> None:
    op.drop_table('routing_settings')
    op.drop_table('routing_steps')
    op.drop_table('routing_preferences')
    op.drop_table('ping_counts')
    op.drop_index(op.f('ix_invitations_person_id'), table_name='invitations')
    op.drop_index('ix_invitations_state_due', table_name='invitations')
    op.drop_table('invitations')
