"""Alternatives offered when a request goes overdue, chosen for a whole batch at once, as if one by one."""

from __future__ import annotations

from datetime import timedelta

from activateurs.contact_relay.service import sweeper

from ..conftest import emails, publish_structure, request_body

BOTH = ("site_internet_ecommerce", "cybersecurite")


async def test_each_request_of_a_batch_gets_the_first_three_others_by_name_once_each(relay, amqp):
    slugs = {}
    for name, domains in (("Aaa Num", BOTH), ("Bravo Web", BOTH), ("Charlie Web", ("cybersecurite",)),
                          ("Delta Web", ("site_internet_ecommerce",)), ("Echo Web", BOTH),
                          ("Alpha Données", ("gestion_donnees",))):
        slugs[name] = (await publish_structure(relay, amqp, name=name, domains=domains))[1]
    await publish_structure(relay, amqp, name="Aardvark Lyon", department="69", domains=BOTH)
    for to, domains in (("Aaa Num", list(BOTH)), ("Charlie Web", list(BOTH)), ("Bravo Web", ["cybersecurite"])):
        response = await relay.http.post("/api/v1/contact-requests", json=request_body(
            slugs[to], domains=domains, contact_name=f"Pour {to}"))
        assert response.status_code == 202, response.text

    relay.clock.advance(timedelta(days=3))
    assert await sweeper.sweep(relay.db, relay.service.links) == sweeper.SweepResult(0, 3)  # one batch
    offered = {m["context"]["contact_name"]: [a["name"] for a in m["context"]["alternatives"]]
               for m in await emails(relay, "contact_overdue_business")}
    assert offered == {
        "Pour Aaa Num": ["Bravo Web", "Charlie Web", "Delta Web"],  # Bravo offers both domains: listed once
        "Pour Charlie Web": ["Aaa Num", "Bravo Web", "Delta Web"],
        "Pour Bravo Web": ["Aaa Num", "Charlie Web", "Echo Web"],  # only those offering cybersecurite
    }
