"""Tables of the contact-relay service's own database (outbox and inbox come from activateurs.shared)."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

metadata = sa.MetaData()

TZ = sa.DateTime(timezone=True)

# The routing table: who receives requests for each structure. Each aspect (profile, publication,
# sanction, end) remembers the `occurred_at` of the event that set it, so a late event cannot undo a newer one.
structures = sa.Table(
    "structures",
    metadata,
    sa.Column("structure_id", sa.Uuid, primary_key=True),
    sa.Column("account_id", sa.Uuid),
    sa.Column("name", sa.Text),
    sa.Column("city", sa.Text),
    sa.Column("department", sa.Text),
    sa.Column("region", sa.Text),
    sa.Column("timezone", sa.Text),
    sa.Column("contact_emails", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("domains", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("profile_at", TZ),
    sa.Column("slug", sa.Text),
    sa.Column("profile_url", sa.Text),
    sa.Column("published", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("publication_at", TZ),
    sa.Column("suspended", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("sanction_at", TZ),
    sa.Column("ended_for", sa.Text),  # struck_off | withdrawn | cancelled | deleted
    sa.Column("ended_at", TZ),
    sa.Index("structures_slug", "slug", unique=True),
    sa.Index("structures_department", "department"),
    sa.Index("structures_account", "account_id"),  # an account's deletion finds its structures
)

# Accounts deleted, by id only (no personal data), kept a while: an acceptance of such an account's
# structure arriving after the deletion (out of order) must not put its addresses back in the routing.
deleted_accounts = sa.Table(
    "deleted_accounts",
    metadata,
    sa.Column("account_id", sa.Uuid, primary_key=True),
    sa.Column("deleted_at", TZ, nullable=False),
    sa.Index("deleted_accounts_deleted_at", "deleted_at"),
)

contact_requests = sa.Table(
    "contact_requests",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("structure_id", sa.Uuid, nullable=False),
    sa.Column("company_name", sa.Text, nullable=False),
    sa.Column("siret", sa.Text),
    sa.Column("contact_name", sa.Text, nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("phone", sa.Text),
    sa.Column("postal_code", sa.Text, nullable=False),
    sa.Column("domains", ARRAY(sa.Text), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # forwarded | acknowledged | overdue | redirected
    sa.Column("received_at", TZ, nullable=False),
    sa.Column("reminder_at", TZ, nullable=False),
    sa.Column("ack_deadline", TZ, nullable=False),
    sa.Column("timezone", sa.Text, nullable=False),
    sa.Column("reminder_sent_at", TZ),
    sa.Column("acknowledged_at", TZ),
    sa.Column("overdue_at", TZ),
    # Redirection chain: each hop is a request of its own, pointing at the one it came from.
    sa.Column("previous_id", sa.Uuid),
    sa.Column("redirected_to", sa.Uuid),
    sa.Column("redirect_note", sa.Text),
    sa.Column("purged_at", TZ),  # the business's personal data erased (retention)
    sa.Index("contact_requests_structure", "structure_id", "received_at"),
    # The sweeper's two scans only look at requests still waiting.
    sa.Index("contact_requests_reminder_due", "reminder_at",
             postgresql_where=sa.text("status = 'forwarded' AND reminder_sent_at IS NULL")),
    sa.Index("contact_requests_deadline_due", "ack_deadline", postgresql_where=sa.text("status = 'forwarded'")),
    sa.Index("contact_requests_to_purge", "received_at", postgresql_where=sa.text("purged_at IS NULL")),
)

# Rate-limit counters of the public intake, shared by all replicas: hits per key and fixed window. The key is
# an HMAC of the client address or business email (never in clear). UNLOGGED: no WAL on the hot path; a
# crash empties it, which only forgives the current windows.
rate_limits = sa.Table(
    "rate_limits",
    metadata,
    sa.Column("key", sa.LargeBinary, primary_key=True),
    sa.Column("window_start", TZ, primary_key=True),
    sa.Column("hits", sa.Integer, nullable=False),
    sa.Index("rate_limits_window_start", "window_start"),  # the purge of old windows
    prefixes=["UNLOGGED"],
)
