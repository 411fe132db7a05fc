"""The DGE's statistics (a regional directorate's, limited to its region): queue, decisions, instruction time, SLA."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from activateurs.shared.contracts.contact_relay import RequestOverdue
from activateurs.shared.messaging.inbox import first_delivery

from ..adapters.tables import cases, history, overdue_acknowledgements
from ..domain.statistics import instruction_time, median_days
from .common import Context

OVERDUE_CONSUMER = "validation.contact-overdue"


async def record_overdue(ctx: Context, event: RequestOverdue) -> None:
    async with ctx.db.uow() as uow:
        if not await first_delivery(uow.session, OVERDUE_CONSUMER, event, ctx.db.clock.now()):
            return
        await uow.session.execute(insert(overdue_acknowledgements).values(
            request_id=event.data.request_id, structure_id=event.data.structure_id, at=event.data.at)
            .on_conflict_do_nothing())
        await uow.commit()


async def statistics(ctx: Context, *, since: datetime, until: datetime, region: str | None) -> dict[str, Any]:
    """Decisions and overdue acknowledgements in [since, until); the queue as it is now."""
    in_region = [cases.c.region == region] if region else []
    async with ctx.db.sessions() as session:
        waiting = dict((await session.execute(
            sa.select(cases.c.status, sa.func.count()).where(
                cases.c.status.in_(["to_review", "awaiting_applicant"]), *in_region).group_by(cases.c.status))).all())
        decisions = (await session.execute(
            sa.select(history.c.dossier_id, history.c.at, history.c.to_status)
            .join(cases, cases.c.dossier_id == history.c.dossier_id)
            .where(history.c.to_status.in_(["accepted", "refused", "expired"]), history.c.at >= since,
                   history.c.at < until, *in_region))).all()
        decided_ids = {row.dossier_id for row in decisions if row.to_status != "expired"}
        steps: dict[Any, list[tuple[datetime, str | None]]] = defaultdict(list)
        if decided_ids:
            for row in await session.execute(
                    sa.select(history.c.dossier_id, history.c.at, history.c.to_status)
                    .where(history.c.dossier_id.in_(decided_ids)).order_by(history.c.id)):
                steps[row.dossier_id].append((row.at, row.to_status))
        overdue = (await session.execute(
            sa.select(overdue_acknowledgements.c.structure_id, cases.c.structure_name, sa.func.count())
            .join(cases, cases.c.structure_id == overdue_acknowledgements.c.structure_id, isouter=not region)
            .where(overdue_acknowledgements.c.at >= since, overdue_acknowledgements.c.at < until, *in_region)
            .group_by(overdue_acknowledgements.c.structure_id, cases.c.structure_name)
            .order_by(sa.func.count().desc()))).all()
    per_month: dict[str, dict[str, int]] = defaultdict(lambda: {"accepted": 0, "refused": 0, "expired": 0})
    for row in decisions:
        per_month[row.at.strftime("%Y-%m")][row.to_status] += 1
    times = [t for t in (instruction_time(s) for s in steps.values()) if t is not None]
    return {
        "since": since, "until": until, "region": region,
        "waiting": {"to_review": waiting.get("to_review", 0), "awaiting_applicant": waiting.get("awaiting_applicant", 0)},
        "decisions_per_month": [{"month": month, **counts} for month, counts in sorted(per_month.items())],
        "median_instruction_days": median_days(times),
        "overdue_acknowledgements": [{"structure_id": r.structure_id, "structure_name": r.structure_name,
                                      "overdue": r[2]} for r in overdue],
    }
