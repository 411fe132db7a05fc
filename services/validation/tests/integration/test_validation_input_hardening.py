"""What the fuzz suite found: NUL characters, numbers as dates and unreadable bodies get a clear 4xx, never a 500."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from activateurs.validation.adapters.tables import questionnaire_campaigns

NUL = "\x00"


@pytest.mark.parametrize(("method", "path", "role", "body"), [
    ("POST", "/api/v1/questionnaire-campaigns", "dge_admin", {"year": 2030, "url": f"https://a{NUL}b.fr"}),
    ("POST", "/api/v1/charter-versions", "dge_admin",
     {"text": f"Charte{NUL}", "acceptance_deadline": "2030-01-01T00:00:00Z"}),
    ("POST", f"/api/v1/dossiers/{uuid.uuid4()}/messages", "dge_agent", {"body": f"Bonjour{NUL}"}),
    ("POST", f"/api/v1/dossiers/{uuid.uuid4()}/decision", "dge_agent", {"decision": "refused", "reason": NUL}),
    ("POST", f"/api/v1/structures/{uuid.uuid4()}/suspension", "dge_agent", {"reason": f"motif{NUL}"}),
    ("POST", "/api/v1/my-dossier/messages", "activator", {"body": f"Réponse{NUL}"}),
], ids=["campaign", "charter", "dossier-message", "decision", "suspension", "my-dossier-message"])  # stable ids:
# the paths hold random UUIDs, and pytest-xdist's workers must collect the same test names
async def test_a_nul_character_in_a_body_is_422_naming_the_field(validation, issuer, method, path, role, body):
    response = await validation.http.request(method, path, json=body, headers=issuer.headers(role))
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "body"
    async with validation.db.sessions() as session:  # nothing half-written on the way
        assert (await session.execute(sa.select(sa.func.count()).select_from(questionnaire_campaigns))).scalar() == 0


async def test_a_nul_character_in_a_query_is_422(validation, issuer):
    dge = issuer.headers("dge_agent")
    assert (await validation.http.get("/api/v1/audit-log", params={"subject_id": NUL}, headers=dge)).status_code == 422
    reinstated = await validation.http.delete(f"/api/v1/structures/{uuid.uuid4()}/suspension",
                                              params={"reason": f"a{NUL}"}, headers=dge)
    assert reinstated.status_code == 422


@pytest.mark.parametrize("value", ["0.5", "0", "1700000000", "demain"])
async def test_statistics_periods_are_iso_dates_not_numbers(validation, issuer, value):
    response = await validation.http.get("/api/v1/statistics", params={"to": value},
                                         headers=issuer.headers("dge_agent"))
    assert response.status_code == 422
    assert "ISO 8601" in response.json()["detail"][0]["msg"]


async def test_a_body_that_is_not_utf8_is_a_documented_400(validation, issuer):
    response = await validation.http.post("/api/v1/questionnaire-campaigns", content=b'{"year": "\xff"}',
                                          headers={**issuer.headers("dge_admin"), "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["detail"]
    documented = (await validation.http.get("/openapi.json")).json()
    assert "400" in documented["paths"]["/api/v1/questionnaire-campaigns"]["post"]["responses"]


async def test_every_documented_error_has_a_body_schema(validation):
    documented = (await validation.http.get("/openapi.json")).json()
    for path, operations in documented["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Problem"}, (method, path, code)
