"""Charter versions and questionnaire campaigns (DGE admin); registration's events: leaving, renewal, account deletion."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from activateurs.shared.contracts.registration import (
    AccountDeleted,
    AccountDeletedData,
    EngagementRenewed,
    EngagementRenewedData,
    StructureLeftData,
    StructureWithdrawn,
)
from activateurs.validation.adapters.tables import cases, messages, revisions
from tests.support.waiting import eventually

from ..conftest import START, submitted


async def test_charter_versions_and_questionnaire_campaigns(validation, amqp, issuer):
    events = await amqp.listen("validation.charter.#", "validation.questionnaire.#")
    admin = issuer.headers("dge_admin")
    deadline = (START + timedelta(days=90)).isoformat()
    body = {"text": "Charte des activateurs, version révisée.", "acceptance_deadline": deadline}

    assert (await validation.http.post("/api/v1/charter-versions", json=body,
                                       headers=issuer.headers("dge_agent"))).status_code == 403
    for bad in ({**body, "acceptance_deadline": (START - timedelta(days=1)).isoformat()},
                {**body, "acceptance_deadline": "2026-09-30T23:59:00"},   # no time zone
                {**body, "text": ""}):
        response = await validation.http.post("/api/v1/charter-versions", json=bad, headers=admin)
        assert response.status_code == 422 and response.json()["detail"], bad
    first = await validation.http.post("/api/v1/charter-versions", json=body, headers=admin)
    second = await validation.http.post("/api/v1/charter-versions", json={**body, "text": "v3"}, headers=admin)
    assert (first.status_code, first.json()["version"]) == (201, 2)  # version 1 is the charter of 2022
    assert (second.status_code, second.json()["version"]) == (201, 3)

    campaign = {"year": 2026, "url": "https://questionnaire.francenum.gouv.fr/activateurs-2026"}
    activator = issuer.headers("activator")
    none_yet = await validation.http.get("/api/v1/questionnaire-campaigns/current", headers=activator)
    assert none_yet.status_code == 404, "no campaign runs before one is launched"
    assert (await validation.http.post("/api/v1/questionnaire-campaigns", json=campaign,
                                       headers=issuer.headers("dge_agent"))).status_code == 403
    launched = await validation.http.post("/api/v1/questionnaire-campaigns", json=campaign, headers=admin)
    assert launched.status_code == 201
    running = await validation.http.get("/api/v1/questionnaire-campaigns/current", headers=activator)
    assert running.status_code == 200 and running.json() == launched.json(), "the activators see it"
    assert (await validation.http.get("/api/v1/questionnaire-campaigns/current")).status_code == 401
    again = await validation.http.post("/api/v1/questionnaire-campaigns", json=campaign, headers=admin)
    assert again.status_code == 409
    bad_url = await validation.http.post("/api/v1/questionnaire-campaigns",
                                         json={"year": 2027, "url": "javascript:alert(1)"}, headers=admin)
    assert bad_url.status_code == 422

    got = await eventually(lambda: events if len(events) >= 3 else None, what="three events")
    assert [(e.routing_key, e.body["data"].get("version")) for e in got] == [
        ("validation.charter.published.v1", 2), ("validation.charter.published.v1", 3),
        ("validation.questionnaire.launched.v1", None)]
    assert got[0].body["data"]["acceptance_deadline"] == "2026-07-01T08:00:00Z"
    assert got[2].body["data"]["campaign_id"] == launched.json()["campaign_id"]
    audit = (await validation.http.get("/api/v1/audit-log", headers=admin)).json()["items"]
    assert [r["action"] for r in audit] == ["charter_published", "charter_published", "questionnaire_launched"]


async def test_registration_events_leaving_renewal_and_account_deletion(validation, amqp, issuer):
    dge = issuer.headers("dge_agent")
    kept, erased = submitted(), submitted()
    for event in (kept, erased):
        await amqp.publish_event(event)

    async def both():
        return (await validation.http.get("/api/v1/dossiers", headers=dge)).json()["total"] == 2

    await eventually(both, what="two cases")
    decided = await validation.http.post(f"/api/v1/dossiers/{kept.data.dossier_id}/decision", headers=dge,
                                         json={"decision": "accepted"})
    structure_id = uuid.UUID(decided.json()["structure_id"])
    await validation.http.post(f"/api/v1/dossiers/{erased.data.dossier_id}/messages", headers=dge,
                               json={"body": "Une question", "requests_information": True})

    renewed_until = START + timedelta(days=1000)
    for event in (EngagementRenewed.new(EngagementRenewedData(structure_id=structure_id,
                                                              engagement_expires_at=renewed_until),
                                        producer="registration", occurred_at=START),
                  StructureWithdrawn.new(StructureLeftData(structure_id=structure_id, reason="Cessation"),
                                         producer="registration", occurred_at=START),
                  AccountDeleted.new(AccountDeletedData(account_id=erased.data.account_id),
                                     producer="registration", occurred_at=START)):
        await amqp.publish_event(event)
        await amqp.publish_event(event)  # twice: one effect

    async def applied():
        async with validation.db.sessions() as session:
            left = (await session.execute(sa.select(cases.c.structure_state, cases.c.engagement_expires_at).where(
                cases.c.structure_id == structure_id))).one()
            remaining = (await session.execute(sa.select(sa.func.count()).select_from(cases))).scalar_one()
        return left if left.structure_state == "withdrawn" and left.engagement_expires_at == renewed_until \
            and remaining == 1 else None

    await eventually(applied, what="withdrawal, renewal and deletion applied")
    suspend = await validation.http.post(f"/api/v1/structures/{structure_id}/suspension", headers=dge,
                                         json={"reason": "x"})
    assert suspend.status_code == 409 and "withdrawn" in suspend.json()["detail"]
    assert (await validation.http.get(f"/api/v1/dossiers/{erased.data.dossier_id}", headers=dge)).status_code == 404
    async with validation.db.sessions() as session:
        for table in (revisions, messages):
            assert (await session.execute(sa.select(sa.func.count()).select_from(table).where(
                table.c.dossier_id == erased.data.dossier_id))).scalar_one() == 0
    # The audit records stay (the law requires them); they hold ids and agents' words, not the person's data.
    audit = (await validation.http.get("/api/v1/audit-log", params={"subject_id": str(erased.data.dossier_id)},
                                       headers=dge)).json()["items"]
    assert [r["action"] for r in audit] == ["information_requested"]
