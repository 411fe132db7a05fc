"""Redirection: the business told, the new structure gets the request with its own fresh deadline; chains kept."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from activateurs.contact_relay.adapters.tables import contact_requests
from activateurs.contact_relay.service import sweeper

from ..conftest import emails, outbox_events, publish_structure, request_body


async def test_redirection_chain_with_fresh_deadlines(relay, amqp, issuer):
    first_id, first_slug = await publish_structure(relay, amqp, name="Numérique & Co")
    second_id, second_slug = await publish_structure(relay, amqp, name="Web Atelier", emails=("web@atelier.fr",))
    third_id, third_slug = await publish_structure(relay, amqp, name="Réunion Num", department="974",
                                                   emails=("contact@reunion.re",))
    request_id = (await relay.http.post("/api/v1/contact-requests", json=request_body(first_slug))).json()["id"]
    first = issuer.headers("activator", structure_id=str(first_id))
    path = f"/api/v1/contact-requests/{request_id}/redirection"

    assert (await relay.http.post(path, json={"activator_slug": second_slug})).status_code == 401
    other = issuer.headers("activator", structure_id=str(second_id))
    assert (await relay.http.post(path, json={"activator_slug": second_slug}, headers=other)).status_code == 403
    assert (await relay.http.post(path, json={"activator_slug": "nobody"}, headers=first)).status_code == 404
    assert (await relay.http.post(path, json={"activator_slug": first_slug}, headers=first)).status_code == 409
    assert (await relay.http.post(path, json={}, headers=first)).status_code == 422

    relay.clock.advance(timedelta(hours=30))  # Wednesday 16:00 Paris, past the first reminder
    response = await relay.http.post(path, json={"activator_slug": second_slug, "note": "Spécialiste e-commerce"},
                                     headers=first)
    assert response.status_code == 202, response.text
    second_request = response.json()["redirected_to"]
    again = await relay.http.post(path, json={"activator_slug": second_slug}, headers=first)
    assert again.status_code == 409  # already redirected: nothing sent twice

    rows = {str(r.id): r for r in await relay.rows(sa.select(contact_requests))}
    assert rows[request_id].status == "redirected" and str(rows[request_id].redirected_to) == second_request
    new = rows[second_request]
    assert new.structure_id == second_id and new.status == "forwarded" and str(new.previous_id) == request_id
    # A fresh 48 working hours from Wednesday 16:00 Paris: Friday 16:00.
    assert new.ack_deadline == relay.clock.now() + timedelta(hours=48)
    to_activator = await emails(relay, "contact_redirected_activator")
    assert [m["to"] for m in to_activator] == ["web@atelier.fr"]
    assert to_activator[0]["context"]["note"] == "Spécialiste e-commerce"
    assert f"/contact-requests/{second_request}/acknowledgement?token=" in to_activator[0]["context"]["acknowledgement_url"]
    to_business = await emails(relay, "contact_redirected_business")
    assert [m["to"] for m in to_business] == ["paul.martin@boulangerie.fr"]
    assert to_business[0]["context"]["to_structure_name"] == "Web Atelier"
    redirected = [e for e in await outbox_events(relay) if e["routing_key"] == "contact_relay.request.redirected.v1"]
    assert [(e["data"]["request_id"], e["data"]["structure_id"]) for e in redirected] == [(request_id, str(first_id))]

    # The first structure's old link no longer acknowledges; the new holder redirects again (a chain).
    old_link = (await emails(relay, "contact_forwarded"))[0]["context"]["acknowledgement_url"]
    stale = await relay.http.post(f"/api/v1/contact-requests/{request_id}/acknowledgement",
                                  params={"token": old_link.split("token=")[1]})
    assert stale.status_code == 409
    hop = await relay.http.post(f"/api/v1/contact-requests/{second_request}/redirection",
                                json={"activator_slug": third_slug},
                                headers=issuer.headers("activator", structure_id=str(second_id)))
    assert hop.status_code == 202
    third = (await relay.rows(sa.select(contact_requests).where(contact_requests.c.structure_id == third_id)))[0]
    assert str(third.previous_id) == second_request and third.timezone == "Indian/Reunion"
    inbox = await relay.http.get("/api/v1/me/contact-requests", headers=issuer.headers("activator",
                                                                                        structure_id=str(second_id)))
    [item] = inbox.json()["items"]
    assert item["status"] == "redirected" and item["previous_id"] == request_id
    assert item["redirected_to"] == str(third.id)

    # Only the last hop is still waiting: the sweeper overdues it alone.
    relay.clock.advance(timedelta(days=7))
    assert await sweeper.sweep(relay.db, relay.service.links) == sweeper.SweepResult(0, 1)
    assert (await relay.http.post(f"/api/v1/contact-requests/{uuid.uuid4()}/redirection",
                                  json={"activator_slug": third_slug}, headers=first)).status_code == 404


async def test_sla_report_per_structure_for_the_dge_and_the_region(relay, amqp, issuer):
    quick_id, quick = await publish_structure(relay, amqp, name="Rapide")
    slow_id, slow = await publish_structure(relay, amqp, name="Lent")
    for slug in (quick, quick, slow):
        response = await relay.http.post("/api/v1/contact-requests", json=request_body(slug, email=f"{uuid.uuid4().hex[:8]}@x.fr"))
        assert response.status_code == 202
    relay.clock.advance(timedelta(hours=2))
    mine = issuer.headers("activator", structure_id=str(quick_id))
    for item in (await relay.http.get("/api/v1/me/contact-requests", headers=mine)).json()["items"]:
        assert (await relay.http.post(f"/api/v1/contact-requests/{item['id']}/acknowledgement",
                                      headers=mine)).status_code == 200
    relay.clock.advance(timedelta(days=5))
    await sweeper.sweep(relay.db, relay.service.links)

    params = {"from": "2026-03-01", "to": "2026-03-31"}
    assert (await relay.http.get("/api/v1/sla-report", params=params, headers=mine)).status_code == 403
    assert (await relay.http.get("/api/v1/sla-report", params=params)).status_code == 401
    bad = await relay.http.get("/api/v1/sla-report", params={"from": "2026-04-01", "to": "2026-03-01"},
                               headers=issuer.headers("dge_agent"))
    assert bad.status_code == 422
    for not_a_date in ({"to": "0"}, {"from": "1700000000"}, {"from": "hier"}):
        answer = await relay.http.get("/api/v1/sla-report", params=not_a_date, headers=issuer.headers("dge_agent"))
        assert answer.status_code == 422, (not_a_date, answer.text)
    report = await relay.http.get("/api/v1/sla-report", params=params, headers=issuer.headers("dge_agent"))
    assert report.status_code == 200
    lines = {line["name"]: line for line in report.json()["structures"]}
    assert lines["Rapide"]["received"] == 2 and lines["Rapide"]["acknowledged_in_time"] == 2
    assert lines["Rapide"]["overdue"] == 0 and lines["Rapide"]["median_ack_seconds"] == 7200
    assert lines["Lent"]["received"] == 1 and lines["Lent"]["overdue"] == 1
    assert lines["Lent"]["median_ack_seconds"] is None
    regional = await relay.http.get("/api/v1/sla-report", params=params,
                                    headers=issuer.headers("dreets_agent", region="84"))
    assert regional.status_code == 200 and regional.json()["structures"] == []  # the structures are in region 11
    own = await relay.http.get("/api/v1/sla-report", params=params, headers=issuer.headers("dreets_agent", region="11"))
    assert len(own.json()["structures"]) == 2
    earlier = await relay.http.get("/api/v1/sla-report", params={"from": "2026-01-01", "to": "2026-02-28"},
                                   headers=issuer.headers("dge_admin"))
    assert earlier.json()["structures"] == []
