"""Publication from events: accepted → online at once; every unpublish cause; updates; out-of-order and duplicates."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from activateurs.directory.adapters.tables import structures
from activateurs.shared.contracts.directory import StructurePublished, StructureUnpublished
from activateurs.shared.contracts.registration import (
    AccountDeleted,
    AccountDeletedData,
    MemberWithdrawn,
    MemberWithdrawnData,
    ProfileUpdated,
    ProfileUpdatedData,
    StructureCancelled,
    StructureLeftData,
    StructureWithdrawn,
)
from activateurs.shared.contracts.validation import (
    SanctionData,
    StructureReinstated,
    StructureStruckOff,
    StructureSuspended,
)
from tests.support.waiting import eventually, stays

from ..conftest import accepted, at, make_profile

PUBLICATION_KEYS = (StructurePublished.routing_key, StructureUnpublished.routing_key)


async def online(client, slug: str) -> bool:
    return (await client.get(f"/api/v1/activators/{slug}")).status_code == 200


async def found_by_search(client, q: str) -> list[str]:
    body = (await client.get("/api/v1/activators", params={"q": q})).json()
    return [item["slug"] for item in body["items"]]


def sanction(cls, structure_id, minute):
    return cls.new(SanctionData(structure_id=structure_id, reason="motif"), producer="validation",
                   occurred_at=at(minute))


def left(cls, structure_id, minute):
    return cls.new(StructureLeftData(structure_id=structure_id, reason="motif"), producer="registration",
                   occurred_at=at(minute))


async def test_an_accepted_dossier_is_published_at_once_and_searchable(client, amqp):
    events = await amqp.listen(*PUBLICATION_KEYS)
    sid = uuid.uuid4()
    await amqp.publish_event(accepted(sid, make_profile("Atelier Pixel", description="Création de boutiques en ligne")))
    await eventually(lambda: found_by_search(client, "boutique"), what="searchable")
    assert await found_by_search(client, "boutique") == ["atelier-pixel-paris"]
    page = (await client.get("/api/v1/activators/atelier-pixel-paris")).json()
    assert page["structure_id"] == str(sid) and page["name"] == "Atelier Pixel"
    assert page["url"] == "https://activateurs.example.fr/activateurs/atelier-pixel-paris"
    published = await eventually(lambda: events, what="published event")
    assert published[0].routing_key == StructurePublished.routing_key
    assert published[0].body["data"]["slug"] == "atelier-pixel-paris"
    assert published[0].body["data"]["structure_id"] == str(sid)


def unpublish_cause(cause, sid, referent):
    if cause == "referent_deleted":
        return AccountDeleted.new(AccountDeletedData(account_id=referent, structure_id=sid), producer="registration",
                                  occurred_at=at(5))
    if cause in ("withdrawn", "cancelled"):
        return left(StructureWithdrawn if cause == "withdrawn" else StructureCancelled, sid, 5)
    return sanction(StructureSuspended if cause == "suspended" else StructureStruckOff, sid, 5)


async def test_every_unpublish_cause_takes_the_profile_offline(client, amqp):
    events = await amqp.listen(StructureUnpublished.routing_key)
    causes = ["suspended", "struck_off", "withdrawn", "cancelled", "referent_deleted"]
    structures = {cause: (uuid.uuid4(), uuid.uuid4()) for cause in causes}
    for cause, (sid, referent) in structures.items():
        await amqp.publish_event(accepted(sid, make_profile(f"Cyber Garde {cause}"), account_id=referent))
    slugs = {cause: f"cyber-garde-{cause.replace('_', '-')}-paris" for cause in causes}
    for slug in slugs.values():
        await eventually(lambda slug=slug: online(client, slug), what=f"{slug} online")
    for cause, (sid, referent) in structures.items():
        await amqp.publish_event(unpublish_cause(cause, sid, referent))
    await eventually(lambda: len(events) == len(causes), what="unpublished events")
    assert {event.body["data"]["slug"] for event in events} == set(slugs.values())
    for slug in slugs.values():
        assert (await client.get(f"/api/v1/activators/{slug}")).status_code == 404
    assert await found_by_search(client, "cyber garde") == []


async def test_reinstatement_republishes_but_not_after_a_strike_off(client, amqp):
    sid = uuid.uuid4()
    await amqp.publish_event(accepted(sid, make_profile("Réseau Sûr")))
    await eventually(lambda: online(client, "reseau-sur-paris"), what="online")
    await amqp.publish_event(sanction(StructureSuspended, sid, 1))
    await eventually(lambda: not_online(client, "reseau-sur-paris"), what="offline")
    await amqp.publish_event(sanction(StructureReinstated, sid, 2))
    await eventually(lambda: online(client, "reseau-sur-paris"), what="back online")
    await amqp.publish_event(sanction(StructureStruckOff, sid, 3))
    await eventually(lambda: not_online(client, "reseau-sur-paris"), what="struck off")
    await amqp.publish_event(sanction(StructureReinstated, sid, 4))  # not a way back
    await stays(lambda: not_online(client, "reseau-sur-paris"), seconds=0.8, what="stays offline")


async def not_online(client, slug: str) -> bool:
    return not await online(client, slug)


async def test_out_of_order_and_duplicate_events_converge_to_the_latest_state(client, amqp, directory):
    events = await amqp.listen(*PUBLICATION_KEYS)
    sid = uuid.uuid4()
    first = accepted(sid, make_profile("Ancien Nom", description="ancienne offre"), at(0))
    newer = ProfileUpdated.new(ProfileUpdatedData(structure_id=sid, profile=make_profile(
        "Ancien Nom", description="nouvelle offre de formation")), producer="registration", occurred_at=at(10))
    # The update arrives before the acceptance, the acceptance twice, a stale suspension/reinstatement pair.
    await amqp.publish_event(newer)
    await amqp.publish_event(sanction(StructureReinstated, sid, 8))
    await amqp.publish_event(first)
    await amqp.publish_event(first)
    await amqp.publish_event(sanction(StructureSuspended, sid, 5))  # older than the reinstatement: moot
    await amqp.publish_event(newer)
    await eventually(lambda: online(client, "ancien-nom-paris"), what="online")
    await stays(lambda: online(client, "ancien-nom-paris"), seconds=0.8, what="stays online")
    page = (await client.get("/api/v1/activators/ancien-nom-paris")).json()
    assert page["description"] == "nouvelle offre de formation"
    assert [e.routing_key for e in events] == [StructurePublished.routing_key]  # once, not per duplicate


async def test_profile_update_republishes_and_keeps_the_slug(client, amqp):
    events = await amqp.listen(StructurePublished.routing_key)
    sid = uuid.uuid4()
    await amqp.publish_event(accepted(sid, make_profile("Studio Lumière")))
    await eventually(lambda: online(client, "studio-lumiere-paris"), what="online")
    await amqp.publish_event(ProfileUpdated.new(ProfileUpdatedData(structure_id=sid, profile=make_profile(
        "Studio Lumière Digital", city="Lyon", postal_code="69003", department="69", region="84")),
        producer="registration", occurred_at=at(3)))
    await eventually(lambda: len(events) == 2, what="republished")
    page = (await client.get("/api/v1/activators/studio-lumiere-paris")).json()
    assert page["name"] == "Studio Lumière Digital" and page["department"] == "69"
    assert events[1].body["data"]["slug"] == "studio-lumiere-paris"


async def test_same_name_and_city_get_distinct_slugs(client, amqp):
    one, two = uuid.uuid4(), uuid.uuid4()
    await amqp.publish_event(accepted(one, make_profile("Web Conseil")))
    await eventually(lambda: online(client, "web-conseil-paris"), what="first")
    await amqp.publish_event(accepted(two, make_profile("Web Conseil")))
    slug = f"web-conseil-paris-{two.hex[:6]}"
    await eventually(lambda: online(client, slug), what="second")
    assert (await client.get(f"/api/v1/activators/{slug}")).json()["structure_id"] == str(two)


async def test_member_withdrawal_and_deletion_remove_the_card_for_good(client, amqp, directory):
    sid, kept, leaving, deleted = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def card(account_id, first):
        return {"account_id": str(account_id), "first_name": first, "last_name": "Martin", "avatar_initials": "XM"}

    profile = make_profile("Équipe Claire", members=[card(kept, "Kim"), card(leaving, "Léa"), card(deleted, "Noé")])
    await amqp.publish_event(accepted(sid, profile))
    await eventually(lambda: online(client, "equipe-claire-paris"), what="online")
    await amqp.publish_event(MemberWithdrawn.new(MemberWithdrawnData(structure_id=sid, account_id=leaving),
                                                 producer="registration", occurred_at=at(2)))
    await amqp.publish_event(AccountDeleted.new(AccountDeletedData(account_id=deleted), producer="registration",
                                                occurred_at=at(3)))

    async def members():
        return [m["first_name"] for m in (await client.get("/api/v1/activators/equipe-claire-paris")).json()["members"]]

    await eventually(lambda: _equals(members(), ["Kim"]), what="cards removed")
    # A later profile update still listing them (sent before registration caught up) does not bring them back.
    await amqp.publish_event(ProfileUpdated.new(ProfileUpdatedData(structure_id=sid, profile=profile),
                                                producer="registration", occurred_at=at(4)))
    await stays(lambda: _equals(members(), ["Kim"]), seconds=0.8, what="cards stay removed")
    page = await client.get("/api/v1/activators/equipe-claire-paris")
    assert "account_id" not in page.text and str(leaving) not in page.text
    # Forgotten, not only hidden: the stored profile keeps no card of theirs either.
    stored = await stored_row(directory, sid)
    assert [card["first_name"] for card in stored["profile"]["members"]] == ["Kim"]


async def test_the_referents_account_deletion_erases_the_profile_but_keeps_the_tombstone(client, amqp, directory):
    sid, referent = uuid.uuid4(), uuid.uuid4()
    profile = make_profile("Atelier Ysolde Quenneville", members=[
        {"account_id": str(uuid.uuid4()), "first_name": "Ysolde", "last_name": "Quenneville",
         "avatar_initials": "YQ"}])
    await amqp.publish_event(accepted(sid, profile, account_id=referent))
    await eventually(lambda: online(client, "atelier-ysolde-quenneville-paris"), what="online")

    await amqp.publish_event(AccountDeleted.new(AccountDeletedData(account_id=referent, structure_id=sid),
                                                producer="registration", occurred_at=at(5)))
    await eventually(lambda: _not(online(client, "atelier-ysolde-quenneville-paris")), what="offline")
    stored = await stored_row(directory, sid)
    assert stored["slug"] == "atelier-ysolde-quenneville-paris" and not stored["online"]
    assert "Quenneville" not in repr({k: v for k, v in stored.items() if k != "slug"})
    assert stored["profile"] is None and stored["public_json"] is None and stored["name"] is None


async def stored_row(directory, structure_id) -> dict:
    async with directory.database.sessions() as session:
        return dict((await session.execute(sa.select(structures).where(structures.c.structure_id == structure_id))
                     ).mappings().one())


async def _not(awaitable) -> bool:
    return not await awaitable


async def _equals(awaitable, expected) -> bool:
    return await awaitable == expected
