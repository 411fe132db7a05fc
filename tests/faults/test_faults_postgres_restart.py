"""PostgreSQL restarted mid-flow (stopped as by a crash, then recovered): nothing lost, nothing done twice."""

from __future__ import annotations

import asyncio

from tests.support.flows_faults import Flow

STRUCTURES = 60
REQUESTS_PER_BATCH = 50


async def test_postgres_restart_mid_flow_loses_nothing_and_doubles_nothing(stack, probe, private_postgres):
    await stack.start("directory", "contact-relay", "notifier")
    flow = Flow(stack, STRUCTURES)
    half = STRUCTURES // 2
    await flow.publish_accepted(range(half), probe)
    await flow.wait_routable(half)

    # In flight when the server goes down: outbox rows, mails being sent and recorded, acceptances
    # being consumed (and more arriving while it is down: the broker holds them).
    await flow.post_requests([i % half for i in range(REQUESTS_PER_BATCH)])
    await flow.publish_accepted(range(half, half + half // 2), probe)
    await asyncio.to_thread(private_postgres.stop, "immediate")
    try:
        await flow.publish_accepted(range(half + half // 2, STRUCTURES), probe)
        await asyncio.sleep(3)
    finally:
        await asyncio.to_thread(private_postgres.start)

    await stack.wait_ready()
    await flow.wait_routable(STRUCTURES)
    await flow.post_requests([half + i % half for i in range(REQUESTS_PER_BATCH)])
    await flow.wait_all_done()
    await flow.assert_exactly_once()
