"""The trace context (tracing.py) beside each outbox row and each stored email: the relay's publish and the
sender's SMTP send, later and in another loop, join the trace of the request that caused them.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from activateurs.shared.messaging.tables import add_outbox_trace_context, drop_outbox_trace_context

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_trace_context()
    op.add_column("emails", sa.Column("trace_context", sa.Text))


def downgrade() -> None:
    op.drop_column("emails", "trace_context")
    drop_outbox_trace_context()
