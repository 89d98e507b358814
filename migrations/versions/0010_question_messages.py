"""Other messages that stand for a question (an experts' invitation in a chat without threads).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('question_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('question_id', 'message_id', name='uq_question_messages_question_message')
    )
    op.create_index('ix_question_messages_message_id', 'question_messages', ['message_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_question_messages_message_id', table_name='question_messages')
    op.drop_table('question_messages')
