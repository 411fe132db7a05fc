"""The notifier's own tables: one row per requested email, keyed by its idempotency key; deleted accounts."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s", "pk": "pk_%(table_name)s",
})

emails = sa.Table(
    "emails",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("idempotency_key", sa.Text, nullable=False, unique=True),
    sa.Column("template", sa.Text, nullable=False),
    sa.Column("recipient", sa.Text, nullable=False),
    sa.Column("subject", sa.Text),
    sa.Column("raw_message", sa.LargeBinary),  # the exact bytes sent (built once, at intake)
    sa.Column("message_id", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.Column("lease_until", sa.DateTime(timezone=True)),
    sa.Column("claim_token", sa.Uuid),
    sa.Column("last_error", sa.Text),
    sa.Column("account_id", sa.Uuid),  # whose deletion erases this row's personal data
    sa.Column("erase_after_send", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("requested_by", sa.Text, nullable=False),
    sa.Column("request_event_id", sa.Uuid, nullable=False),
    sa.Column("correlation_id", sa.Text),
    # The W3C trace context (JSON) of the consumer span that stored the mail, when traced: the sender's
    # SMTP span, later and in another loop, joins the trace of the request that asked for the mail.
    sa.Column("trace_context", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True)),
    sa.Column("failed_at", sa.DateTime(timezone=True)),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name="status"),
    # The sender's claim query reads only mails waiting for an attempt or stuck in a dead lease.
    sa.Index("ix_emails_due", "next_attempt_at", postgresql_where=sa.text("status = 'pending'")),
    sa.Index("ix_emails_leased", "lease_until", postgresql_where=sa.text("status = 'sending'")),
    sa.Index("ix_emails_recipient", sa.text("lower(recipient)")),
    sa.Index("ix_emails_created_at", "created_at"),
    sa.Index("ix_emails_account_id", "account_id"),
    # The retention erases done records that still name someone, oldest first (erased ones are not walked again).
    sa.Index("ix_emails_records_to_erase", "created_at",
             postgresql_where=sa.text("status IN ('sent', 'failed') AND recipient <> '[effacé]'")),
)

# Accounts deleted lately, by id only (no personal data): a mail for such an account requested after
# the deletion was processed (another queue, so any order) is erased right after its last attempt too.
deleted_accounts = sa.Table(
    "deleted_accounts",
    metadata,
    sa.Column("account_id", sa.Uuid, primary_key=True),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_deleted_accounts_deleted_at", "deleted_at"),
)
