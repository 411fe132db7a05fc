"""Members and invitations, charter acceptances, deadlines, first publications, sanction columns.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    # 0002 creates `dossiers` from the current table definition, so a fresh database already has these columns;
    # one migrated before this revision does not.
    op.execute("ALTER TABLE dossiers ADD COLUMN IF NOT EXISTS status_before_suspension TEXT")
    op.execute("ALTER TABLE dossiers ADD COLUMN IF NOT EXISTS sanctioned_at TIMESTAMP WITH TIME ZONE")
    op.create_table(
        "members",
        sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("dossier_id", sa.Uuid, sa.ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("card", JSONB, nullable=False),
        sa.Column("joined_at", TZ, nullable=False),
        sa.Column("card_updated_at", TZ, nullable=False),
    )
    op.create_index("ix_members_dossier_id", "members", ["dossier_id"])
    op.create_table(
        "member_invitations",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("dossier_id", sa.Uuid, sa.ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("first_name", sa.Text, nullable=False),
        sa.Column("last_name", sa.Text, nullable=False),
        sa.Column("token_id", sa.Text, nullable=False),
        sa.Column("invited_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("accepted_at", TZ),
        sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE")),
        sa.UniqueConstraint("dossier_id", "email", name="member_invitations_dossier_email_key"),
    )
    op.create_table(
        "charter_acceptances",
        sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("accepted_at", TZ, nullable=False),
    )
    op.create_table(
        "deadlines",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("dossier_id", sa.Uuid, sa.ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("due_at", TZ, nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("fired_at", TZ),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_deadlines_dossier_id", "deadlines", ["dossier_id"])
    op.create_index("deadlines_pending", "deadlines", ["due_at"], postgresql_where=sa.text("fired_at IS NULL"))
    op.create_table(
        "publications",
        sa.Column("structure_id", sa.Uuid, primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("first_published_at", TZ, nullable=False),
        sa.Column("notified_at", TZ),
    )
    # Referents who submitted before this table existed accepted the version they submitted with.
    op.execute("INSERT INTO charter_acceptances (account_id, version, accepted_at) "
               "SELECT account_id, charter_version, coalesce(submitted_at, updated_at) FROM dossiers "
               "WHERE charter_version IS NOT NULL ON CONFLICT DO NOTHING")


def downgrade() -> None:
    for table in ("publications", "deadlines", "charter_acceptances", "member_invitations", "members"):
        op.drop_table(table)
    op.drop_column("dossiers", "sanctioned_at")
    op.drop_column("dossiers", "status_before_suspension")
