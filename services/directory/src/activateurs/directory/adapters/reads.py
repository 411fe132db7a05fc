"""The public hot paths (search, profile page, exports) read through a plain asyncpg pool.

They return the pre-rendered JSON stored at publication, so a read is one indexed query and no
ORM or re-serialisation; statements are prepared once per connection (asyncpg's cache).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy.engine import make_url

from ..domain.search import JOIN_VARIANTS, Location


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
                                                                "client_min_messages": "warning"})
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

def search_statement(criteria: Criteria) -> tuple[str, list[Any], str, list[Any]]:
    """SQL and arguments for one page (nearest first, then relevance, then name: a total order), and for the count."""
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    where = ["s.online"]
    order: list[str] = []
    source = "structures s"
    if criteria.text:
        q = arg(criteria.text)
        ors = " || ".join(f"plainto_tsquery('directory_fr', {arg(v)})" for v in criteria.variants[:JOIN_VARIANTS])
        source = f"structures s, (SELECT websearch_to_tsquery('directory_fr', {q}) || {ors} AS tsq) query"
        where.append("s.search @@ query.tsq")
    location = criteria.location
    if location is not None:
        region = arg(location.region)
        in_region = f"(s.region = {region} OR s.area_regions @> ARRAY[{region}]::text[])"
        # A department lies in its region (and an area covering it covers the region): the region
        # condition selects them all, each branch usable by an index (bitmap OR).
        where.append(f"({in_region} OR s.national)")
    if criteria.domains:
        where.append(f"s.domains && {arg(criteria.domains)}::text[]")
    if criteria.services:
        where.append(f"s.services && {arg(criteria.services)}::text[]")
    if criteria.structure_types:
        where.append(f"s.structure_type = ANY({arg(criteria.structure_types)}::text[])")
    count_args = list(args)
    if location is not None:
        if location.department is not None:
            dep = arg(location.department)  # used by the order only: last, so the count can leave it out
            near = f"(s.department = {dep} OR s.area_departments @> ARRAY[{dep}]::text[])"
            order.append(f"CASE WHEN {near} THEN 0 WHEN {in_region} THEN 1 ELSE 2 END")
        else:
            order.append(f"CASE WHEN {in_region} THEN 0 ELSE 2 END")
    if criteria.text:
        order.append("ts_rank_cd(s.search, query.tsq) DESC")
    order += ["s.sort_key", "s.structure_id"]
    condition = " AND ".join(where)
    # The page is chosen on the narrow columns; the stored JSON of its rows only is fetched afterwards
    # (carrying it through the sort of every candidate costs more than the search itself).
    # Text or place: every candidate is ranked anyway, so the same scan counts them (window count).
    # Otherwise the name index gives the page without a scan, and the total is counted apart (cached).
    total = "count(*) OVER ()" if criteria.text or location is not None else "NULL::bigint"
    ids = (f"SELECT s.structure_id, {total} AS total FROM {source} WHERE {condition} "
           f"ORDER BY {', '.join(order)} LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}")
    page = (f"SELECT p.structure_id, p.total, r.item_json FROM (SELECT i.structure_id, i.total, "
            f"row_number() OVER () AS n FROM ({ids}) i) p JOIN structures r ON r.structure_id = p.structure_id "
            "ORDER BY p.n")
    return page, args, f"SELECT count(*) FROM {source} WHERE {condition}", count_args


class CountCache:
    """Totals of recent searches, reused for a moment: the same criteria paged through, or asked by many
    clients, are counted once per `ttl` seconds instead of on every request (totals may lag by that much)."""

    def __init__(self, ttl: float = 2.0, size: int = 10_000) -> None:
        self._ttl = ttl
        self._size = size
        self._entries: dict[tuple[Any, ...], tuple[float, int]] = {}

    async def count(self, conn: asyncpg.Connection, sql: str, args: list[Any]) -> int:
        key = (sql, *(tuple(a) if isinstance(a, list) else a for a in args))
        now = time.monotonic()
        found = self._entries.get(key)
        if found is not None and now - found[0] < self._ttl:
            return found[1]
        total = int(await conn.fetchval(sql, *args))
        if len(self._entries) >= self._size:
            self._entries.clear()
        self._entries[key] = (now, total)
        return total


async def search(pool: asyncpg.Pool, counts: CountCache, criteria: Criteria, *, limit: int,
                 offset: int) -> tuple[list[asyncpg.Record], int]:
    """The page's rows and the total number of results."""
    page_sql, args, count_sql, count_args = search_statement(criteria)
    async with pool.acquire() as conn:
        rows = await conn.fetch(page_sql, *args, limit, offset)
        if rows and rows[0]["total"] is not None:
            return rows, int(rows[0]["total"])
        if len(rows) < limit and (rows or offset == 0):
            return rows, offset + len(rows)  # this is the last page: the total is known
        return rows, await counts.count(conn, count_sql, count_args)


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
