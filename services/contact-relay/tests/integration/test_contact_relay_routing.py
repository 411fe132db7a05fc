"""The routing table: kept from the other services' events, duplicates and late events changing nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa

from activateurs.contact_relay.adapters.tables import structures
from activateurs.contact_relay.service import routing
from activateurs.shared.contracts.directory import PublicationData, StructureUnpublished
from activateurs.shared.contracts.registration import (
    AccountDeleted,
    AccountDeletedData,
    ProfileUpdated,
    ProfileUpdatedData,
    StructureLeftData,
    StructureWithdrawn,
)
from activateurs.shared.contracts.validation import (
    SanctionData,
    StructureReinstated,
    StructureStruckOff,
    StructureSuspended,
)
from tests.support.waiting import eventually

from ..conftest import accepted, online, profile, publish_structure, published, request_body


def _at(relay, minutes):
    return relay.clock.now() + timedelta(minutes=minutes)


async def _row(relay, structure_id):
    return (await relay.rows(sa.select(structures).where(structures.c.structure_id == structure_id)))[0]


async def test_published_only_after_acceptance_and_publication_in_any_order(relay):
    sid = uuid.uuid4()
    # The directory's event overtakes validation's: not routable until the profile (with its routing) arrives.
    assert await routing.apply(relay.db, published(sid, "numerique-et-co", _at(relay, 1)))
    assert not await online(relay, "numerique-et-co")
    assert await routing.apply(relay.db, accepted(sid, _at(relay, 0), emails=("A@Numerique.fr",)))
    assert await online(relay, "numerique-et-co")
    row = await _row(relay, sid)
    assert row.contact_emails == ["a@numerique.fr"] and row.department == "75" and row.timezone == "Europe/Paris"


async def test_latest_occurred_at_wins_and_duplicates_are_skipped(relay):
    sid = uuid.uuid4()
    await routing.apply(relay.db, accepted(sid, _at(relay, 0)))
    await routing.apply(relay.db, published(sid, "s1", _at(relay, 0)))
    newer = ProfileUpdated.new(ProfileUpdatedData(structure_id=sid, profile=profile(name="Nouveau nom",
                                                                                      emails=("new@x.fr",))),
                               producer="registration", occurred_at=_at(relay, 10))
    older = ProfileUpdated.new(ProfileUpdatedData(structure_id=sid, profile=profile(name="Ancien nom")),
                               producer="registration", occurred_at=_at(relay, 5))
    assert await routing.apply(relay.db, newer)
    assert await routing.apply(relay.db, older)  # late: applied to the inbox, changes nothing
    assert not await routing.apply(relay.db, newer)  # the same event again: skipped
    row = await _row(relay, sid)
    assert row.name == "Nouveau nom" and row.contact_emails == ["new@x.fr"]

    # Unpublished at 20, then a stale "published" of 15 arrives: stays offline.
    await routing.apply(relay.db, StructureUnpublished.new(
        PublicationData(structure_id=sid, slug="s1", url="https://x.fr/s1", at=_at(relay, 20)),
        producer="directory", occurred_at=_at(relay, 20)))
    await routing.apply(relay.db, published(sid, "s1", _at(relay, 15)))
    assert not await online(relay, "s1")
    await routing.apply(relay.db, published(sid, "s1", _at(relay, 30)))
    assert await online(relay, "s1")


async def test_suspension_reinstatement_strike_off_withdrawal_and_deletion(relay):
    def sanction(cls, sid, minutes):
        return cls.new(SanctionData(structure_id=sid, reason="motif"), producer="validation",
                       occurred_at=_at(relay, minutes))

    sid = uuid.uuid4()
    await routing.apply(relay.db, accepted(sid, _at(relay, 0)))
    await routing.apply(relay.db, published(sid, "s2", _at(relay, 0)))
    await routing.apply(relay.db, sanction(StructureSuspended, sid, 5))
    assert not await online(relay, "s2")
    await routing.apply(relay.db, sanction(StructureReinstated, sid, 3))  # older than the suspension: ignored
    assert not await online(relay, "s2")
    await routing.apply(relay.db, sanction(StructureReinstated, sid, 6))
    assert await online(relay, "s2")
    await routing.apply(relay.db, sanction(StructureStruckOff, sid, 7))
    assert not await online(relay, "s2")
    await routing.apply(relay.db, accepted(sid, _at(relay, 8)))  # a strike-off is for good
    assert not await online(relay, "s2")

    withdrawn = uuid.uuid4()
    await routing.apply(relay.db, accepted(withdrawn, _at(relay, 0)))
    await routing.apply(relay.db, published(withdrawn, "s3", _at(relay, 0)))
    await routing.apply(relay.db, StructureWithdrawn.new(StructureLeftData(structure_id=withdrawn, reason="départ"),
                                                         producer="registration", occurred_at=_at(relay, 5)))
    assert not await online(relay, "s3")
    await routing.apply(relay.db, accepted(withdrawn, _at(relay, 60)))  # accepted again after applying again
    assert await online(relay, "s3")

    account = uuid.uuid4()
    deleted = uuid.uuid4()
    await routing.apply(relay.db, accepted(deleted, _at(relay, 0), account_id=account))
    await routing.apply(relay.db, published(deleted, "s4", _at(relay, 0)))
    await routing.apply(relay.db, AccountDeleted.new(AccountDeletedData(account_id=account, structure_id=deleted),
                                                     producer="registration", occurred_at=_at(relay, 5)))
    assert not await online(relay, "s4")
    assert (await _row(relay, deleted)).contact_emails == []


async def test_events_arrive_through_the_broker_and_a_bad_payload_is_dead_lettered(relay, amqp):
    sid, slug = await publish_structure(relay, amqp)
    await amqp.publish_event(StructureSuspended.new(SanctionData(structure_id=sid, reason="x"), producer="validation",
                                                    occurred_at=_at(relay, 1)))

    async def offline():
        return not await online(relay, slug)

    await eventually(offline, what="suspension applied")
    await amqp.publish_raw("validation.structure.suspended.v1", b'{"not": "an event"}', message_id=str(uuid.uuid4()))
    dead = await eventually(lambda: amqp.drain("contact-relay.routing.dead-letter"), what="bad payload dead-lettered")
    assert dead[0].body == {"not": "an event"}
    response = await relay.http.post("/api/v1/contact-requests", json=request_body(slug))
    assert response.status_code == 404


async def test_openapi_and_asyncapi_documents_show_the_contract(relay):
    paths = (await relay.http.get("/openapi.json")).json()["paths"]
    assert {"/api/v1/contact-requests", "/api/v1/contact-requests/{request_id}/acknowledgement",
            "/api/v1/contact-requests/{request_id}/redirection", "/api/v1/me/contact-requests",
            "/api/v1/sla-report"} <= set(paths)
    asyncapi = (await relay.http.get("/asyncapi.json")).text
    for key in ("contact-relay.routing", "validation.dossier.accepted.v1", "directory.structure.published.v1",
                "contact_relay.request.forwarded.v1", "contact_relay.request.overdue.v1"):
        assert key in asyncapi, key
