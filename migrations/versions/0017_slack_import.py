"""Slack export import: what was imported from where, so a re-run changes nothing (issue 14).

Reserved in the chain so that features built in parallel each fill their own
step; a step with nothing to add stays empty.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
