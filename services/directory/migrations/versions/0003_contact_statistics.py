"""Contact requests as seen by the statistics (from contact-relay's events).

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from activateurs.directory.adapters.tables import contact_requests

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    contact_requests.create(op.get_bind())
    op.execute("CREATE INDEX contact_requests_structure ON contact_requests (structure_id, received_at)")


def downgrade() -> None:
    contact_requests.drop(op.get_bind())
