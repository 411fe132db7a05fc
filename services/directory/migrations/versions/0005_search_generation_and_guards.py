"""Search generation (exact cached totals), acceptances watched for the 24 h guard, call-log retention index.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from activateurs.directory.adapters.tables import acceptances_seen, search_generation

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    search_generation.create(op.get_bind())
    op.execute("INSERT INTO search_generation (id, n) VALUES (1, 0)")
    acceptances_seen.create(op.get_bind())
    op.execute("CREATE INDEX acceptances_seen_pending ON acceptances_seen (accepted_at) WHERE reported_at IS NULL")
    op.execute("CREATE INDEX partner_calls_at ON partner_calls (at)")
    # Page-first search: each part of a tier read in the results' order from its own index, with the
    # filtered columns included so that a search without free text reads no table row to choose its
    # page (the text vector is not included: a long profile's would exceed a B-tree entry's size).
    op.execute("CREATE INDEX structures_place_cover ON structures (region, department, sort_key, structure_id) "
               "INCLUDE (area_departments, domains, services, structure_type) WHERE online")
    op.execute("CREATE INDEX structures_national_cover ON structures (sort_key, structure_id) "
               "INCLUDE (region, area_regions, domains, services, structure_type) WHERE online AND national")
    # Superseded by the covering indexes (fewer indexes to update at each publication).
    op.execute("DROP INDEX structures_department")
    op.execute("DROP INDEX structures_region")
    op.execute("DROP INDEX structures_national")

def downgrade() -> None:
    op.execute("CREATE INDEX structures_national ON structures (structure_id) WHERE online AND national")
    op.execute("CREATE INDEX structures_region ON structures (region) WHERE online")
    op.execute("CREATE INDEX structures_department ON structures (department) WHERE online")
    op.execute("DROP INDEX structures_national_cover")
    op.execute("DROP INDEX structures_place_cover")
    op.execute("DROP INDEX partner_calls_at")
    acceptances_seen.drop(op.get_bind())
    search_generation.drop(op.get_bind())
