"""The public hot paths (search, profile page, exports) read through a plain asyncpg pool.

They return the pre-rendered JSON stored at publication, so a read is one indexed query and no
ORM or re-serialisation; statements are prepared once per connection (asyncpg's cache).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy.engine import make_url

from ..domain.search import JOIN_VARIANTS, Location
from .search_cache import Page, PageCache


class ReadPool:
    def __init__(self, database_url: str, *, size: int) -> None:
        url = make_url(database_url)
        self._connect = {"host": url.host or "127.0.0.1", "port": url.port or 5432, "user": url.username or "postgres",
                         "password": url.password, "database": url.database}
        self._size = size
        self._pool: asyncpg.Pool | None = None
        self._ready = asyncio.Event()

    async def run(self) -> None:
        """A background loop: opens the pool, keeps it while the service runs, closes it at stop."""
        # Custom plans always: a generic plan of a prepared search knows neither the words nor the
        # place, and picks scans that are many times slower for selective criteria.
        self._pool = await asyncpg.create_pool(min_size=1, max_size=self._size, **self._connect,
                                               server_settings={"plan_cache_mode": "force_custom_plan",
                                                                # blank query variants would send a NOTICE each
                                                                "client_min_messages": "warning",
                                                                # a search's tiers are read in order, one
                                                                # after the other (no parallel append);
                                                                # short queries gain nothing from JIT
                                                                "max_parallel_workers_per_gather": "0",
                                                                "jit": "off"})
        self._ready.set()
        try:
            await asyncio.Event().wait()
        finally:
            self._ready.clear()
            pool, self._pool = self._pool, None
            await pool.close()

    async def pool(self) -> asyncpg.Pool:
        if self._pool is not None:
            return self._pool
        async with asyncio.timeout(10):
            await self._ready.wait()
        assert self._pool is not None
        return self._pool


@dataclass(frozen=True)
class Criteria:
    text: str | None
    variants: list[str]
    location: Location | None
    domains: list[str]
    services: list[str]
    structure_types: list[str]

@dataclass(frozen=True)
class Statements:
    """One search: the page (page-first, tier by tier) and the total (counted apart, cached)."""

    page: str
    args: list[Any]
    count: str
    count_args: list[Any]


Tier = list[list[str]]  # a tier: disjoint parts, each a list of conditions one index serves


def _tiers(criteria: Criteria, arg: Any) -> tuple[list[Tier], list[list[str]]]:
    """The nearness tiers, disjoint and in the results' order, and the disjoint parts the count adds up.

    Department given: located in or covering it (0), then located in or covering its region (1),
    then national coverage (2). Region only: located in or covering it, then national. No place:
    everything. Each part leads with the condition its index serves: the place's covering index
    (region, department, name; with the filtered columns, so a search without free text reads no
    table row), the intervention-area GIN indexes, the national covering index. A profile's department
    lies in its region, and an area covering a department covers its region. The department's
    argument comes last, so the count (which covers every tier) can leave it out.
    """
    location = criteria.location
    if location is None:
        return [[["TRUE"]]], [["TRUE"]]
    region = arg(location.region)
    covers_region = f"s.area_regions @> ARRAY[{region}]::text[]"
    located_in_region = [f"s.region = {region}"]
    covering_region = [covers_region, f"s.region IS DISTINCT FROM {region}"]
    national = ["s.national", f"s.region IS DISTINCT FROM {region}", f"NOT {covers_region}"]
    parts = [located_in_region, covering_region, national]
    if location.department is None:
        return [[located_in_region, covering_region], [national]], parts
    dep = arg(location.department)
    covers_dep = f"s.area_departments @> ARRAY[{dep}]::text[]"
    near = [[f"s.region = {region}", f"s.department = {dep}"], [covers_dep, f"s.department IS DISTINCT FROM {dep}"]]
    in_region = [[f"s.region = {region}", f"s.department IS DISTINCT FROM {dep}", f"NOT {covers_dep}"],
                 [*covering_region, f"NOT {covers_dep}"]]
    return [near, in_region, [national]], parts


def search_statements(criteria: Criteria) -> Statements:
    """SQL and arguments for one page (nearest first, then relevance, then name: a total order), and for the count.

    Page-first: the tiers are the branches of a UNION ALL under one LIMIT, each branch ordered and
    limited on its own; the executor reads the branches in turn and stops as soon as the page is
    full, so a page the business's department fills never looks at its region or the nation.
    """
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    filters: list[str] = []
    source = "structures s"
    rank = ""
    if criteria.text:
        q = arg(criteria.text)
        ors = " || ".join(f"plainto_tsquery('directory_fr', {arg(v)})" for v in criteria.variants[:JOIN_VARIANTS])
        source = f"structures s, (SELECT websearch_to_tsquery('directory_fr', {q}) || {ors} AS tsq) query"
        filters.append("s.search @@ query.tsq")
        rank = "ts_rank_cd(s.search, query.tsq)"
    if criteria.domains:
        filters.append(f"s.domains && {arg(criteria.domains)}::text[]")
    if criteria.services:
        filters.append(f"s.services && {arg(criteria.services)}::text[]")
    if criteria.structure_types:
        filters.append(f"s.structure_type = ANY({arg(criteria.structure_types)}::text[])")
    count_args = list(args)
    tiers, parts = _tiers(criteria, arg)
    if criteria.location is not None:
        count_args.append(args[len(count_args)])  # the region
    limit, offset = f"${len(args) + 1}", f"${len(args) + 2}"
    wanted = f"{limit}::bigint + {offset}::bigint"
    order = f"{rank + ' DESC, ' if rank else ''}s.sort_key, s.structure_id"

    def where(conditions: list[str]) -> str:
        return " AND ".join(["s.online", *conditions, *filters])

    def branch(tier: Tier) -> str:
        if len(tier) == 1:
            return f"(SELECT s.structure_id FROM {source} WHERE {where(tier[0])} ORDER BY {order} LIMIT {wanted})"
        # Parts of one tier, each read in order from its own index, merged in the same order.
        columns = f"s.structure_id, s.sort_key{', ' + rank + ' AS rank' if rank else ''}"
        merged = " UNION ALL ".join(f"(SELECT {columns} FROM {source} WHERE {where(part)} ORDER BY {order} "
                                    f"LIMIT {wanted})" for part in tier)
        return (f"(SELECT m.structure_id FROM ({merged}) m ORDER BY {'m.rank DESC, ' if rank else ''}m.sort_key, "
                f"m.structure_id LIMIT {wanted})")

    # The page is chosen on the narrow columns; the stored JSON of its rows only is fetched afterwards.
    # The generation is read in the same statement (same snapshot): the key of an exact cached total.
    page = (f"SELECT g.n AS generation, p.structure_id, r.item_json FROM search_generation g "
            f"LEFT JOIN LATERAL (SELECT i.structure_id, row_number() OVER () AS n FROM ("
            f"SELECT * FROM ({' UNION ALL '.join(branch(tier) for tier in tiers)}) u LIMIT {limit} OFFSET {offset}) i"
            ") p ON TRUE LEFT JOIN structures r ON r.structure_id = p.structure_id ORDER BY p.n")
    # Counted up to a cap (its argument last; past it, a total costs a scan of every match): the disjoint
    # parts are read one after the other, and the reading stops at the cap.
    matches = " UNION ALL ".join(f"(SELECT 1 FROM {source} WHERE {where(part)})" for part in parts)
    count = (f"SELECT (SELECT n FROM search_generation), (SELECT count(*) FROM ({matches} "
             f"LIMIT ${len(count_args) + 1}) c)")
    return Statements(page, args, count, count_args)


class CountCache:
    """Search totals by criteria and search generation.

    A total is counted in one snapshot together with the generation (a counter bumped by every
    publication change, committed in order), and reused while a page is read at that same
    generation: exact, without counting again. Bounded in size; cleared when full.
    """

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._entries: dict[tuple[Any, ...], tuple[int, int]] = {}

    async def count(self, conn: asyncpg.Connection, sql: str, args: list[Any], generation: int) -> int:
        """The number of results, counted up to the statement's cap (its last argument)."""
        key = (sql, *(tuple(a) if isinstance(a, list) else a for a in args))
        found = self._entries.get(key)
        if found is not None and found[0] == generation:
            return found[1]
        counted_at, total = await conn.fetchrow(sql, *args)
        if len(self._entries) >= self._size:
            self._entries.clear()
        self._entries[key] = (counted_at, total)
        return int(total)


