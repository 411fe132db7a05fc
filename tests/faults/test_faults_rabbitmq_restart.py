"""RabbitMQ (the whole node) restarted mid-flow: every accepted dossier published once, every request forwarded
and confirmed once."""

from __future__ import annotations

import asyncio

from tests.support.flows_faults import half_flowing, second_half_and_totals

STRUCTURES = 60
REQUESTS_PER_BATCH = 40


async def test_rabbitmq_restart_mid_flow_loses_nothing_and_doubles_nothing(stack, probe, private_rabbit):
    # In flight when the node stops: requests' outbox rows and mails, the second half's acceptances.
    flow = await half_flowing(stack, probe, STRUCTURES, REQUESTS_PER_BATCH)
    half = STRUCTURES // 2
    await flow.publish_accepted(range(half, STRUCTURES), probe)
    await asyncio.to_thread(private_rabbit.stop)
    try:
        # Accepted while the broker is down: stored, their events wait in the outbox.
        await flow.post_requests([i % half for i in range(REQUESTS_PER_BATCH)])
        await asyncio.sleep(2)
    finally:
        await asyncio.to_thread(private_rabbit.start)

    await stack.wait_ready()
    await second_half_and_totals(flow, REQUESTS_PER_BATCH)
