"""Suspend, reinstate, strike off (each with its reason, event and email); the audit chain verifies and detects tampering."""

from __future__ import annotations

import json
import os
import subprocess
import uuid

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from activateurs.shared.messaging.tables import outbox
from tests.support.infra import ROOT
from tests.support.waiting import eventually

from ..conftest import submitted


async def _accepted_structure(validation, amqp, issuer):
    dge = issuer.headers("dge_agent")
    event = submitted()
    await amqp.publish_event(event)

    async def stored():
        return (await validation.http.get(f"/api/v1/dossiers/{event.data.dossier_id}", headers=dge)).status_code == 200

    await eventually(stored, what="the case")
    await validation.http.post(f"/api/v1/dossiers/{event.data.dossier_id}/messages", headers=dge,
                               json={"body": "Bienvenue"})
    decided = await validation.http.post(f"/api/v1/dossiers/{event.data.dossier_id}/decision", headers=dge,
                                         json={"decision": "accepted"})
    return event, decided.json()["structure_id"]


def _verify(database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ROOT / ".venv" / "bin" / "activateurs-validation"), "verify-audit-log"],
                          env={**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"},
                          capture_output=True, text=True, timeout=60, check=False)


async def test_sanctions_each_with_reason_event_and_email(validation, amqp, issuer):
    events = await amqp.listen("validation.structure.#")
    event, structure_id = await _accepted_structure(validation, amqp, issuer)
    dge = issuer.headers("dge_agent")
    base = f"/api/v1/structures/{structure_id}"

    assert (await validation.http.post(f"{base}/suspension", headers=dge, json={})).status_code == 422
    assert (await validation.http.delete(f"{base}/suspension", headers=dge)).status_code == 422
    not_suspended = await validation.http.delete(f"{base}/suspension", params={"reason": "?"}, headers=dge)
    assert not_suspended.status_code == 409
    suspended = await validation.http.post(f"{base}/suspension", headers=dge,
                                           json={"reason": "Démarches commerciales insistantes"})
    assert suspended.status_code == 200 and suspended.json()["state"] == "suspended"
    assert (await validation.http.post(f"{base}/suspension", headers=dge, json={"reason": "encore"})).status_code == 409
    reinstated = await validation.http.request("DELETE", f"{base}/suspension", headers=dge,
                                               json={"reason": "Explications satisfaisantes"})
    assert reinstated.status_code == 200 and reinstated.json()["state"] == "active"
    struck = await validation.http.post(f"{base}/strike-off", headers=dge, json={"reason": "Manquements répétés"})
    assert struck.status_code == 200 and struck.json()["state"] == "struck_off"
    assert (await validation.http.post(f"{base}/strike-off", headers=dge, json={"reason": "x"})).status_code == 409
    assert (await validation.http.post(f"{base}/suspension", headers=dge, json={"reason": "x"})).status_code == 409
    unknown = await validation.http.post(f"/api/v1/structures/{uuid.uuid4()}/strike-off", headers=dge,
                                         json={"reason": "x"})
    assert unknown.status_code == 404

    got = await eventually(lambda: events if len(events) >= 3 else None, what="three sanction events")
    assert [(e.routing_key, e.body["data"]["reason"]) for e in got] == [
        ("validation.structure.suspended.v1", "Démarches commerciales insistantes"),
        ("validation.structure.reinstated.v1", "Explications satisfaisantes"),
        ("validation.structure.struck_off.v1", "Manquements répétés")]
    assert {e.body["data"]["structure_id"] for e in got} == {structure_id}
    async with validation.db.sessions() as session:
        payloads = (await session.execute(sa.select(outbox.c.payload).where(
            outbox.c.routing_key == "notifier.email.requested.v1").order_by(outbox.c.id))).scalars().all()
    mails = [json.loads(p)["data"] for p in payloads]
    assert [(m["template"], m["context"].get("reason")) for m in mails if m["template"].startswith("structure_")] == [
        ("structure_suspended", "Démarches commerciales insistantes"),
        ("structure_reinstated", "Explications satisfaisantes"),
        ("structure_struck_off", "Manquements répétés")]
    case = (await validation.http.get(f"/api/v1/dossiers/{event.data.dossier_id}", headers=dge)).json()
    assert case["structure_state"] == "struck_off"
    assert [h["action"] for h in case["history"]][-3:] == ["sanction:suspend", "sanction:reinstate",
                                                          "sanction:strike_off"]


async def test_the_audit_chain_verifies_and_fails_once_a_record_is_altered(validation, amqp, issuer):
    event, structure_id = await _accepted_structure(validation, amqp, issuer)
    dge = issuer.headers("dge_admin")
    await validation.http.post(f"/api/v1/structures/{structure_id}/suspension", headers=dge,
                               json={"reason": "Signalements"})

    records = (await validation.http.get("/api/v1/audit-log", headers=dge)).json()["items"]
    assert [r["action"] for r in records] == ["message", "dossier_accepted", "structure_suspend"]
    assert records[0]["prev_hash"] == "0" * 64
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in zip(records, records[1:], strict=False))
    assert records[2]["reason"] == "Signalements" and records[2]["actor"].startswith("dge_admin:")
    mine = (await validation.http.get("/api/v1/audit-log", params={"subject_id": structure_id},
                                      headers=dge)).json()["items"]
    assert [r["action"] for r in mine] == ["structure_suspend"]

    url = validation.db.url
    intact = _verify(url)
    assert intact.returncode == 0, intact.stderr
    assert "3 records verified" in intact.stdout

    # The service cannot rewrite history (a trigger refuses); an administrator bypassing it is caught.
    parsed = make_url(url)
    conn = await asyncpg.connect(host=parsed.host, port=parsed.port, user=parsed.username, database=parsed.database)
    try:
        try:
            await conn.execute("UPDATE audit_log SET reason = 'rien' WHERE seq = 3")
            raise AssertionError("the audit log accepted an update")
        except asyncpg.RaiseError as refused:
            assert "append-only" in str(refused)
        await conn.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        await conn.execute("UPDATE audit_log SET reason = 'Aucune raison' WHERE seq = 2")
    finally:
        await conn.close()
    broken = _verify(url)
    assert broken.returncode == 1
    assert "BROKEN at record 2" in broken.stderr
