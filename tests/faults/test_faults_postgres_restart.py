"""PostgreSQL restarted mid-flow (stopped as by a crash, then recovered): nothing lost, nothing done twice."""

from __future__ import annotations

import asyncio

from tests.support.flows_faults import half_flowing, second_half_and_totals

STRUCTURES = 60
REQUESTS_PER_BATCH = 50
# Down for longer than the notifier's claim lease (flows_faults: 10 s): mails sent just before the
# outage wait to be recorded while their leases end, and must not be claimed and sent again.
DOWN_SECONDS = 12


async def test_postgres_restart_mid_flow_loses_nothing_and_doubles_nothing(stack, probe, private_postgres):
    # In flight when the server goes down: outbox rows, mails being sent and recorded, acceptances
    # being consumed (and more arriving while it is down: the broker holds them).
    flow = await half_flowing(stack, probe, STRUCTURES, REQUESTS_PER_BATCH)
    half = STRUCTURES // 2
    await flow.publish_accepted(range(half, half + half // 2), probe)
    await asyncio.to_thread(private_postgres.stop, "immediate")
    try:
        await flow.publish_accepted(range(half + half // 2, STRUCTURES), probe)
        await asyncio.sleep(DOWN_SECONDS)
    finally:
        await asyncio.to_thread(private_postgres.start)

    await stack.wait_ready()
    await second_half_and_totals(flow, REQUESTS_PER_BATCH)
