"""The DGE's SLA report: per structure, requests received, acknowledged in time, overdue, median time to acknowledge."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from activateurs.shared.db import Database

from ..adapters.tables import contact_requests, structures

DEFAULT_DAYS = 30
LONGEST_DAYS = 3660  # ten years: a longer report is a mistake, and a slow one


class InvalidPeriod(ValueError):
    """The report's days are in the wrong order, or too many."""


def period(today: date, first: date | None, last: date | None) -> tuple[date, date]:
    """The report's days, both included: by default the 30 days up to today."""
    last = last or today
    first = first or last - timedelta(days=DEFAULT_DAYS)
    if first > last:
        raise InvalidPeriod("`from` must not be after `to`")
    if (last - first).days > LONGEST_DAYS:
        raise InvalidPeriod("at most ten years per report")
    return first, last


async def report(db: Database, first: date | None, last: date | None,
                 region: str | None) -> tuple[date, date, list[dict]]:
    """The report's days (UTC) and its lines; `region` limits it to a regional directorate's structures."""
    first, last = period(db.clock.now().astimezone(UTC).date(), first, last)
    lines = await sla_report(db, datetime.combine(first, time(), UTC),
                             datetime.combine(last + timedelta(days=1), time(), UTC), region)
    return first, last, lines


async def sla_report(db: Database, since: datetime, until: datetime, region: str | None = None) -> list[dict]:
    """Requests received in [since, until), grouped by the structure they were addressed to (each hop counts)."""
    request = contact_requests.c  # a request's columns: `request.acknowledged_at`
    statement = (
        sa.select(
            request.structure_id, structures.c.name, structures.c.slug, structures.c.department, structures.c.region,
            sa.func.count().label("received"),
            sa.func.count().filter(request.acknowledged_at <= request.ack_deadline).label("acknowledged_in_time"),
            sa.func.count().filter(request.acknowledged_at > request.ack_deadline).label("acknowledged_late"),
            sa.func.count().filter(request.overdue_at.is_not(None)).label("overdue"),
            sa.func.count().filter(request.status == "redirected").label("redirected"),
            sa.func.percentile_cont(0.5).within_group(
                sa.extract("epoch", request.acknowledged_at - request.received_at)).label("median_ack_seconds"),
        )
        .select_from(contact_requests.outerjoin(structures, structures.c.structure_id == request.structure_id))
        .where(request.received_at >= since, request.received_at < until)
        .group_by(request.structure_id, structures.c.name, structures.c.slug, structures.c.department,
                  structures.c.region)
        .order_by(structures.c.name, request.structure_id)
    )
    if region is not None:
        statement = statement.where(structures.c.region == region)
    async with db.sessions() as session:
        return [dict(row._mapping) for row in await session.execute(statement)]
