"""Emails know their account, so an account deletion can erase them; raw messages no longer kept once sent.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("emails", sa.Column("account_id", sa.Uuid))
    op.add_column("emails", sa.Column("erase_after_send", sa.Boolean, nullable=False, server_default=sa.false()))
    op.create_index("ix_emails_account_id", "emails", ["account_id"])
    op.execute("UPDATE emails SET raw_message = NULL WHERE status IN ('sent', 'failed')")


def downgrade() -> None:
    op.drop_index("ix_emails_account_id", table_name="emails")
    op.drop_column("emails", "erase_after_send")
    op.drop_column("emails", "account_id")
