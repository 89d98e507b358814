"""Pending (and parked) inbound events get indexes of their own, instead of an index on every event's status.

Handled keys are kept a week (to recognise a platform's retries): at a steady
rate that is millions of rows, all ``done``. Workers only ever look for the
pending ones, oldest first, so a partial index on ``id`` holds just the
backlog, and handling an event takes it out of the index instead of moving
it within a large one. Parked (failed) events get the same kind of index, by
arrival, for ``kbbot status``, which a monitoring probe may run every minute.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")
FAILED = sa.text("status = 'failed'")


def upgrade() -> None:
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_events_status')
    op.create_index('ix_inbound_events_pending', 'inbound_events', ['id'], unique=False,
                    postgresql_where=PENDING, sqlite_where=PENDING)
    op.create_index('ix_inbound_events_failed', 'inbound_events', ['received_at'], unique=False,
                    postgresql_where=FAILED, sqlite_where=FAILED)


def downgrade() -> None:
    op.drop_index('ix_inbound_events_failed', table_name='inbound_events')
    op.drop_index('ix_inbound_events_pending', table_name='inbound_events')
    with op.batch_alter_table('inbound_events', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_events_status', ['status'], unique=False)
