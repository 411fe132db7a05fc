"""The routing table of published structures and the contact requests.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "structures",
        sa.Column("structure_id", sa.Uuid, primary_key=True),
        sa.Column("account_id", sa.Uuid),
        sa.Column("name", sa.Text),
        sa.Column("city", sa.Text),
        sa.Column("department", sa.Text),
        sa.Column("region", sa.Text),
        sa.Column("timezone", sa.Text),
        sa.Column("contact_emails", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("domains", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("profile_at", TZ),
        sa.Column("slug", sa.Text),
        sa.Column("profile_url", sa.Text),
        sa.Column("published", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("publication_at", TZ),
        sa.Column("suspended", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("sanction_at", TZ),
        sa.Column("ended_for", sa.Text),
        sa.Column("ended_at", TZ),
    )
    op.create_index("structures_slug", "structures", ["slug"], unique=True)
    op.create_index("structures_department", "structures", ["department"])
    op.create_table(
        "contact_requests",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("structure_id", sa.Uuid, nullable=False),
        sa.Column("company_name", sa.Text, nullable=False),
        sa.Column("siret", sa.Text),
        sa.Column("contact_name", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("phone", sa.Text),
        sa.Column("postal_code", sa.Text, nullable=False),
        sa.Column("domains", ARRAY(sa.Text), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("reminder_at", TZ, nullable=False),
        sa.Column("ack_deadline", TZ, nullable=False),
        sa.Column("timezone", sa.Text, nullable=False),
        sa.Column("reminder_sent_at", TZ),
        sa.Column("acknowledged_at", TZ),
        sa.Column("overdue_at", TZ),
        # Redirection chain: each hop is a request of its own, pointing at the one it came from.
        sa.Column("previous_id", sa.Uuid),
        sa.Column("redirected_to", sa.Uuid),
        sa.Column("redirect_note", sa.Text),
        sa.Column("purged_at", TZ),  # the business's personal data erased (retention)
    )
    op.create_index("contact_requests_structure", "contact_requests", ["structure_id", "received_at"])
    op.create_index("contact_requests_reminder_due", "contact_requests", ["reminder_at"],
                    postgresql_where=sa.text("status = 'forwarded' AND reminder_sent_at IS NULL"))
    op.create_index("contact_requests_deadline_due", "contact_requests", ["ack_deadline"],
                    postgresql_where=sa.text("status = 'forwarded'"))
    op.create_index("contact_requests_to_purge", "contact_requests", ["received_at"],
                    postgresql_where=sa.text("purged_at IS NULL"))


def downgrade() -> None:
    op.drop_table("contact_requests")
    op.drop_table("structures")
