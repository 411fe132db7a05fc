"""End to end: the real `activateurs-registration serve` process, run 731 days ahead with CLOCK_OFFSET_SECONDS and
a short sweep interval, lapses an accepted structure within seconds and publishes it on the broker."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from activateurs.shared.contracts.registration import AccountDeleted, StructureCancelled
from tests.support.processes import ServiceProcess
from tests.support.smtp import free_port
from tests.support.waiting import eventually, stays

from ..conftest import accept, submitted_structure


async def test_a_process_run_past_the_end_lapses_the_engagement(start_registration, databases, vhost, amqp, tmp_path):
    url = await databases.fresh("registration")
    registration = await start_registration(database_url=url)  # sets the structure up, on the wall clock
    email, headers, dossier_id, account_id = await submitted_structure(registration)
    structure_id = await accept(registration, amqp, dossier_id, account_id, expires_in=timedelta(days=730))
    cancelled = await amqp.listen(StructureCancelled.routing_key)
    deleted = await amqp.listen(AccountDeleted.routing_key)

    process = ServiceProcess("registration", port=free_port(), log_dir=tmp_path, env={
        "DATABASE_URL": url, "RABBITMQ_URL": vhost, "ENVIRONMENT": "test", "LOG_LEVEL": "INFO",
        "CLOCK_OFFSET_SECONDS": str(timedelta(days=731).total_seconds()),
        "REGISTRATION_DEADLINE_SWEEP_SECONDS": "0.5", "OUTBOX_POLL_INTERVAL": "0.2"})
    process.start()
    try:
        await asyncio.to_thread(process.wait_ready)
        [message] = await eventually(lambda: cancelled, timeout=60, what="registration.structure.cancelled.v1")
        assert message.body["data"] == {"structure_id": str(structure_id), "reason": "engagement_lapsed"}
        [gone] = await eventually(lambda: deleted, timeout=30, what="registration.account.deleted.v1")
        assert gone.body["data"] == {"account_id": str(account_id), "structure_id": str(structure_id)}
        await stays(lambda: len(cancelled) == 1, seconds=2, what="one cancellation")  # not one per sweep
        assert (await registration.login(email)).status_code == 401
    finally:
        process.stop()
