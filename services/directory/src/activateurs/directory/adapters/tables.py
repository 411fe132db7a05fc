"""Tables of the directory service's own database (outbox and inbox come from activateurs.shared)."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

metadata = sa.MetaData()

# One row per structure ever accepted (or announced by a profile update): its publication state,
# the last profile received, and the public projections served as they are (pre-rendered JSON).
structures = sa.Table(
    "structures", metadata,
    sa.Column("structure_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("account_id", UUID(as_uuid=True)),  # the referent: their account deletion ends the profile
    sa.Column("slug", sa.Text, unique=True),
    sa.Column("online", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("accepted_at", sa.DateTime(timezone=True)),
    sa.Column("suspension_at", sa.DateTime(timezone=True)),
    sa.Column("suspended", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("ended_at", sa.DateTime(timezone=True)),
    sa.Column("profile_at", sa.DateTime(timezone=True)),
    sa.Column("profile", JSONB),  # the received profile WITHOUT its routing data
    sa.Column("removed_members", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("public_json", sa.Text),
    sa.Column("item_json", sa.Text),
    sa.Column("name", sa.Text),
    sa.Column("sort_key", sa.Text),  # the name without accents or case: the results' alphabetical order
    sa.Column("structure_type", sa.Text),
    sa.Column("category", sa.Text),
    sa.Column("street", sa.Text),
    sa.Column("city", sa.Text),
    sa.Column("postal_code", sa.Text),
    sa.Column("department", sa.Text),
    sa.Column("region", sa.Text),
    sa.Column("domains", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("services", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("area_departments", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("area_regions", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("national", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("text_a", sa.Text, nullable=False, server_default=""),
    sa.Column("text_b", sa.Text, nullable=False, server_default=""),
    sa.Column("text_c", sa.Text, nullable=False, server_default=""),
    sa.Column("text_d", sa.Text, nullable=False, server_default=""),
    # `search` (tsvector) is a generated column created by the migration; never written.
    sa.Column("published_at", sa.DateTime(timezone=True)),
    sa.Column("changed_at", sa.DateTime(timezone=True)),
    # Order of changes, for the partner feed (sequence created by the migration before the table).
    sa.Column("feed_seq", sa.BigInteger, server_default=sa.text("nextval('directory_feed_seq')")),
)

# Views and search appearances per structure and day, added up in memory and flushed in batches.
daily_counters = sa.Table(
    "daily_counters", metadata,
    sa.Column("structure_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("views", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("appearances", sa.BigInteger, nullable=False, server_default="0"),
)

# One row per contact request a structure received, built from contact-relay's events whatever their
# order: each event fills its own columns (no personal data: ids and instants only).
contact_requests = sa.Table(
    "contact_requests", metadata,
    sa.Column("request_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("structure_id", UUID(as_uuid=True), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True)),
    sa.Column("ack_deadline", sa.DateTime(timezone=True)),
    sa.Column("acknowledged_at", sa.DateTime(timezone=True)),
    sa.Column("overdue_at", sa.DateTime(timezone=True)),
    sa.Column("redirected_at", sa.DateTime(timezone=True)),
)

# API keys of authorised organisations (A7): only a hash of the key is kept, never the key.
partner_keys = sa.Table(
    "partner_keys", metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("organisation", sa.Text, nullable=False),
    sa.Column("key_hash", sa.Text, nullable=False, unique=True),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

# Every partner call, kept for audit.
partner_calls = sa.Table(
    "partner_calls", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("key_id", UUID(as_uuid=True), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),
)

# One row, bumped in every transaction that changes what a search may find (committed in order, as
# it is row-locked): a search total cached with the generation it was counted at is exact while
# the generation has not moved.
search_generation = sa.Table(
    "search_generation", metadata,
    sa.Column("id", sa.SmallInteger, sa.CheckConstraint("id = 1"), primary_key=True),
    sa.Column("n", sa.BigInteger, nullable=False),
)

# Every acceptance seen (validation.dossier.accepted.v1), even when its publication failed: the 24 h
# guard reports those still not published, once (reported_at).
acceptances_seen = sa.Table(
    "acceptances_seen", metadata,
    sa.Column("structure_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reported_at", sa.DateTime(timezone=True)),
)
