"""Where a structure stands in the directory, for the back-office: its slug and profile URL, without a search."""

from __future__ import annotations

import uuid

from tests.support.waiting import eventually

from ..conftest import accepted, make_profile


async def test_the_back_office_finds_a_structure_s_profile_by_its_id(client, amqp, issuer):
    lyon = uuid.uuid4()  # Auvergne-Rhône-Alpes (84)
    await amqp.publish_event(accepted(lyon, make_profile("Lyon Publication", postal_code="69003", city="Lyon",
                                                         department="69", region="84")))
    url = f"/api/v1/structures/{lyon}/publication"

    async def online():
        answer = await client.get(url, headers=issuer.headers("dge_agent"))
        return answer.json() if answer.status_code == 200 and answer.json()["online"] else None

    found = await eventually(online, what="the structure online")
    assert found["structure_id"] == str(lyon) and found["name"] == "Lyon Publication" and found["region"] == "84"
    assert found["url"].endswith(f"/activateurs/{found['slug']}")
    profile = await client.get(f"/api/v1/activators/{found['slug']}")
    assert profile.status_code == 200 and profile.json()["structure_id"] == str(lyon)

    same_region = await client.get(url, headers=issuer.headers("dreets_agent", region="84"))
    assert same_region.status_code == 200 and same_region.json()["slug"] == found["slug"]
    assert (await client.get(url, headers=issuer.headers("dreets_agent", region="11"))).status_code == 403
    assert (await client.get(url, headers=issuer.headers("activator", structure_id=str(lyon)))).status_code == 403
    assert (await client.get(url)).status_code == 401
    unknown = await client.get(f"/api/v1/structures/{uuid.uuid4()}/publication", headers=issuer.headers("dge_agent"))
    assert unknown.status_code == 404 and unknown.json()["detail"]
    assert (await client.get("/api/v1/structures/x/publication", headers=issuer.headers("dge_agent"))).status_code == 422
