"""A member who leaves stops receiving the structure's requests once registration republishes the routing."""

from __future__ import annotations

from datetime import timedelta

from activateurs.contact_relay.service import routing, sweeper
from activateurs.shared.contracts.registration import ProfileUpdated, ProfileUpdatedData

from ..conftest import emails, profile, publish_structure, request_body


async def test_reminders_and_overdue_mails_follow_the_routing_without_the_member_who_left(relay, amqp):
    structure_id, slug = await publish_structure(relay, amqp, emails=("claire@numerique.fr", "julien@numerique.fr"))
    response = await relay.http.post("/api/v1/contact-requests", json=request_body(slug))
    assert response.status_code == 202
    assert sorted(m["to"] for m in await emails(relay, "contact_forwarded")) == [
        "claire@numerique.fr", "julien@numerique.fr"]

    # Julien withdraws: registration publishes member.withdrawn (which carries no address) and the
    # profile whose routing no longer lists him; the relay holds no other copy of his address.
    left = ProfileUpdated.new(ProfileUpdatedData(structure_id=structure_id, profile=profile(emails=("claire@numerique.fr",))),
                              producer="registration", occurred_at=relay.clock.now() + timedelta(minutes=1))
    assert await routing.apply(relay.db, left)

    relay.clock.advance(timedelta(hours=24))  # half time: the reminder
    assert await sweeper.sweep(relay.db, relay.service.links) == sweeper.SweepResult(1, 0)
    assert [m["to"] for m in await emails(relay, "contact_ack_reminder")] == ["claire@numerique.fr"]
    relay.clock.advance(timedelta(hours=24))  # the deadline: overdue
    assert await sweeper.sweep(relay.db, relay.service.links) == sweeper.SweepResult(0, 1)
    assert [m["to"] for m in await emails(relay, "contact_overdue_activator")] == ["claire@numerique.fr"]
    # New requests go to the remaining address only.
    assert (await relay.http.post("/api/v1/contact-requests", json=request_body(slug))).status_code == 202
    forwarded = [m["to"] for m in await emails(relay, "contact_forwarded")]
    assert sorted(forwarded) == ["claire@numerique.fr", "claire@numerique.fr", "julien@numerique.fr"]
