"""Retention: businesses' personal data erased after the configured period; statuses and instants kept."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from activateurs.contact_relay.adapters.tables import contact_requests
from activateurs.contact_relay.service import retention

from ..conftest import publish_structure, request_body


async def test_old_requests_lose_the_business_personal_data_only(relay, amqp):
    _, slug = await publish_structure(relay, amqp)
    old = (await relay.http.post("/api/v1/contact-requests", json=request_body(slug, siret="73282932000074"))).json()["id"]
    relay.clock.advance(timedelta(days=365))
    recent = (await relay.http.post("/api/v1/contact-requests",
                                    json=request_body(slug, email="recent@example.fr"))).json()["id"]
    relay.clock.advance(timedelta(days=365 + 10))  # the first is past 24 months, the second not
    assert await retention.purge(relay.db, 24) == 1
    assert await retention.purge(relay.db, 24) == 0  # nothing twice
    rows = {str(r.id): r for r in await relay.rows(sa.select(contact_requests))}
    purged, kept = rows[old], rows[recent]
    assert (purged.email, purged.contact_name, purged.company_name, purged.message, purged.phone, purged.siret) == \
        ("", "", "", "", None, None)
    assert purged.status == "forwarded" and purged.received_at and purged.purged_at == relay.clock.now()
    assert kept.email == "recent@example.fr" and kept.purged_at is None
