"""Duplicated and out-of-order deliveries: every event twice, older states after newer ones, the services'
own events replayed; each structure published once with its latest profile, each request forwarded and
confirmed once."""

from __future__ import annotations

from datetime import timedelta

from activateurs.shared.contracts.contact_relay import RequestForwarded
from activateurs.shared.contracts.directory import StructurePublished
from activateurs.shared.contracts.notifier import EmailRequested
from tests.support.flows_faults import T0, Flow, accepted, declare_tap, drain, profile
from tests.support.waiting import eventually

STRUCTURES = 40
REQUESTS = 80
REPLAY = "faults.replay"


async def test_duplicated_and_out_of_order_deliveries_change_nothing(stack, probe, private_rabbit, faults_vhost):
    await declare_tap(faults_vhost, REPLAY,
                      (EmailRequested.routing_key, StructurePublished.routing_key, RequestForwarded.routing_key))
    await stack.start("directory", "contact-relay", "notifier")
    flow = Flow(stack, STRUCTURES)
    newest = [flow.accepted_event(i) for i in range(STRUCTURES)]
    # Older facts about the same structures (another name, another contact address), delivered last.
    older = [accepted(flow.ids[i], profile(flow.token, i, name=f"Ancien nom {flow.token} {i}",
                                           contact=f"ancien{i}@ancien.example.fr"), T0 - timedelta(days=1))
             for i in range(STRUCTURES)]
    for event in newest:
        await probe.publish_event(event)
        await probe.publish_event(event)  # the same event (same id) twice
    for event in reversed(newest):
        await probe.publish_event(event)  # and again, in reverse order
    for event in older:
        await probe.publish_event(event)

    await flow.wait_routable(STRUCTURES)
    await flow.post_requests([i % STRUCTURES for i in range(REQUESTS)])
    await flow.wait_all_done()

    # Every event the services published, delivered again twice, newest first.
    replayed = await drain(faults_vhost, REPLAY)
    assert len(replayed) >= STRUCTURES + REQUESTS * 3  # published, forwarded, two mails per request
    for message in [*reversed(replayed), *reversed(replayed)]:
        assert message.message_id and message.routing_key
        await probe.publish_raw(message.routing_key, message.body, message_id=message.message_id)

    consuming = ("notifier.email-requests", "contact-relay.routing", "directory.contact-statistics")

    def consumed() -> bool:
        depths = private_rabbit.queue_messages(faults_vhost.rsplit("/", 1)[1])
        return all(depths.get(name, 0) == 0 for name in consuming)

    await eventually(consumed, timeout=120, interval=0.5, what="the replayed events consumed")
    await flow.wait_all_done()
    await flow.assert_exactly_once()
    names = {item["structure_id"]: item["name"] for item in await flow.search_items()}
    assert names == {str(flow.ids[i]): f"Activateur {flow.token} {i}" for i in range(STRUCTURES)}
