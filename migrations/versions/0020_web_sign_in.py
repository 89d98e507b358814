"""Web knowledge base: sign-ins under way, and people's directory ids (issue 16).

``web_sign_ins`` holds each OpenID Connect sign-in started (its ``state``, the
``nonce`` the ID token must carry, the PKCE verifier) until its callback uses
it once: a replayed or forged callback finds no unused row, on whichever
replica it lands. ``person_directory_ids`` keeps the id a person has in their
organisation's directory where chat events carry one beside the platform's
own (Teams' ``aadObjectId``), so that a Microsoft sign-in (``tid`` + ``oid``)
finds the same person as in chat.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'web_sign_ins',
        sa.Column('state', sa.String(64), primary_key=True),
        sa.Column('provider', sa.String(16), nullable=False),
        sa.Column('nonce', sa.String(64), nullable=False),
        sa.Column('code_verifier', sa.String(128), nullable=False),
        sa.Column('return_to', sa.String(512), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_web_sign_ins_created_at', 'web_sign_ins', ['created_at'])
    op.create_table(
        'person_directory_ids',
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('people.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('directory_id', sa.String(128), nullable=False),
    )
    op.create_index('ix_person_directory_ids_directory_id', 'person_directory_ids', ['directory_id'])


def downgrade() -> None:
    op.drop_index('ix_person_directory_ids_directory_id', table_name='person_directory_ids')
    op.drop_table('person_directory_ids')
    op.drop_index('ix_web_sign_ins_created_at', table_name='web_sign_ins')
    op.drop_table('web_sign_ins')
