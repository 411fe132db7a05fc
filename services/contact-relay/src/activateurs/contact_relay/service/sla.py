"""The DGE's SLA report: per structure, requests received, acknowledged in time, overdue, median time to acknowledge."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from activateurs.shared.db import Database

from ..adapters.tables import contact_requests, structures


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
