"""Submitted dossiers become review cases: pre-checks, the queue's order, duplicates and out-of-order revisions."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import sqlalchemy as sa

from activateurs.shared.contracts.notifier import EmailRequested
from activateurs.shared.messaging.tables import outbox
from activateurs.validation.adapters.tables import history, revisions
from tests.support.waiting import eventually

from ..conftest import START, document, submitted


async def _case(running, headers, dossier_id):
    response = await running.http.get(f"/api/v1/dossiers/{dossier_id}", headers=headers)
    return response.json() if response.status_code == 200 else None


async def test_a_submitted_event_becomes_a_case_with_its_prechecks_passing_or_failing(validation, amqp, issuer):
    headers = issuer.headers("dge_agent")
    event = submitted(documents=[document("extrait_immatriculation")])
    await amqp.publish_event(event)
    case = await eventually(lambda: _case(validation, headers, event.data.dossier_id), what="the case")

    assert case["status"] == "to_review" and case["revision"] == 1
    assert case["previous_revision"] is None and case["previous_dossier"] is None
    assert case["account_id"] == str(event.data.account_id)
    assert case["department"] == "75" and case["region"] == "11"
    checks = {c["code"]: c for c in case["prechecks"]}
    assert checks["siret"]["outcome"] == "pass" and "checksum valid" in checks["siret"]["evidence"]
    assert checks["activity"]["outcome"] == "pass"
    assert checks["offer"]["outcome"] == "pass"
    assert {checks[f"declaration_{d}"]["outcome"] for d in
            ("obligations_up_to_date", "heads_agreement", "website_legal_compliance")} == {"pass"}
    assert checks["required_documents"]["outcome"] == "pass"
    # The attestations are optional at submission: the DGE sees them as "to check".
    assert checks["optional_documents"]["outcome"] == "to_check"
    assert "attestation_urssaf" in checks["optional_documents"]["evidence"]
    assert checks["website_legal_notice"]["outcome"] == "to_check"  # the fetch is off in tests
    assert case["precheck_summary"] == {"overall": "to_check", "pass": 7, "fail": 0, "to_check": 2}
    assert [d["kind"] for d in case["documents"]] == ["extrait_immatriculation"]
    assert case["dossier"]["structure"]["name"] == "Numérique & Co"
    assert [h["to_status"] for h in case["history"]] == ["to_review"]
    assert case["thread"] == []

    # The applicant is told the dossier was received: an email request through the outbox.
    async with validation.db.sessions() as session:
        payloads = (await session.execute(sa.select(outbox.c.payload).where(
            outbox.c.routing_key == EmailRequested.routing_key))).scalars().all()
    mails = [json.loads(p)["data"] for p in payloads]
    assert [(m["template"], m["to"], m["context"]["revision"]) for m in mails] == [
        ("dossier_received", "claire@numerique-et-co.fr", 1)]
    assert mails[0]["account_id"] == str(event.data.account_id)

    # Failing checks show their evidence too.
    young = (START - timedelta(days=60)).date().isoformat()
    event = submitted(structure={"siret": "73282932000075", "created_on": young, "domains": []},
                      declarations={"heads_agreement": False}, documents=[])
    await amqp.publish_event(event)
    case = await eventually(lambda: _case(validation, headers, event.data.dossier_id), what="the case")
    checks = {c["code"]: c for c in case["prechecks"]}
    assert checks["siret"] == {"code": "siret", "outcome": "fail", "evidence": "SIRET checksum invalid"}
    assert checks["activity"]["outcome"] == "fail" and "less than 6 months" in checks["activity"]["evidence"]
    assert checks["offer"]["outcome"] == "fail" and "domain" in checks["offer"]["evidence"]
    assert checks["declaration_heads_agreement"]["outcome"] == "fail"
    assert checks["required_documents"] == {"code": "required_documents", "outcome": "fail",
                                            "evidence": "missing: extrait_immatriculation"}
    assert case["precheck_summary"]["overall"] == "fail" and case["precheck_summary"]["fail"] == 5


async def test_the_queue_lists_the_oldest_waiting_first_and_a_malformed_message_is_dead_lettered(
        validation, amqp, issuer):
    headers = issuer.headers("dge_agent")
    await amqp.publish_raw("registration.dossier.submitted.v1", b'{"event_type": "registration.dossier.submitted.v1"}',
                           message_id=str(uuid.uuid4()))
    await amqp.publish_event(submitted(postal_code="96000"))  # well-formed, but no department has this code
    newer = submitted(submitted_at=START + timedelta(hours=2))
    older = submitted(submitted_at=START - timedelta(days=3))
    middle = submitted(submitted_at=START, structure={"siret": "123"})
    for event in (newer, older, middle):
        await amqp.publish_event(event)

    async def three():
        body = (await validation.http.get("/api/v1/dossiers", headers=headers)).json()
        return body if body["total"] == 3 else None

    body = await eventually(three, what="three cases")
    assert [i["dossier_id"] for i in body["items"]] == [str(e.data.dossier_id) for e in (older, middle, newer)]
    assert body["items"][1]["precheck_summary"]["overall"] == "fail"
    assert {i["status"] for i in body["items"]} == {"to_review"}
    page = (await validation.http.get("/api/v1/dossiers", params={"page": 2, "page_size": 2},
                                      headers=headers)).json()
    assert [i["dossier_id"] for i in page["items"]] == [str(newer.data.dossier_id)]
    assert (await validation.http.get("/api/v1/dossiers", params={"status": "accepted"},
                                      headers=headers)).json()["total"] == 0
    dead: list = []

    async def both_dead() -> bool:
        dead.extend(await amqp.drain("validation.dossier-submissions.dead-letter"))
        return len(dead) == 2

    await eventually(both_dead, what="the two broken messages in the dead-letter queue")


async def test_duplicates_and_late_revisions_change_nothing(validation, amqp, issuer):
    headers = issuer.headers("dge_agent")
    dossier_id, account_id = uuid.uuid4(), uuid.uuid4()
    first = submitted(dossier_id=dossier_id, account_id=account_id, revision=1)
    second = submitted(dossier_id=dossier_id, account_id=account_id, revision=2,
                       structure={"name": "Numérique & Co (v2)"}, submitted_at=START + timedelta(days=1))
    # Revision 2 arrives first and twice; revision 1 late; then revision 2 again under a new event id.
    await amqp.publish_event(second)
    await amqp.publish_event(second)
    case = await eventually(lambda: _case(validation, headers, dossier_id), what="the case")
    await amqp.publish_event(first)
    await amqp.publish_event(submitted(dossier_id=dossier_id, account_id=account_id, revision=2))

    async def both_revisions():
        found = await _case(validation, headers, dossier_id)
        return found if len(found["revisions"]) == 2 else None

    case = await eventually(both_revisions, what="the late revision stored")
    assert case["revision"] == 2 and case["structure_name"] == "Numérique & Co (v2)"
    assert case["status"] == "to_review"
    assert [r["revision"] for r in case["revisions"]] == [1, 2]
    # What changed since the previous revision, for the agent: both snapshots.
    assert case["previous_revision"] == 1
    assert case["previous_dossier"]["structure"]["name"] == "Numérique & Co"
    assert case["dossier"]["structure"]["name"] == "Numérique & Co (v2)"

    async def settled():
        async with validation.db.sessions() as session:
            return (await session.execute(sa.select(sa.func.count()).select_from(outbox).where(
                outbox.c.routing_key == EmailRequested.routing_key))).scalar_one() == 1 and \
                (await session.execute(sa.select(sa.func.count()).select_from(history))).scalar_one() == 2

    await eventually(settled, what="one email and one history step per stored revision")
    async with validation.db.sessions() as session:
        stored = (await session.execute(sa.select(sa.func.count()).select_from(revisions))).scalar_one()
        steps = (await session.execute(sa.select(history.c.reason).order_by(history.c.id))).scalars().all()
    assert stored == 2
    assert "not the latest" in steps[1]
    # The one "received" email is revision 2's: the late revision 1 does not announce itself.
    async with validation.db.sessions() as session:
        payload = (await session.execute(sa.select(outbox.c.payload).where(
            outbox.c.routing_key == EmailRequested.routing_key))).scalar_one()
    assert json.loads(payload)["data"]["context"]["revision"] == 2
