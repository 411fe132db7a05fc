"""Deleted accounts remembered (ids only) so a late acceptance cannot route requests to them again.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deleted_accounts",
        sa.Column("account_id", sa.Uuid, primary_key=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("deleted_accounts_deleted_at", "deleted_accounts", ["deleted_at"])
    op.create_index("structures_account", "structures", ["account_id"])


def downgrade() -> None:
    op.drop_index("structures_account", table_name="structures")
    op.drop_table("deleted_accounts")
