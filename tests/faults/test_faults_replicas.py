"""Two replicas of every service consuming, relaying and sending at once: each thing done exactly once."""

from __future__ import annotations

from tests.support.flows_faults import Flow

STRUCTURES = 80
REQUESTS = 120


async def test_two_replicas_of_each_service_do_everything_exactly_once(stack, probe):
    await stack.start("directory", "contact-relay", "notifier", replicas=2)
    flow = Flow(stack, STRUCTURES)
    await flow.publish_accepted(range(STRUCTURES), probe)
    await flow.wait_routable(STRUCTURES)
    first, second = stack.processes["contact-relay"]
    # Both intakes write at once; both relays, both notifiers' consumers and senders share the work.
    await flow.post_requests([i % STRUCTURES for i in range(0, REQUESTS, 2)], url=first.url)
    await flow.post_requests([i % STRUCTURES for i in range(1, REQUESTS, 2)], url=second.url)
    await flow.wait_all_done()
    await flow.assert_exactly_once()
