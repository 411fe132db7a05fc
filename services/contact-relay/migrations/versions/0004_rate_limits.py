"""Rate-limit counters of the public intake, shared by all replicas (UNLOGGED: losing them on a crash is harmless).

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
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.LargeBinary, primary_key=True),
        sa.Column("window_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("hits", sa.Integer, nullable=False),
        prefixes=["UNLOGGED"],
    )
    op.create_index("rate_limits_window_start", "rate_limits", ["window_start"])


def downgrade() -> None:
    op.drop_table("rate_limits")