_GENERATION = "SELECT n FROM search_generation"


async def search(pool: asyncpg.Pool, counts: CountCache, pages: PageCache, criteria: Criteria, *, limit: int,
                 offset: int, count_cap: int) -> Page:
    """One page of results and the total number of results (exact up to `count_cap`; past it, `count_cap`
    and flagged as capped): from the cache if nothing changed since."""
    statements = search_statements(criteria)
    key = (statements.page, *(tuple(a) if isinstance(a, list) else a for a in statements.args), limit, offset)
    async with pool.acquire() as conn:
        page = pages.get(key, await conn.fetchval(_GENERATION))
        if page is not None:
            return page
        found = await conn.fetch(statements.page, *statements.args, limit, offset)
        generation = found[0]["generation"]
        rows = [row for row in found if row["structure_id"] is not None]
        if len(rows) < limit and (rows or offset == 0):
            total, capped = offset + len(rows), False  # this is the last page: the total is known
        else:
            total = await counts.count(conn, statements.count, [*statements.count_args, count_cap + 1], generation)
            total, capped = min(total, count_cap), total > count_cap
    page = Page([row["structure_id"] for row in rows], ",".join(row["item_json"] for row in rows), total, capped)
    pages.put(key, generation, page)
    return page


_PROFILE = "SELECT structure_id, public_json FROM structures WHERE slug = $1 AND online"


async def profile(pool: asyncpg.Pool, slug: str) -> tuple[UUID, str] | None:
    async with pool.acquire() as conn:
        row = await conn.fetchrow(_PROFILE, slug)
    return (row["structure_id"], row["public_json"]) if row else None


_OPEN_DATA = ("SELECT structure_id, name, structure_type, category, street, postal_code, city, region, slug "
              "FROM structures WHERE online ORDER BY structure_id")


async def open_data_rows(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Record]:
    """Every online profile's open-data columns, streamed with a server-side cursor."""
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        async for row in conn.cursor(_OPEN_DATA, prefetch=500):
            yield row
