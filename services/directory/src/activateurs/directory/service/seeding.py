"""`activateurs-directory seed --count N`: N realistic published profiles, for benchmarks and demos."""

from __future__ import annotations

import random
import time
import uuid
from datetime import timedelta

import sqlalchemy as sa

from activateurs.shared.contracts.dossier import Profile
from activateurs.shared.contracts.vocabulary import Domain, HeadcountBand, Service, StructureType
from activateurs.shared.db import Database

from ..adapters import repository
from ..adapters.tables import structures
from ..domain.geography import Geography
from ..domain.slugs import base_slug
from .publication import Publisher

WORDS = ["Atelier", "Agence", "Studio", "Cabinet", "Collectif", "Réseau", "Maison", "Labo", "Conseil", "Digital"]
THEMES = ["Numérique", "Web", "Pixel", "Cyber", "Data", "Horizon", "Boussole", "Clic", "Lumière", "Azur", "Sud",
          "Ouest", "Alpes", "Océan", "Émeraude", "Forge", "Ruche", "Tremplin", "Envol", "Passerelle"]
OFFERS = ["Création de sites internet et de boutiques en ligne", "Audit de cybersécurité et sensibilisation",
          "Animation des réseaux sociaux et communication en ligne", "Formation des équipes aux outils numériques",
          "Numérisation de la gestion interne : facturation, stocks, planning", "Stratégie numérique des TPE",
          "Protection des données et sauvegardes", "Référencement naturel et publicité en ligne",
          "Accompagnement à la mise en œuvre d'un logiciel de caisse", "Tableaux de bord et gestion des données"]


def fake_profile(rng: random.Random, geography: Geography, postal_codes: list[str], i: int) -> Profile:
    postal_code = rng.choice(postal_codes)
    place = geography.place(postal_code)
    assert place is not None
    department, region = place.department, place.region
    neighbours = geography.departments_of(region)
    area = rng.sample(neighbours, min(len(neighbours), rng.randint(1, 3))) if rng.random() < 0.2 else []
    return Profile.model_validate({
        "name": f"{rng.choice(WORDS)} {rng.choice(THEMES)} {i}", "structure_type": rng.choice(list(StructureType)),
        "category": "privee", "address": {"street": f"{rng.randint(1, 200)} rue de la République",
                                          "postal_code": postal_code, "city": place.communes[0]},
        "department": department, "region": region,
        "intervention_area": {"departments": area, "national": rng.random() < 0.03},
        "headcount_band": rng.choice(list(HeadcountBand)), "website": f"https://activateur-{i}.example.fr",
        "description": ". ".join(rng.sample(OFFERS, 2)), "pricing": "Premier rendez-vous offert",
        "domains": rng.sample(list(Domain), rng.randint(1, 3)), "services": rng.sample(list(Service), rng.randint(1, 2)),
        "client_references": [f"Commerce {rng.randint(1, 999)}"],
        "routing": {"contact_emails": [f"contact@activateur-{i}.example.fr"], "department": department},
    })


async def seed(db: Database, publisher: Publisher, count: int, *, batch: int = 2000, seed: int = 42) -> float:
    """Insert `count` online profiles (same projections as real publication); returns the seconds taken."""
    started = time.perf_counter()
    rng = random.Random(seed)
    geography = publisher.geography
    postal_codes = sorted(geography.postal_codes)
    now = db.clock.now()
    for offset in range(0, count, batch):
        rows = []
        for i in range(offset, min(count, offset + batch)):
            structure_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            profile = fake_profile(rng, geography, postal_codes, i)
            slug = base_slug(profile.name, profile.address.city)
            rows.append({
                "structure_id": structure_id, "slug": slug, "online": True, "accepted_at": now - timedelta(days=1),
                "profile_at": now - timedelta(days=1), "profile": profile.model_dump(mode="json", exclude={"routing"}),
                "published_at": now, "changed_at": now,
                **publisher.projection(structure_id, slug, profile, set()),
            })
        async with db.uow() as uow:
            # Bulk load: GIN entries gathered in a large pending list, no wait for the WAL flush.
            await uow.session.execute(sa.text("SET LOCAL gin_pending_list_limit = '256MB'"))
            await uow.session.execute(sa.text("SET LOCAL synchronous_commit = off"))
            await uow.session.execute(sa.insert(structures), rows)
            await repository.next_search_generation(uow.session)
            await uow.commit()
    # End of the bulk load: VACUUM moves the GIN pending lists into the indexes (else every search
    # scans them linearly, and the first ordinary write flushes them all in one long stall) and sets
    # the visibility map (index-only scans of the covering indexes); ANALYZE gives the planner figures.
    async with db.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(sa.text("VACUUM ANALYZE structures"))
    return time.perf_counter() - started
