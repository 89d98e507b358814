"""What an import already applied from reactions, so a later export never undoes a live change (issue 14).

``imported_votes`` holds each (answer, person) vote an import took from a
reaction; ``imported_threads.accepted_message_id`` the reply an import marked
accepted from the asker's check mark (or the most approving reactions). A
later, overlapping export still carries those reactions; if someone took the
vote or the acceptance back in kbbot since, it stays taken back.

Revision ID: 0025
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'imported_votes',
        sa.Column('answer_id', sa.Integer(), sa.ForeignKey('answers.id', ondelete='CASCADE'), nullable=False),
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('people.id', ondelete='CASCADE'), nullable=False),
        sa.PrimaryKeyConstraint('answer_id', 'person_id'),
    )
    op.create_index('ix_imported_votes_person_id', 'imported_votes', ['person_id'])
    op.add_column('imported_threads', sa.Column('accepted_message_id', sa.String(length=128), nullable=True))
    # Votes on imported threads before this table existed: the activity log says who voted for which answer
    # (live or imported alike); taken as applied, so a vote withdrawn since is not brought back by the next import.
    op.execute(sa.text(
        "INSERT INTO imported_votes (answer_id, person_id) "
        "SELECT DISTINCT a.id, v.person_id FROM activities v "
        "JOIN answers a ON a.id = v.subject_id "
        "JOIN imported_threads t ON t.question_id = a.question_id "
        "WHERE v.kind = 'voted' AND v.person_id <> a.author_id"))


def downgrade() -> None:
    op.drop_column('imported_threads', 'accepted_message_id')
    op.drop_index('ix_imported_votes_person_id', table_name='imported_votes')
    op.drop_table('imported_votes')
