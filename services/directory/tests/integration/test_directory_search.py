"""Search, profile pages, open data and privacy, on a small realistic French corpus published through events."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest

from tests.support.waiting import eventually

from ..conftest import SECRET_EMAIL, SECRET_TIMEZONE, accepted, make_profile

CORPUS = {
    "cyber-defense-corse-ajaccio": dict(
        name="Cyber Défense Corse", postal_code="20000", city="Ajaccio", department="2A", region="94",
        description="Audit de cybersécurité et sensibilisation des équipes", domains=("cybersecurite",)),
    "bastia-numerique-bastia": dict(
        name="Bastia Numérique", postal_code="20200", city="Bastia", department="2B", region="94",
        description="Création de sites internet vitrines", domains=("site_internet_ecommerce",)),
    "reunion-digitale-saint-denis": dict(
        name="Réunion Digitale", postal_code="97400", city="Saint-Denis", department="974", region="04",
        description="Animation des réseaux sociaux", domains=("reseaux_sociaux_communication",), area=("976",)),
    "securite-informatique-lyon-lyon": dict(
        name="Sécurité Informatique Lyon", postal_code="69003", city="Lyon", department="69", region="84",
        description="Protection des données, sauvegardes et cyber sécurité",
        domains=("cybersecurite", "gestion_donnees")),
    "france-cyber-national-paris": dict(
        name="France Cyber National", description="Formations en cybersécurité pour les TPE",
        domains=("cybersecurite",), services=("formation",), national=True, structure_type="organisme_formation"),
    "villeurbanne-web-villeurbanne": dict(
        name="Villeurbanne Web", postal_code="69100", city="Villeurbanne", department="69", region="84",
        description="Boutiques en ligne et e-commerce", domains=("site_internet_ecommerce",)),
    "grenoble-conseil-grenoble": dict(
        name="Grenoble Conseil", postal_code="38000", city="Grenoble", department="38", region="84",
        description="Conseil en stratégie numérique", domains=("strategie_numerique",)),
    "mayotte-services-mamoudzou": dict(
        name="Mayotte Services", postal_code="97600", city="Mamoudzou", department="976", region="06",
        description="Numérisation de la gestion interne", domains=("gestion_interne",)),
    "noumea-tech-noumea": dict(
        name="Nouméa Tech", postal_code="98800", city="Nouméa", department="988", region="988",
        description="Développement d'applications", domains=("site_internet_ecommerce",)),
}


@pytest.fixture
async def corpus(client, amqp) -> dict[str, uuid.UUID]:
    ids = {slug: uuid.uuid4() for slug in CORPUS}
    for slug, fields in CORPUS.items():
        await amqp.publish_event(accepted(ids[slug], make_profile(**fields)))

    async def all_online():
        return (await client.get("/api/v1/activators")).json()["total"] == len(CORPUS)

    await eventually(all_online, what="corpus published")
    return ids


async def slugs(client, **params) -> list[str]:
    response = await client.get("/api/v1/activators", params=params)
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["items"]]


async def test_french_text_search_ignores_accents_case_plurals_and_compound_spelling(client, corpus):
    cyber = {"cyber-defense-corse-ajaccio", "securite-informatique-lyon-lyon", "france-cyber-national-paris"}
    assert set(await slugs(client, q="cybersécurité")) == cyber
    assert set(await slugs(client, q="cyber securite")) == cyber
    assert set(await slugs(client, q="CYBERSECURITE")) == cyber
    assert await slugs(client, q="site vitrine") == ["bastia-numerique-bastia"]  # « sites … vitrines »
    assert (await slugs(client, q="site internet"))[0] == "bastia-numerique-bastia"  # description beats labels
    assert await slugs(client, q="boutique") == ["villeurbanne-web-villeurbanne"]  # « Boutiques »
    assert await slugs(client, q="reseau social") == ["reunion-digitale-saint-denis"]  # « réseaux sociaux »
    assert (await slugs(client, q="Noumea"))[0] == "noumea-tech-noumea"
    # The name weighs more than the description: the structure named « Cyber … » comes first among equals.
    assert (await slugs(client, q="cyber défense"))[0] == "cyber-defense-corse-ajaccio"


async def test_injection_attempts_and_operators_in_q_are_plain_text(client, corpus):
    for q in ["'; DROP TABLE structures; --", "cyber & | ! ( :* <->", "\"unterminated", "%_\\", "ü" * 200]:
        response = await client.get("/api/v1/activators", params={"q": q})
        assert response.status_code == 200, (q, response.text)
    assert (await client.get("/api/v1/activators")).json()["total"] == len(CORPUS)


async def test_location_filters_nearest_first_with_corsica_and_overseas(client, corpus):
    assert await slugs(client, department="69") == [
        "securite-informatique-lyon-lyon", "villeurbanne-web-villeurbanne",  # same department
        "grenoble-conseil-grenoble",                                          # same region
        "france-cyber-national-paris"]                                        # national coverage
    assert await slugs(client, postal_code="20000") == [
        "cyber-defense-corse-ajaccio", "bastia-numerique-bastia", "france-cyber-national-paris"]
    assert await slugs(client, department="2B") == [
        "bastia-numerique-bastia", "cyber-defense-corse-ajaccio", "france-cyber-national-paris"]
    # Mayotte: the one located there and the Réunion one covering 976, then national.
    assert await slugs(client, postal_code="97600") == [
        "mayotte-services-mamoudzou", "reunion-digitale-saint-denis", "france-cyber-national-paris"]
    assert await slugs(client, region="04") == ["reunion-digitale-saint-denis", "france-cyber-national-paris"]
    assert await slugs(client, postal_code="98800") == ["noumea-tech-noumea", "france-cyber-national-paris"]
    assert await slugs(client, department="69", domain="cybersecurite") == [
        "securite-informatique-lyon-lyon", "france-cyber-national-paris"]
    assert await slugs(client, q="cybersecurite", postal_code="20000") == [
        "cyber-defense-corse-ajaccio", "france-cyber-national-paris"]
    assert await slugs(client, service="formation", structure_type="organisme_formation") == [
        "france-cyber-national-paris"]
    assert set(await slugs(client, domain=["gestion_interne", "gestion_donnees"])) == {
        "mayotte-services-mamoudzou", "securite-informatique-lyon-lyon"}


async def test_pagination_is_stable_and_complete(client, corpus):
    everything = await slugs(client, page_size=100)
    paged: list[str] = []
    for page in (1, 2, 3, 4):
        body = (await client.get("/api/v1/activators", params={"page": page, "page_size": 3})).json()
        assert body["total"] == len(CORPUS) and body["page"] == page and body["page_size"] == 3
        paged += [item["slug"] for item in body["items"]]
    assert paged == everything and len(set(paged)) == len(CORPUS)
    past = (await client.get("/api/v1/activators", params={"department": "69", "page": 9})).json()
    assert past["items"] == [] and past["total"] == 4


BAD_CRITERIA = [
    ({"colour": "blue"}, 400, "colour"),
    ({"page_size": 0}, 422, "page_size"),
    ({"page_size": 10_000}, 422, "page_size"),
    ({"page": -1}, 422, "page"),
    ({"page": "abc"}, 422, "page"),
    ({"postal_code": "7501"}, 422, "postal_code"),
    ({"postal_code": "99999"}, 422, "postal_code"),
    ({"department": "20"}, 422, "department"),
    ({"region": "xx"}, 422, "region"),
    ({"department": "75", "postal_code": "69003"}, 422, "department"),
    ({"domain": "plomberie"}, 422, "domain"),
    ({"structure_type": "x"}, 422, "structure_type"),
    ({"q": "a\x00b"}, 422, "q"),
    ({"q": "x" * 500}, 422, "q"),
]


async def test_bad_criteria_get_a_clear_4xx(client):
    for params, status, mentions in BAD_CRITERIA:
        response = await client.get("/api/v1/activators", params=params)
        assert response.status_code == status, (params, response.text)
        assert mentions in json.dumps(response.json()["detail"]), params


async def test_profile_page_counts_views_in_batches_and_search_appearances(client, corpus, directory):
    for _ in range(3):
        assert (await client.get("/api/v1/activators/grenoble-conseil-grenoble")).status_code == 200
    assert (await client.get("/api/v1/activators/nobody-here")).status_code == 404
    assert (await client.get("/api/v1/activators/" + "x" * 300)).status_code == 404
    sid = corpus["grenoble-conseil-grenoble"]
    counters = directory.directory.counters
    await eventually(lambda: _is(counters.views_of(sid), 3), what="views flushed")


async def _is(awaitable, expected) -> bool:
    return await awaitable == expected


async def test_open_data_exports_are_utf8_with_the_published_columns(client, corpus):
    response = await client.get("/api/v1/open-data/activators.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert len(rows) == len(CORPUS)
    ajaccio = next(row for row in rows if row["nom"] == "Cyber Défense Corse")
    assert ajaccio == {
        "identifiant": str(corpus["cyber-defense-corse-ajaccio"]), "nom": "Cyber Défense Corse",
        "type": "Entreprise de services numériques", "categorie": ajaccio["categorie"],
        "adresse": "12 rue de la Roquette", "code_postal": "20000", "ville": "Ajaccio", "region": "Corse",
        "url_fiche": "https://activateurs.example.fr/activateurs/cyber-defense-corse-ajaccio"}
    as_json = (await client.get("/api/v1/open-data/activators.json")).json()
    assert sorted(as_json, key=lambda r: r["identifiant"]) == sorted(rows, key=lambda r: r["identifiant"])


PUBLIC_PROFILE_KEYS = {
    "structure_id", "slug", "url", "name", "structure_type", "structure_type_label", "category", "address", "city",
    "postal_code", "department", "department_name", "region", "region_name", "intervention_area", "headcount_band",
    "website", "social_links", "description", "pricing", "domains", "services", "client_references", "networks",
    "certifications", "members"}


async def test_nothing_non_public_appears_in_any_public_answer(client, corpus):
    answers = [
        await client.get("/api/v1/activators", params={"page_size": 100}),
        await client.get("/api/v1/activators", params={"q": "cyber"}),
        await client.get("/api/v1/open-data/activators.csv"),
        await client.get("/api/v1/open-data/activators.json"),
    ]
    for slug in CORPUS:
        page = await client.get(f"/api/v1/activators/{slug}")
        assert set(page.json()) == PUBLIC_PROFILE_KEYS
        answers.append(page)
    for answer in answers:
        assert answer.status_code == 200
        for secret in (SECRET_EMAIL, SECRET_TIMEZONE, "routing", "contact_emails", "exemple-prive"):
            assert secret not in answer.text, (answer.request.url, secret)
