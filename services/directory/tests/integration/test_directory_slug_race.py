"""Two replicas accepting two structures of the same name at the same moment: both publish, neither dead-letters."""

from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa

from activateurs.directory.adapters import repository
from activateurs.directory.adapters.geography import load_geography
from activateurs.directory.adapters.tables import structures
from activateurs.directory.domain.publication import Fact
from activateurs.directory.service.publication import Publisher
from activateurs.shared.db import Database

from ..conftest import accepted, make_profile


async def test_same_name_on_two_replicas_at_once_both_get_online_with_distinct_slugs(databases, monkeypatch):
    url = await databases.fresh("directory")
    replicas = [Database(url), Database(url)]
    publishers = [Publisher(db, load_geography(), "https://activateurs.example.fr", consumer="directory.publication")
                  for db in replicas]
    # Both replicas look for free slugs before either has written: each sees the name free.
    both_looked = asyncio.Barrier(2)
    slugs_taken = repository.slugs_taken
    looks: list[set[str]] = []

    async def looking_together(session, slugs):
        found = await slugs_taken(session, slugs)
        looks.append(set(found))  # a copy: the caller adds the slugs it takes
        if len(looks) <= 2:
            await asyncio.wait_for(both_looked.wait(), 30)
        return found

    monkeypatch.setattr(repository, "slugs_taken", looking_together)
    ids = [uuid.uuid4(), uuid.uuid4()]
    profile = make_profile("Atelier Jumeau")
    try:
        await asyncio.gather(*(
            publisher.handle(event, sid, fact=Fact.ACCEPTED, profile=profile, account_id=event.data.account_id)
            for publisher, sid, event in zip(publishers, ids, (accepted(sid, profile) for sid in ids), strict=True)))
        assert looks[0] == looks[1] == set()  # the race did happen: both saw the slug free
        assert len(looks) == 3  # and exactly one replica wrote its batch again
        async with replicas[0].sessions() as session:
            rows = (await session.execute(sa.select(structures.c.structure_id, structures.c.slug, structures.c.online)
                                          .where(structures.c.structure_id.in_(ids)))).all()
        assert all(row.online for row in rows) and len(rows) == 2
        slugs = {row.structure_id: row.slug for row in rows}
        assert sorted(slugs.values())[0] == "atelier-jumeau-paris"
        second = next(sid for sid, slug in slugs.items() if slug != "atelier-jumeau-paris")
        assert slugs[second] == f"atelier-jumeau-paris-{second.hex[:6]}"
    finally:
        for db in replicas:
            await db.dispose()
