"""Delivery records still holding personal data, by age: what the retention erases next.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_emails_records_to_erase", "emails", ["created_at"],
                    postgresql_where=sa.text("status IN ('sent', 'failed') AND recipient <> '[effacé]'"))


def downgrade() -> None:
    op.drop_index("ix_emails_records_to_erase", table_name="emails")
