"""Tables of the registration service's own database (outbox and inbox come from activateurs.shared)."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = sa.MetaData()

accounts = sa.Table(
    "accounts", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("email", sa.Text, nullable=False),  # stored lower-cased
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("first_name", sa.Text, nullable=False),
    sa.Column("last_name", sa.Text, nullable=False),
    sa.Column("roles", ARRAY(sa.Text), nullable=False),
    sa.Column("region", sa.Text),  # DREETS agents only
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("verified_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("email", name="accounts_email_key"),
    sa.Index("accounts_never_verified", "created_at", postgresql_where=sa.text("verified_at IS NULL")),
)

# Keys generated in development/test when none is configured: stored here so every replica signs alike.
signing_keys = sa.Table(
    "signing_keys", metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("private_pem", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# Counters per key within a window: failed sign-ins (hashed account email, client address), and mails sent
# unasked to one address (hashed) by sign-ups and re-sends.
login_failures = sa.Table(
    "login_failures", metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
)

# A signed-in session: one per sign-in, ended by signing out, by a password change or reset, or by a reused
# refresh token. Access tokens carry its id (`sid`); this service refuses them once the session has ended.
sessions = sa.Table(
    "sessions", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),  # the latest end, whatever the refreshes
    sa.Column("refreshed_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_reason", sa.Text),
)

# Refresh tokens by their SHA-256 (the token itself is never stored). Rotated ones are kept until their session
# goes, so presenting one again is recognised as a reuse and ends the session.
refresh_tokens = sa.Table(
    "refresh_tokens", metadata,
    sa.Column("token_hash", sa.Text, primary_key=True),
    sa.Column("session_id", sa.Uuid, sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rotated_at", sa.DateTime(timezone=True)),
)

# Emailed links acting on an account (password reset, email change): the signed token carries this row's id
# (`jti`); `used_at` makes the link single-use. `new_email` is the address an email change waits to confirm.
account_links = sa.Table(
    "account_links", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("new_email", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True)),
)

charter_versions = sa.Table(
    "charter_versions", metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("acceptance_deadline", sa.DateTime(timezone=True)),
)

dossiers = sa.Table(
    "dossiers", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, unique=True),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("draft", JSONB, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
    sa.Column("structure_id", sa.Uuid, unique=True),
    sa.Column("charter_version", sa.Integer),
    sa.Column("engagement_expires_at", sa.DateTime(timezone=True)),
    sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True)),
    sa.Column("information_request", JSONB),  # the DGE's last request while awaiting the applicant
    # Sanctions: the status a reinstatement goes back to, and the time of the last sanction event applied
    # (a late copy of an older suspension or reinstatement changes nothing).
    sa.Column("status_before_suspension", sa.Text),
    sa.Column("sanctioned_at", sa.DateTime(timezone=True)),
)

# A member (adhérent) of a structure: an account bound to the referent's dossier, with a public card.
members = sa.Table(
    "members", metadata,
    sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("dossier_id", sa.Uuid, sa.ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("card", JSONB, nullable=False),
    sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("card_updated_at", sa.DateTime(timezone=True), nullable=False),
)

# Invitations sent by a referent; `token_id` is the nonce of the only link still valid (a re-invitation
# after expiry replaces it), `accepted_at` makes the link single-use.
member_invitations = sa.Table(
    "member_invitations", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("dossier_id", sa.Uuid, sa.ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("email", sa.Text, nullable=False),  # stored lower-cased
    sa.Column("first_name", sa.Text, nullable=False),
    sa.Column("last_name", sa.Text, nullable=False),
    sa.Column("token_id", sa.Text, nullable=False),
    sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("accepted_at", sa.DateTime(timezone=True)),
    sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE")),
    sa.UniqueConstraint("dossier_id", "email", name="member_invitations_dossier_email_key"),
)

# Every charter version a person accepted, and when (referents at submission or renewal, members at joining).
charter_acceptances = sa.Table(
    "charter_acceptances", metadata,
    sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
)

# Deadlines of a structure (engagement reminders and lapse, charter acceptance), claimed by any replica
# with SKIP LOCKED once due; `fired_at` set in the transaction that applies them.
deadlines = sa.Table(
    "deadlines", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("dossier_id", sa.Uuid, sa.ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("payload", JSONB, nullable=False),
    sa.Column("fired_at", sa.DateTime(timezone=True)),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("deadlines_pending", "due_at", postgresql_where=sa.text("fired_at IS NULL")),
)

# First publication of each structure by the directory (kept even if it arrives before the acceptance).
publications = sa.Table(
    "publications", metadata,
    sa.Column("structure_id", sa.Uuid, primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("first_published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("notified_at", sa.DateTime(timezone=True)),
)

# A sanction that arrived before the acceptance it follows (the two come on different queues); the latest per
# structure, applied when the acceptance arrives.
early_sanctions = sa.Table(
    "early_sanctions", metadata,
    sa.Column("structure_id", sa.Uuid, primary_key=True),
    sa.Column("suspended", sa.Boolean, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
)

dossier_revisions = sa.Table(
    "dossier_revisions", metadata,
    sa.Column("dossier_id", sa.Uuid, sa.ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("snapshot", JSONB, nullable=False),
    sa.Column("charter_version", sa.Integer, nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
)

documents = sa.Table(
    "documents", metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("filename", sa.Text),
    sa.Column("content_type", sa.Text, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    # In the database: acknowledged (201) only once committed with the rest, backed up with it.
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# What the audit keeps of a deleted account: no personal data, only that it existed and why it went.
deleted_accounts = sa.Table(
    "deleted_accounts", metadata,
    sa.Column("account_id", sa.Uuid, primary_key=True),
    sa.Column("structure_id", sa.Uuid),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
)
