"""Expert routing: invitations, ping budgets, working hours and the escalation ladder (issue 13).

Reserved in the chain so that features built in parallel each fill their own
step; a step with nothing to add stays empty.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
