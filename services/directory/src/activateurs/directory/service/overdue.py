"""The 24 h guard: structures accepted and still not published a day later are reported, once each."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from prometheus_client import Gauge

from activateurs.shared.contracts.directory import PublicationOverdue, PublicationOverdueData
from activateurs.shared.db import Database

from ..adapters.tables import acceptances_seen, structures

log = logging.getLogger(__name__)

OVERDUE = Gauge("directory_publications_overdue",
                "Structures accepted longer ago than the guard's delay and still not published")

a, s = acceptances_seen.c, structures.c
# Published for this acceptance: the acceptance was applied to the row, and the profile went online
# (or a suspension or an end known since explains why it is not).
_PUBLISHED = sa.and_(s.accepted_at.is_not(None), s.accepted_at >= a.accepted_at,
                     sa.or_(s.published_at.is_not(None), s.suspended, s.ended_at >= s.accepted_at))
_JOINED = acceptances_seen.outerjoin(structures, s.structure_id == a.structure_id)
BATCH = 500


def _overdue(cutoff: object) -> sa.ColumnElement[bool]:
    return sa.and_(a.accepted_at <= cutoff, sa.not_(sa.func.coalesce(_PUBLISHED, False)))


async def report_overdue(db: Database, delay: timedelta) -> int:
    """Report (log without personal data, event through the outbox) each newly overdue structure once;
    set the gauge to how many are overdue now. Returns how many were reported by this call."""
    now = db.clock.now()
    cutoff = now - delay
    reported = 0
    while True:
        async with db.uow() as uow:
            # SKIP LOCKED: two replicas running the guard at once never report the same structure.
            rows = (await uow.session.execute(
                sa.select(a.structure_id, a.accepted_at).select_from(_JOINED)
                .where(a.reported_at.is_(None), _overdue(cutoff))
                .order_by(a.accepted_at, a.structure_id).limit(BATCH)
                .with_for_update(of=acceptances_seen, skip_locked=True))).all()
            if not rows:
                break
            await uow.add_events([PublicationOverdue.new(
                PublicationOverdueData(structure_id=row.structure_id, accepted_at=row.accepted_at, detected_at=now),
                producer="directory", occurred_at=now) for row in rows])
            await uow.session.execute(sa.update(acceptances_seen).where(
                a.structure_id.in_([row.structure_id for row in rows])).values(reported_at=now))
            await uow.commit()
        for row in rows:
            log.error("structure %s accepted at %s is still not published", row.structure_id,
                      row.accepted_at.isoformat())
        reported += len(rows)
        if len(rows) < BATCH:
            break
    async with db.sessions() as session:
        OVERDUE.set((await session.execute(
            sa.select(sa.func.count()).select_from(_JOINED).where(_overdue(cutoff)))).scalar_one())
    return reported
