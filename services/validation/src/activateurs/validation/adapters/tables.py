"""Tables of the validation service's own database (outbox and inbox come from activateurs.shared)."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s", "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
})

# One review case per dossier; its columns follow the highest revision received.
cases = sa.Table(
    "cases",
    metadata,
    sa.Column("dossier_id", sa.Uuid, primary_key=True),
    sa.Column("account_id", sa.Uuid, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("structure_name", sa.Text, nullable=False),
    sa.Column("department", sa.Text, nullable=False),
    sa.Column("region", sa.Text, nullable=False),
    sa.Column("precheck_summary", JSONB, nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    # The queue's order: when the case last started waiting for the DGE (submission or reply).
    sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=False),
    sa.Column("respond_by", sa.DateTime(timezone=True)),
    sa.Column("structure_id", sa.Uuid, unique=True),
    sa.Column("structure_state", sa.Text),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
    sa.Column("decision_reason", sa.Text),
    sa.Column("engagement_expires_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_cases_queue", "status", "waiting_since"),
    sa.Index("ix_cases_account_id", "account_id"),
    sa.Index("ix_cases_region", "region"),
)

# Every revision received, even late ones: the full snapshot and its pre-checks.
revisions = sa.Table(
    "revisions",
    metadata,
    sa.Column("dossier_id", sa.Uuid, primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("event_id", sa.Uuid, nullable=False),
    sa.Column("data", JSONB, nullable=False),
    sa.Column("prechecks", JSONB, nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)

messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("dossier_id", sa.Uuid, nullable=False),
    sa.Column("author", sa.Text, nullable=False),      # 'dge' or 'applicant'
    sa.Column("author_id", sa.Text, nullable=False),   # the token's subject
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("requests_information", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # The thread's order, even for two messages of the same instant.
    sa.Column("seq", sa.BigInteger, sa.Identity(), nullable=False, unique=True),
    sa.Index("ix_messages_dossier_id", "dossier_id", "seq"),
)

# Every transition of a case (who, when, why).
history = sa.Table(
    "history",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("dossier_id", sa.Uuid, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("from_status", sa.Text),
    sa.Column("to_status", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Index("ix_history_dossier_id", "dossier_id", "id"),
)

# The 3-month rule's deadlines: reminders and expiry, claimed with SKIP LOCKED by any replica.
deadlines = sa.Table(
    "deadlines",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("dossier_id", sa.Uuid, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),   # 'reminder', 'final_reminder', 'expiry'
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("request_message_id", sa.Uuid, nullable=False),
    sa.Column("fired_at", sa.DateTime(timezone=True)),
    sa.Column("cancelled_at", sa.DateTime(timezone=True)),
    sa.Index("ix_deadlines_due", "due_at", postgresql_where=sa.text("fired_at IS NULL AND cancelled_at IS NULL")),
    sa.Index("ix_deadlines_dossier_id", "dossier_id"),
)

# Append-only, each record chained to the previous by hash (see domain/audit.py).
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("subject_id", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("details", JSONB, nullable=False),
    sa.Column("prev_hash", sa.Text, nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
    sa.Index("ix_audit_log_subject_id", "subject_id"),
)


# Charter versions published by a DGE admin (version 1, of 16/03/2022, exists from the start).
charter_versions = sa.Table(
    "charter_versions",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("acceptance_deadline", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_by", sa.Text, nullable=False),
)

# Annual satisfaction questionnaire campaigns (A4): one per year.
questionnaire_campaigns = sa.Table(
    "questionnaire_campaigns",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False, unique=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("launched_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("launched_by", sa.Text, nullable=False),
)


# Acknowledgements overdue, as contact-relay reports them (the DGE's statistics).
overdue_acknowledgements = sa.Table(
    "overdue_acknowledgements",
    metadata,
    sa.Column("request_id", sa.Uuid, primary_key=True),
    sa.Column("structure_id", sa.Uuid, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_overdue_acknowledgements_at", "at"),
)
