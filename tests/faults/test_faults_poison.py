"""Poison messages amid the flow: each dead-lettered into `<queue>.dead-letter` at once, the rest flows on."""

from __future__ import annotations

import json
import uuid

from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.contracts.validation import DossierAccepted
from tests.support.flows_faults import Flow, drain
from tests.support.waiting import eventually

STRUCTURES = 40
REQUESTS_PER_BATCH = 40


def _poisons() -> dict[str, tuple[str, bytes]]:
    """message id -> (routing key, body): not JSON, and JSON that is not the event it claims to be."""
    accepted_id, broken_id, request_id = (str(uuid.uuid4()) for _ in range(3))
    return {
        accepted_id: (DossierAccepted.routing_key, b"\x00{not json at all"),
        broken_id: (DossierAccepted.routing_key, json.dumps({
            "event_id": broken_id, "event_type": DossierAccepted.routing_key, "occurred_at": "2026-03-02T09:00:00Z",
            "producer": "validation", "data": {"structure_id": "not-a-uuid"}}).encode()),
        request_id: (EmailRequested.routing_key, json.dumps({
            "event_id": request_id, "event_type": EmailRequested.routing_key, "occurred_at": "2026-03-02T09:00:00Z",
            "producer": "registration", "data": {"template": "no_such_template", "to": "x"}}).encode()),
    }


async def test_poison_messages_are_dead_lettered_and_the_rest_flows_on(stack, probe, faults_vhost):
    await stack.start("directory", "contact-relay", "notifier")
    flow = Flow(stack, STRUCTURES)
    poisons = _poisons()
    accepted_poisons = {mid for mid, (key, _) in poisons.items() if key == DossierAccepted.routing_key}
    half = STRUCTURES // 2

    await flow.publish_accepted(range(half // 2), probe)
    for message_id, (key, body) in poisons.items():
        await probe.publish_raw(key, body, message_id=message_id)
    await flow.publish_accepted(range(half // 2, STRUCTURES), probe)
    await flow.wait_routable(STRUCTURES)
    await flow.post_requests([i % STRUCTURES for i in range(REQUESTS_PER_BATCH)])
    await flow.post_requests([i % STRUCTURES for i in range(REQUESTS_PER_BATCH)])
    await flow.wait_all_done()
    await flow.assert_exactly_once()

    expected = {
        "directory.publication.dead-letter": accepted_poisons,
        "contact-relay.routing.dead-letter": accepted_poisons,
        "notifier.email-requests.dead-letter": set(poisons) - accepted_poisons,
    }
    dead: dict[str, list[str | None]] = {name: [] for name in expected}

    async def all_dead_lettered() -> bool:
        for name in expected:
            dead[name] += [message.message_id for message in await drain(faults_vhost, name)]
        return all(len(dead[name]) >= len(ids) for name, ids in expected.items())

    await eventually(all_dead_lettered, timeout=60, interval=0.5, what="the poison messages dead-lettered")
    assert {name: sorted(ids) for name, ids in dead.items()} == \
        {name: sorted(ids) for name, ids in expected.items()}  # each exactly once, nothing else
