"""Threads saved as knowledge and newcomers greeted (issue 14).

Reserved in the chain so that features built in parallel each fill their own
step; a step with nothing to add stays empty.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
