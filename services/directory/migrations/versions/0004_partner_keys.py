"""Partner API keys (hashed) and the log of partner calls.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from activateurs.directory.adapters.tables import partner_calls, partner_keys

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    partner_keys.create(op.get_bind())
    partner_calls.create(op.get_bind())
    op.execute("CREATE INDEX partner_calls_key ON partner_calls (key_id, at)")


def downgrade() -> None:
    partner_calls.drop(op.get_bind())
    partner_keys.drop(op.get_bind())
