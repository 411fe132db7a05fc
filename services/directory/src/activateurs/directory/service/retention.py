"""Partner call log retention: calls older than the configured number of months are deleted."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from activateurs.shared.db import Database

from ..adapters.tables import partner_calls
from ..domain.retention import months_before

log = logging.getLogger(__name__)

CHUNK = 5000  # rows per transaction: a large backlog never holds locks or bloats one transaction


async def purge_partner_calls(db: Database, months: int) -> int:
    """Delete the calls logged before `months` months ago (by the service's clock); how many were."""
    cutoff = months_before(db.clock.now(), months)
    old = sa.select(partner_calls.c.id).where(partner_calls.c.at < cutoff).limit(CHUNK).scalar_subquery()
    deleted = 0
    while True:
        async with db.uow() as uow:
            result = await uow.session.execute(sa.delete(partner_calls).where(partner_calls.c.id.in_(old)))
            await uow.commit()
        deleted += result.rowcount
        if result.rowcount < CHUNK:
            break
    if deleted:
        log.info("partner call log: %d calls older than %d months deleted", deleted, months)
    return deleted
