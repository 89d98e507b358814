"""The card's own message id, where it is not the root of the question's thread.

Until now the Teams adapter kept it in its conversation references (the
reference of a reply chain whose ``activityId`` is the card); the core now
records what the adapter reports it posted, so the id moves to the question.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_CHAIN = ";messageid="


def upgrade() -> None:
    with op.batch_alter_table('questions') as batch:
        batch.add_column(sa.Column('card_id', sa.String(length=128), nullable=True))
    connection = op.get_bind()
    references = sa.table('teams_conversation_references', sa.column('scope', sa.String),
                          sa.column('key', sa.String), sa.column('reference', sa.JSON))
    questions = sa.table('questions', sa.column('id', sa.Integer), sa.column('conversation_id', sa.Integer),
                         sa.column('message_id', sa.String), sa.column('card_id', sa.String))
    conversations = sa.table('conversations', sa.column('id', sa.Integer), sa.column('external_id', sa.String))
    rows = connection.execute(sa.select(references.c.key, references.c.reference)
                              .where(references.c.scope == 'conversation', references.c.key.contains(_CHAIN)))
    for key, reference in rows:
        channel, _, root = key.partition(_CHAIN)
        card = (reference or {}).get("activityId")
        if not card or card == root:
            continue
        owner = sa.select(conversations.c.id).where(conversations.c.external_id == channel)
        connection.execute(sa.update(questions)
                           .where(questions.c.conversation_id.in_(owner), questions.c.message_id == root)
                           .values(card_id=str(card)))


def downgrade() -> None:
    with op.batch_alter_table('questions') as batch:
        batch.drop_column('card_id')
