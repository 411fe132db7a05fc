"""The DGE's statistics: queue, decisions per month, instruction time without the applicant's time, overdue acks."""

from __future__ import annotations

import uuid
from datetime import timedelta

from activateurs.shared.contracts.contact_relay import RequestOverdue, RequestStepData
from tests.support.infra import queue_details
from tests.support.waiting import eventually

from ..conftest import START, submitted


async def test_statistics_for_the_dge_and_for_a_region(validation, amqp, issuer, vhost):
    dge = issuer.headers("dge_agent")
    paris, lyon, waiting = submitted(postal_code="75011"), submitted(postal_code="69003"), submitted(postal_code="69003")
    for event in (paris, lyon, waiting):
        await amqp.publish_event(event)

    async def stored():
        return (await validation.http.get("/api/v1/dossiers", headers=dge)).json()["total"] == 3

    await eventually(stored, what="three cases")
    http, clock, day = validation.http, validation.clock, timedelta(days=1)

    clock.set(START + day)
    await http.post(f"/api/v1/dossiers/{paris.data.dossier_id}/messages", headers=dge,
                    json={"body": "Une précision ?", "requests_information": True})
    clock.set(START + 5 * day)
    await http.post(f"/api/v1/dossiers/{lyon.data.dossier_id}/decision", headers=dge,
                    json={"decision": "refused", "reason": "Hors champ"})
    clock.set(START + 11 * day)
    await http.post("/api/v1/my-dossier/messages", json={"body": "La voici."},
                    headers=issuer.headers("activator", subject=str(paris.data.account_id)))
    clock.set(START + 13 * day)
    accepted = await http.post(f"/api/v1/dossiers/{paris.data.dossier_id}/decision", headers=dge,
                               json={"decision": "accepted"})
    structure_id = uuid.UUID(accepted.json()["structure_id"])

    overdue = [RequestOverdue.new(RequestStepData(request_id=uuid.uuid4(), structure_id=structure_id,
                                                  at=START + 14 * day), producer="contact-relay",
                                  occurred_at=START + 14 * day) for _ in range(2)]
    for event in (*overdue, overdue[0]):  # the duplicate counts once
        await amqp.publish_event(event)
    clock.set(START + 20 * day)

    async def overdue_counted():
        body = (await http.get("/api/v1/statistics", headers=dge)).json()
        return body if sum(o["overdue"] for o in body["overdue_acknowledgements"]) >= 2 else None

    await eventually(overdue_counted, what="the overdue acknowledgements")

    def duplicate_consumed():
        return queue_details(vhost.rsplit("/", 1)[1])["validation.contact-overdue"]["messages"] == 0

    await eventually(duplicate_consumed, what="the duplicate consumed (queue empty, nothing unacked)")
    stats = (await http.get("/api/v1/statistics", headers=dge)).json()
    assert stats["waiting"] == {"to_review": 1, "awaiting_applicant": 0}
    assert stats["decisions_per_month"] == [{"month": "2026-04", "accepted": 1, "refused": 1, "expired": 0}]
    assert stats["median_instruction_days"] == 4.0  # paris 13 − 10 days awaiting = 3, lyon 5
    assert stats["overdue_acknowledgements"] == [{"structure_id": str(structure_id),
                                                  "structure_name": "Numérique & Co", "overdue": 2}]

    regional = (await http.get("/api/v1/statistics", headers=issuer.headers("dreets_agent", region="84"))).json()
    assert regional["region"] == "84" and regional["waiting"]["to_review"] == 1
    assert regional["decisions_per_month"] == [{"month": "2026-04", "accepted": 0, "refused": 1, "expired": 0}]
    assert regional["median_instruction_days"] == 5.0 and regional["overdue_acknowledgements"] == []

    window = await http.get("/api/v1/statistics", params={"from": "2026-05-01T00:00:00Z", "to": "2026-06-01"},
                            headers=dge)
    assert window.json()["decisions_per_month"] == [] and window.json()["median_instruction_days"] is None
    assert (await http.get("/api/v1/statistics", params={"from": "2026-05-01T00:00:00Z",
                                                         "to": "2026-04-01T00:00:00Z"},
                           headers=dge)).status_code == 422
    assert (await http.get("/api/v1/statistics", headers=issuer.headers("activator"))).status_code == 403
