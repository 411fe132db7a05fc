"""Published structures with French full-text search (unaccent), daily counters.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from activateurs.directory.adapters.tables import daily_counters, structures

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    # A text search configuration (unlike the unaccent() function) is immutable, so the
    # tsvector can be a stored generated column and indexed: French stemming after unaccent.
    op.execute("""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'directory_fr') THEN
            CREATE TEXT SEARCH CONFIGURATION directory_fr (COPY = pg_catalog.french);
            ALTER TEXT SEARCH CONFIGURATION directory_fr
              ALTER MAPPING FOR hword, hword_part, word, asciihword, asciiword, hword_asciipart
              WITH unaccent, french_stem;
          END IF;
        END $$""")
    # The accent- and case-free form of a text, declared immutable (unaccent() is only stable
    # because its dictionary could change), for indexing names.
    op.execute("""
        CREATE OR REPLACE FUNCTION directory_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$""")
    op.execute("CREATE SEQUENCE directory_feed_seq")
    structures.create(op.get_bind())
    op.execute("""
        ALTER TABLE structures ADD COLUMN search tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('directory_fr'::regconfig, text_a), 'A') ||
            setweight(to_tsvector('directory_fr'::regconfig, text_b), 'B') ||
            setweight(to_tsvector('directory_fr'::regconfig, text_c), 'C') ||
            setweight(to_tsvector('directory_fr'::regconfig, text_d), 'D')) STORED""")
    # Keep the rows the searches scan narrow: the stored profile and JSON answers go out of line
    # (read for one page of results only); the tsvector and the filter arrays stay in line (read for
    # every candidate). The target is above what remains, so nothing small is pushed out.
    op.execute("ALTER TABLE structures SET (toast_tuple_target = 1024)")
    op.execute("ALTER TABLE structures ALTER COLUMN item_json SET STORAGE EXTERNAL, "
               "ALTER COLUMN profile SET STORAGE EXTERNAL, ALTER COLUMN search SET STORAGE MAIN, "
               "ALTER COLUMN domains SET STORAGE MAIN, ALTER COLUMN services SET STORAGE MAIN, "
               "ALTER COLUMN area_departments SET STORAGE MAIN, ALTER COLUMN area_regions SET STORAGE MAIN")
    op.execute("CREATE INDEX structures_search ON structures USING gin (search) WHERE online")
    op.execute("CREATE INDEX structures_department ON structures (department) WHERE online")
    op.execute("CREATE INDEX structures_region ON structures (region) WHERE online")
    op.execute("CREATE INDEX structures_area ON structures USING gin (area_departments) WHERE online")
    op.execute("CREATE INDEX structures_area_regions ON structures USING gin (area_regions) WHERE online")
    op.execute("CREATE INDEX structures_domains ON structures USING gin (domains) WHERE online")
    op.execute("CREATE INDEX structures_national ON structures (structure_id) WHERE online AND national")
    op.execute("CREATE INDEX structures_order ON structures (sort_key, structure_id) WHERE online")
    op.execute("CREATE INDEX structures_account ON structures (account_id)")
    op.execute("CREATE INDEX structures_feed ON structures (feed_seq)")
    daily_counters.create(op.get_bind())


def downgrade() -> None:
    daily_counters.drop(op.get_bind())
    structures.drop(op.get_bind())
    op.execute("DROP SEQUENCE IF EXISTS directory_feed_seq")
    op.execute("DROP FUNCTION IF EXISTS directory_unaccent(text)")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS directory_fr")
