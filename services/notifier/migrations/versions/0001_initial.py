"""Initial schema: outbox, inbox and the emails table.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from activateurs.shared.messaging.tables import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "emails",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("idempotency_key", sa.Text, nullable=False),
        sa.Column("template", sa.Text, nullable=False),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("subject", sa.Text),
        sa.Column("raw_message", sa.LargeBinary),
        sa.Column("message_id", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("claim_token", sa.Uuid),
        sa.Column("last_error", sa.Text),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.Column("request_event_id", sa.Uuid, nullable=False),
        sa.Column("correlation_id", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("failed_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="ck_emails_status"),
        sa.UniqueConstraint("idempotency_key", name="uq_emails_idempotency_key"),
    )
    op.create_index("ix_emails_due", "emails", ["next_attempt_at"], postgresql_where=sa.text("status = 'pending'"))
    op.create_index("ix_emails_leased", "emails", ["lease_until"], postgresql_where=sa.text("status = 'sending'"))
    op.create_index("ix_emails_recipient", "emails", [sa.text("lower(recipient)")])
    op.create_index("ix_emails_created_at", "emails", ["created_at"])


def downgrade() -> None:
    op.drop_table("emails")
    drop_messaging_tables()
