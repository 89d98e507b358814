"""Web knowledge base: sign-in identities (issue 16).

Reserved in the chain so that features built in parallel each fill their own
step; a step with nothing to add stays empty.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
