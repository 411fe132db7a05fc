"""Page-first search across the nearness tiers, and cached pages that follow every publication change at once."""

from __future__ import annotations

import uuid

import httpx

from activateurs.shared.contracts.validation import SanctionData, StructureStruckOff
from tests.support.waiting import eventually

from ..conftest import accepted, at, make_profile

PLACES = {
    "in69": dict(name="Rhône Numérique", postal_code="69003", city="Lyon", department="69", region="84"),
    "covers69": dict(name="Ain Conseil", postal_code="01000", city="Bourg-en-Bresse", department="01", region="84",
                     area=("69",)),
    "in38": dict(name="Isère Web", postal_code="38000", city="Grenoble", department="38", region="84"),
    "national": dict(name="Zénith France", national=True),
    "elsewhere": dict(name="Bretagne Clic", postal_code="35000", city="Rennes", department="35", region="53"),
}


async def names(client, **params) -> tuple[list[str], int]:
    response = await client.get("/api/v1/activators", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    return [item["name"] for item in body["items"]], body["total"]


async def test_pages_walk_the_tiers_in_order_and_follow_publications(client, amqp):
    ids = {key: uuid.uuid4() for key in PLACES}
    for key, fields in PLACES.items():
        await amqp.publish_event(accepted(ids[key], make_profile(**fields)))
    await eventually(lambda: _total(client, {}, 5), what="published")

    expected = ["Ain Conseil", "Rhône Numérique", "Isère Web", "Zénith France"]  # department 69: tiers 0, 0, 1, 2
    assert await names(client, department="69") == (expected, 4)
    for page in range(1, 6):  # one by one, each tier boundary crossed; twice: the second time from the cache
        for _ in range(2):
            assert await names(client, department="69", page=page, page_size=1) == (expected[page - 1:page], 4)
    assert await names(client, department="69", page=2, page_size=3) == (expected[3:], 4)
    assert await names(client, region="84", page=2, page_size=2) == (["Rhône Numérique", "Zénith France"], 4)
    assert await names(client, q="bresse", department="69") == (["Ain Conseil"], 1)

    # A new publication near the business: the cached pages give way at once.
    newcomer = uuid.uuid4()
    await amqp.publish_event(accepted(newcomer, make_profile("Aaa Lyon Digital", postal_code="69001", city="Lyon",
                                                             department="69", region="84")))
    await eventually(lambda: _first(client, {"department": "69", "page_size": 1}, "Aaa Lyon Digital", 5),
                     what="the newcomer first")
    assert await names(client, department="69", page=5, page_size=1) == (["Zénith France"], 5)
    # An end: gone from every page and total.
    await amqp.publish_event(StructureStruckOff.new(SanctionData(structure_id=ids["in69"], reason="motif"),
                                                    producer="validation", occurred_at=at(5)))
    await eventually(lambda: _total(client, {"department": "69", "page_size": 1, "page": 2}, 4), what="struck off")
    assert await names(client, department="69") == (["Aaa Lyon Digital", "Ain Conseil", "Isère Web",
                                                      "Zénith France"], 4)


async def _total(client, params, expected) -> bool:
    return (await client.get("/api/v1/activators", params=params)).json()["total"] == expected


async def _first(client, params, name, total) -> bool:
    body = (await client.get("/api/v1/activators", params=params)).json()
    return bool(body["items"]) and body["items"][0]["name"] == name and body["total"] == total


async def test_totals_past_the_count_cap_say_so_and_pages_go_on(start_directory, amqp):
    directory = await start_directory(search_count_cap=2)
    ids = {key: uuid.uuid4() for key in PLACES}
    for key, fields in PLACES.items():
        await amqp.publish_event(accepted(ids[key], make_profile(**fields)))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=directory.create_app()),
                                 base_url="http://directory") as client:
        await eventually(lambda: _total(client, {"page_size": 100}, 5), what="published")  # last page: exact
        first = (await client.get("/api/v1/activators", params={"department": "69", "page_size": 1})).json()
        assert (first["total"], first["total_capped"]) == (2, True)
        third = (await client.get("/api/v1/activators", params={"department": "69", "page_size": 1,
                                                                "page": 3})).json()
        assert [item["name"] for item in third["items"]] == ["Isère Web"]
        exact = (await client.get("/api/v1/activators", params={"q": "bresse", "page_size": 1})).json()
        assert (exact["total"], exact["total_capped"]) == (1, False)
        two = (await client.get("/api/v1/activators", params={"region": "53", "page_size": 1})).json()
        assert (two["total"], two["total_capped"]) == (2, False)  # Rennes and the national one: exactly the cap


async def test_places_list_every_region_and_department_with_their_official_names(client):
    answer = await client.get("/api/v1/places")
    assert answer.status_code == 200 and "max-age" in answer.headers["cache-control"]
    body = answer.json()
    regions = {item["code"]: item["name"] for item in body["regions"]}
    departments = {item["code"]: item for item in body["departments"]}
    assert regions["11"] == "Île-de-France" and regions["04"] == "La Réunion"
    assert departments["2A"]["region"] == "94" and departments["974"]["name"] == "La Réunion"
    assert len(departments) >= 101 and body["version"]
