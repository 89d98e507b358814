"""Platform addresses in the core: Teams' conversation references move to ``platform_addresses``.

Adapters no longer define tables of their own; the core keeps the addresses
proactive messages need for every platform (kbbot/pipeline/addresses.py).
Every stored Teams reference is copied with ``platform='teams'``; its
service URL is the reference's own ``serviceUrl`` (set from the old column
where a reference lacked it), so proactive sends keep working after the
upgrade. The downgrade copies the Teams rows back.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_OLD = 'teams_conversation_references'
_NEW = 'platform_addresses'


def _old_columns() -> list[sa.Column]:
    return [sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('tenant_id', sa.String(length=128), nullable=False),
            sa.Column('scope', sa.String(length=16), nullable=False),
            sa.Column('key', sa.String(length=255), nullable=False),
            sa.Column('conversation_id', sa.String(length=255), nullable=False),
            sa.Column('service_url', sa.String(length=512), nullable=False),
            sa.Column('reference', sa.JSON(), nullable=False),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False)]


def _new_columns() -> list[sa.Column]:
    return [sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('platform', sa.String(length=16), nullable=False),
            sa.Column('workspace_id', sa.String(length=128), nullable=False),
            sa.Column('scope', sa.String(length=16), nullable=False),
            sa.Column('key', sa.String(length=255), nullable=False),
            sa.Column('conversation_id', sa.String(length=255), nullable=False),
            sa.Column('address', sa.JSON(), nullable=False),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False)]


def upgrade() -> None:
    new = op.create_table(_NEW, *_new_columns(), sa.PrimaryKeyConstraint('id'),
                          sa.UniqueConstraint('platform', 'workspace_id', 'scope', 'key',
                                              name='uq_platform_addresses_platform_workspace_scope_key'))
    old = sa.table(_OLD, *_old_columns())
    connection = op.get_bind()
    rows = connection.execute(sa.select(old).order_by(old.c.id)).mappings().all()
    if rows:
        connection.execute(sa.insert(new), [
            {'platform': 'teams', 'workspace_id': row['tenant_id'], 'scope': row['scope'], 'key': row['key'],
             'conversation_id': row['conversation_id'],
             'address': {**(row['reference'] or {}),
                         'serviceUrl': (row['reference'] or {}).get('serviceUrl') or row['service_url']},
             'created_at': row['created_at'], 'updated_at': row['updated_at']}
            for row in rows])
    op.drop_table(_OLD)


def downgrade() -> None:
    old = op.create_table(_OLD, *_old_columns(), sa.PrimaryKeyConstraint('id'),
                          sa.UniqueConstraint('tenant_id', 'scope', 'key',
                                              name='uq_teams_conversation_references_tenant_scope_key'))
    new = sa.table(_NEW, *_new_columns())
    connection = op.get_bind()
    rows = connection.execute(sa.select(new).where(new.c.platform == 'teams').order_by(new.c.id)).mappings().all()
    if rows:
        connection.execute(sa.insert(old), [
            {'tenant_id': row['workspace_id'], 'scope': row['scope'], 'key': row['key'],
             'conversation_id': row['conversation_id'],
             'service_url': (row['address'] or {}).get('serviceUrl') or '', 'reference': row['address'],
             'created_at': row['created_at'], 'updated_at': row['updated_at']}
            for row in rows])
    op.drop_table(_NEW)
