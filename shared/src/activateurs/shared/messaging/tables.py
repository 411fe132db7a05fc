"""The outbox and inbox tables every service has in its own database (created by its first migration)."""

from __future__ import annotations

import sqlalchemy as sa

messaging_metadata = sa.MetaData()

outbox = sa.Table(
    "outbox",
    messaging_metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("event_id", sa.Uuid, nullable=False, unique=True),
    sa.Column("routing_key", sa.Text, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("correlation_id", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True)),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    # The W3C trace context (traceparent, tracestate; JSON) of the span that wrote the event, when traced:
    # the relay publishes it as AMQP headers, so the consumer's span joins the producer's trace.
    sa.Column("trace_context", sa.Text),
    # The relay scans only what is still to publish.
    sa.Index("outbox_pending", "id", postgresql_where=sa.text("published_at IS NULL")),
    sa.Index("outbox_published_at", "published_at"),
)

inbox = sa.Table(
    "inbox",
    messaging_metadata,
    sa.Column("consumer", sa.Text, primary_key=True),
    sa.Column("event_id", sa.Uuid, primary_key=True),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
)


def create_messaging_tables() -> None:
    """Alembic helper for a service's first migration: outbox and inbox, version 1 (frozen here on purpose:
    a later change to the tables above comes with a new helper, never an edit of this one)."""
    from alembic import op

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("routing_key", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("correlation_id", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("outbox_pending", "outbox", ["id"], postgresql_where=sa.text("published_at IS NULL"))
    op.create_index("outbox_published_at", "outbox", ["published_at"])
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.Text, primary_key=True),
        sa.Column("event_id", sa.Uuid, primary_key=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )


def add_outbox_trace_context() -> None:
    """Alembic helper, version 2 of the outbox: the nullable `trace_context` column (tracing.py's carrier)."""
    from alembic import op

    op.add_column("outbox", sa.Column("trace_context", sa.Text))


def drop_outbox_trace_context() -> None:
    from alembic import op

    op.drop_column("outbox", "trace_context")


def drop_messaging_tables() -> None:
    from alembic import op

    op.drop_table("inbox")
    op.drop_table("outbox")
