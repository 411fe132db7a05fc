"""The outbox's trace context: the W3C traceparent of the span that wrote each event (tracing.py), published
as AMQP headers so the consumer's span joins the producer's trace.

Revision ID: 0003
Revises: 0002
"""

from activateurs.shared.messaging.tables import add_outbox_trace_context, drop_outbox_trace_context

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_trace_context()


def downgrade() -> None:
    drop_outbox_trace_context()
