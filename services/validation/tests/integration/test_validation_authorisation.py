"""Who may do what: DGE agents and admins act; regional agents read their own region only; applicants their own thread."""

from __future__ import annotations

import uuid

from tests.support.waiting import eventually

from ..conftest import submitted


async def test_the_authorisation_matrix(validation, amqp, issuer):
    paris = submitted(postal_code="75011")         # Île-de-France, region 11
    lyon = submitted(postal_code="69003")          # Auvergne-Rhône-Alpes, region 84
    ajaccio = submitted(postal_code="20000")       # Corse-du-Sud, region 94
    for event in (paris, lyon, ajaccio):
        await amqp.publish_event(event)
    dge = issuer.headers("dge_agent")

    async def stored():
        return (await validation.http.get("/api/v1/dossiers", headers=dge)).json()["total"] == 3

    await eventually(stored, what="three cases")
    http = validation.http
    some = uuid.uuid4()
    dge_only = [
        ("POST", f"/api/v1/dossiers/{paris.data.dossier_id}/messages", {"body": "Bonjour"}),
        ("POST", f"/api/v1/dossiers/{paris.data.dossier_id}/decision", {"decision": "accepted"}),
        ("POST", f"/api/v1/structures/{some}/suspension", {"reason": "x"}),
        ("DELETE", f"/api/v1/structures/{some}/suspension", {"reason": "x"}),
        ("POST", f"/api/v1/structures/{some}/strike-off", {"reason": "x"}),
        ("GET", "/api/v1/audit-log", None),
    ]
    readable = [("GET", "/api/v1/dossiers", None), ("GET", f"/api/v1/dossiers/{paris.data.dossier_id}", None)]
    applicant_only = [("GET", "/api/v1/my-dossier/messages", None),
                      ("POST", "/api/v1/my-dossier/messages", {"body": "Bonjour"})]

    for method, url, body in dge_only + readable + applicant_only:
        assert (await http.request(method, url, json=body)).status_code == 401, url
        forged = {"Authorization": "Bearer " + issuer.token("dge_admin", ttl=-120)}
        assert (await http.request(method, url, json=body, headers=forged)).status_code == 401, url
    activator = issuer.headers("activator", subject=str(paris.data.account_id))
    regional = issuer.headers("dreets_agent", region="11")
    for method, url, body in dge_only + readable:
        assert (await http.request(method, url, json=body, headers=activator)).status_code == 403, url
    for method, url, body in dge_only:
        assert (await http.request(method, url, json=body, headers=regional)).status_code == 403, url
    for method, url, body in applicant_only:
        for role in ("dge_agent", "dge_admin", "dreets_agent"):
            assert (await http.request(method, url, json=body, headers=issuer.headers(role))).status_code == 403

    # A regional agent reads its own region's cases only; another region's case does not exist for it.
    seen = (await http.get("/api/v1/dossiers", headers=regional)).json()
    assert [i["dossier_id"] for i in seen["items"]] == [str(paris.data.dossier_id)]
    assert (await http.get(f"/api/v1/dossiers/{paris.data.dossier_id}", headers=regional)).status_code == 200
    assert (await http.get(f"/api/v1/dossiers/{lyon.data.dossier_id}", headers=regional)).status_code == 404
    corsica = (await http.get("/api/v1/dossiers", headers=issuer.headers("dreets_agent", region="94"))).json()
    assert [i["dossier_id"] for i in corsica["items"]] == [str(ajaccio.data.dossier_id)]
    no_region = await http.get("/api/v1/dossiers", headers=issuer.headers("dreets_agent"))
    assert no_region.status_code == 403 and "region" in no_region.json()["detail"]
    # The DGE sees everything.
    assert (await http.get("/api/v1/dossiers", headers=issuer.headers("dge_admin"))).json()["total"] == 3

    # An applicant reaches only their own thread: someone else's token finds no dossier.
    assert (await http.post(f"/api/v1/dossiers/{paris.data.dossier_id}/messages", headers=dge,
                            json={"body": "Question pour Paris"})).status_code == 201
    own = await http.get("/api/v1/my-dossier/messages", headers=activator)
    assert own.status_code == 200 and own.json()["dossier_id"] == str(paris.data.dossier_id)
    other = issuer.headers("activator", subject=str(lyon.data.account_id))
    theirs = (await http.get("/api/v1/my-dossier/messages", headers=other)).json()
    assert theirs["dossier_id"] == str(lyon.data.dossier_id) and theirs["messages"] == []
    stranger = issuer.headers("activator", subject="not-a-uuid")
    assert (await http.get("/api/v1/my-dossier/messages", headers=stranger)).status_code == 404

    # Health and the generated documents are open to all.
    ready = await validation.http.get("/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["background"] == "ok"
    openapi = (await validation.http.get("/openapi.json")).json()
    assert {"/api/v1/dossiers", "/api/v1/dossiers/{dossier_id}/decision", "/api/v1/my-dossier/messages",
            "/api/v1/audit-log", "/api/v1/structures/{structure_id}/strike-off"} <= set(openapi["paths"])
    asyncapi = (await validation.http.get("/asyncapi.json")).json()
    assert {"validation.dossier-submissions", "validation.dossier.accepted.v1",
            "validation.dossier.expired.v1"} <= set(asyncapi["channels"])
