"""Accounts, signing keys, login throttling, charter versions (version 1 seeded), dossiers, documents, audit.

Revision ID: 0002
Revises: 0001
"""

from datetime import UTC, datetime
from importlib.resources import files

import sqlalchemy as sa
from alembic import op

from activateurs.registration.adapters.tables import metadata

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("accounts", "signing_keys", "login_failures", "charter_versions", "dossiers", "dossier_revisions",
          "documents", "deleted_accounts")


def upgrade() -> None:
    bind = op.get_bind()
    # Created from the table definitions; any later change comes as a migration of its own with explicit ops.
    metadata.create_all(bind, tables=[metadata.tables[name] for name in TABLES])
    text = files("activateurs.registration.data").joinpath("charter-v1.txt").read_text(encoding="utf-8")
    op.execute(sa.table("charter_versions", sa.column("version"), sa.column("text"), sa.column("published_at"))
               .insert().values(version=1, text=text, published_at=datetime(2022, 3, 16, tzinfo=UTC)))


def downgrade() -> None:
    bind = op.get_bind()
    metadata.drop_all(bind, tables=[metadata.tables[name] for name in reversed(TABLES)])
