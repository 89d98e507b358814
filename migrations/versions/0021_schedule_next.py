"""When each person is next due for a prompt or a digest: a round reads the people due now, not everyone.

The table starts empty: every person is worked out once by the first round
after the upgrade, as before, and remembered from then on.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'schedule_next',
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('people.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('next_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('basis', sa.String(16), nullable=False),
    )
    op.create_index('ix_schedule_next_next_at', 'schedule_next', ['next_at'])


def downgrade() -> None:
    op.drop_index('ix_schedule_next_next_at', table_name='schedule_next')
    op.drop_table('schedule_next')
