"""When a conversation's kind last changed: old evidence may narrow it, never widen it.

A channel made private, then a late retry of an event sent before the
change, must not make it public again (kbbot/services/directory.py). Private
conversations already known count as changed now, so a retry still in flight
during the upgrade cannot widen them either.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('conversations', sa.Column('kind_changed_at', sa.DateTime(timezone=True), nullable=True))
    conversations = sa.table('conversations', sa.column('kind', sa.String(32)),
                             sa.column('kind_changed_at', sa.DateTime(timezone=True)))
    op.execute(conversations.update().where(conversations.c.kind.in_(('private', 'group')))
               .values(kind_changed_at=datetime.now(UTC)))


def downgrade() -> None:
    op.drop_column('conversations', 'kind_changed_at')
