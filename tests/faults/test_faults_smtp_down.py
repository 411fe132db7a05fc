"""The SMTP server down for a minute mid-flow: every mail delivered once it is back, none twice."""

from __future__ import annotations

import asyncio

from tests.support.flows_faults import Flow
from tests.support.waiting import eventually

STRUCTURES = 30
REQUESTS_PER_BATCH = 30
DOWN_SECONDS = 60


async def test_smtp_down_for_a_minute_mid_flow_delays_mails_but_loses_or_doubles_none(stack, probe, smtp):
    await stack.start("directory", "contact-relay", "notifier")
    flow = Flow(stack, STRUCTURES)
    await flow.publish_accepted(range(STRUCTURES), probe)
    await flow.wait_routable(STRUCTURES)

    await flow.post_requests([i % STRUCTURES for i in range(REQUESTS_PER_BATCH)])
    await eventually(lambda: smtp.mails, what="the first mails")
    smtp.stop()  # connections refused on its port from now on
    try:
        # Stored and queued while no mail can go out.
        await flow.post_requests([i % STRUCTURES for i in range(REQUESTS_PER_BATCH)])
        await asyncio.sleep(DOWN_SECONDS)
    finally:
        smtp.start()  # the same port

    await flow.wait_all_done()
    await flow.assert_exactly_once()
