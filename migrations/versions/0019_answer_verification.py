"""Answer owners, verification, re-check queue, guests (issue 19).

Reserved in the chain so that features built in parallel each fill their own
step; a step with nothing to add stays empty.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
