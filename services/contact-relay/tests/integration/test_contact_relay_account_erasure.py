"""Mails to a structure carry its account (the notifier erases them with it) and keys without the address;
the account's deletion removes its addresses from the relay whatever the order of the events."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import sqlalchemy as sa

from activateurs.contact_relay.adapters.tables import structures
from activateurs.contact_relay.service import routing, sweeper
from activateurs.shared.contracts.registration import (
    AccountDeleted,
    AccountDeletedData,
    ProfileUpdated,
    ProfileUpdatedData,
)
from activateurs.shared.contracts.validation import SanctionData, StructureStruckOff
from activateurs.shared.messaging.tables import outbox
from tests.support.waiting import eventually

from ..conftest import accepted, emails, online, profile, publish_structure, published, request_body

STRUCTURE_TEMPLATES = ("contact_forwarded", "contact_ack_reminder", "contact_overdue_activator",
                       "contact_redirected_activator")


def _deletion(relay, account_id: uuid.UUID, minutes: int = 0) -> AccountDeleted:
    return AccountDeleted.new(AccountDeletedData(account_id=account_id), producer="registration",
                              occurred_at=relay.clock.now() + timedelta(minutes=minutes))


async def _payloads(relay) -> list[str]:
    return [row.payload for row in await relay.rows(sa.select(outbox.c.payload))]


async def _contact_emails(relay, structure_id: uuid.UUID) -> list[str]:
    return await relay.scalar(sa.select(structures.c.contact_emails).where(structures.c.structure_id == structure_id))


async def test_every_mail_to_the_structure_names_its_account_and_keys_hide_the_address(relay, amqp, issuer):
    account, target_account = uuid.uuid4(), uuid.uuid4()
    structure_id, slug = await publish_structure(relay, amqp, account_id=account,
                                                 emails=("claire@numerique.fr", "julien@numerique.fr"))
    target_id, target_slug = await publish_structure(relay, amqp, account_id=target_account, emails=("web@atelier.fr",))
    first = (await relay.http.post("/api/v1/contact-requests", json=request_body(slug))).json()["id"]
    second = (await relay.http.post("/api/v1/contact-requests", json=request_body(slug))).json()["id"]
    relay.clock.advance(timedelta(hours=24))
    assert await sweeper.sweep(relay.db, relay.service.links) == sweeper.SweepResult(2, 0)
    redirected = await relay.http.post(f"/api/v1/contact-requests/{second}/redirection",
                                       json={"activator_slug": target_slug},
                                       headers=issuer.headers("activator", structure_id=str(structure_id)))
    assert redirected.status_code == 202, redirected.text
    relay.clock.advance(timedelta(hours=24))  # the first request's deadline, the redirected one's half time
    assert await sweeper.sweep(relay.db, relay.service.links) == sweeper.SweepResult(1, 1)

    mails = [m for m in await emails(relay) if m["template"] in STRUCTURE_TEMPLATES]
    assert sorted((m["template"], m["to"]) for m in mails) == [
        ("contact_ack_reminder", "claire@numerique.fr"), ("contact_ack_reminder", "claire@numerique.fr"),
        ("contact_ack_reminder", "julien@numerique.fr"), ("contact_ack_reminder", "julien@numerique.fr"),
        ("contact_ack_reminder", "web@atelier.fr"),
        ("contact_forwarded", "claire@numerique.fr"), ("contact_forwarded", "claire@numerique.fr"),
        ("contact_forwarded", "julien@numerique.fr"), ("contact_forwarded", "julien@numerique.fr"),
        ("contact_overdue_activator", "claire@numerique.fr"), ("contact_overdue_activator", "julien@numerique.fr"),
        ("contact_redirected_activator", "web@atelier.fr")]
    for mail in mails:
        expected = target_account if mail["to"] == "web@atelier.fr" else account
        assert mail["account_id"] == str(expected), mail["template"]
        assert mail["to"] not in mail["idempotency_key"] and "@" not in mail["idempotency_key"]
    keys = [m["idempotency_key"] for m in mails]
    assert len(set(keys)) == len(keys)  # one key per request, kind and recipient
    overdue = {m["to"]: m["idempotency_key"] for m in mails if m["template"] == "contact_overdue_activator"}
    assert all(key.startswith(f"contact-relay:{first}:overdue:{structure_id}:") for key in overdue.values())
    # The business's own mails are not the account's.
    business = [m for m in await emails(relay) if m["template"] not in STRUCTURE_TEMPLATES]
    assert business and all(m["account_id"] is None for m in business)


async def test_account_deletion_erases_its_addresses_from_routing_and_published_mails(relay, amqp):
    account = uuid.uuid4()
    structure_id, slug = await publish_structure(relay, amqp, account_id=account, emails=("claire@numerique.fr",))
    other_id, other_slug = await publish_structure(relay, amqp, emails=("web@atelier.fr",))
    for target in (slug, other_slug):
        assert (await relay.http.post("/api/v1/contact-requests", json=request_body(target))).status_code == 202

    async def all_published() -> bool:
        return await relay.scalar(sa.select(sa.func.count()).select_from(outbox)
                                  .where(outbox.c.published_at.is_(None))) == 0

    await eventually(all_published, what="the outbox published")
    assert any("claire@numerique.fr" in payload for payload in await _payloads(relay))

    assert await routing.apply(relay.db, _deletion(relay, account, minutes=5))
    assert not await online(relay, slug)
    assert await _contact_emails(relay, structure_id) == []
    payloads = await _payloads(relay)
    assert not any("claire@numerique.fr" in payload for payload in payloads)
    # Everything else stays: the other structure's mails, and the business's own mails of both requests.
    assert any("web@atelier.fr" in payload for payload in payloads)
    confirmations = [json.loads(p) for p in payloads if '"contact_confirmation"' in p]
    assert len(confirmations) == 2
    assert await _contact_emails(relay, other_id) == ["web@atelier.fr"]


async def test_late_events_never_bring_a_deleted_accounts_addresses_back(relay):
    def at(minutes: int):
        return relay.clock.now() + timedelta(minutes=minutes)

    # Deleted after a newer strike-off was applied: the addresses go all the same.
    account, structure_id = uuid.uuid4(), uuid.uuid4()
    await routing.apply(relay.db, accepted(structure_id, at(0), account_id=account))
    await routing.apply(relay.db, published(structure_id, "struck", at(0)))
    await routing.apply(relay.db, StructureStruckOff.new(SanctionData(structure_id=structure_id, reason="motif"),
                                                         producer="validation", occurred_at=at(20)))
    await routing.apply(relay.db, _deletion(relay, account, minutes=10))
    assert await _contact_emails(relay, structure_id) == []
    # A profile update older than the deletion, arriving after it, does not restore them.
    late = ProfileUpdated.new(ProfileUpdatedData(structure_id=structure_id, profile=profile(emails=("new@x.fr",))),
                              producer="registration", occurred_at=at(5))
    assert await routing.apply(relay.db, late)
    assert await _contact_emails(relay, structure_id) == []

    # Deletion first, acceptance after (out of order): the structure never routes, no address is kept.
    account, structure_id = uuid.uuid4(), uuid.uuid4()
    await routing.apply(relay.db, _deletion(relay, account, minutes=10))
    await routing.apply(relay.db, accepted(structure_id, at(0), account_id=account))
    await routing.apply(relay.db, published(structure_id, "gone", at(1)))
    assert not await online(relay, "gone")
    assert await _contact_emails(relay, structure_id) == []
    later = accepted(structure_id, at(60), account_id=account)  # even a later acceptance: deletion is final
    await routing.apply(relay.db, later)
    assert not await online(relay, "gone")
    assert await _contact_emails(relay, structure_id) == []


async def test_after_the_deletion_neither_relay_nor_notifier_keeps_the_structures_address(relay, amqp, notifier,
                                                                                          smtp):
    from activateurs.notifier.adapters.tables import emails as sent_mails

    account = uuid.uuid4()
    structure_id, slug = await publish_structure(relay, amqp, account_id=account, emails=("claire@numerique.fr",))
    assert (await relay.http.post("/api/v1/contact-requests", json=request_body(slug))).status_code == 202
    await eventually(lambda: [m for m in smtp.mails if "claire@numerique.fr" in m.recipients],
                     what="the forwarded mail sent")

    async def notifier_rows() -> list[str]:
        async with notifier.database.sessions() as session:
            return [" ".join(map(str, row)) for row in (await session.execute(sa.select(sent_mails))).all()]

    async def sent_recorded() -> bool:
        async with notifier.database.sessions() as session:
            return (await session.execute(sa.select(sa.func.count()).select_from(sent_mails)
                                          .where(sent_mails.c.status == "sent"))).scalar() == 2

    await eventually(sent_recorded, what="both mails recorded as sent")
    assert any("claire@numerique.fr" in row for row in await notifier_rows())

    await amqp.publish_event(_deletion(relay, account, minutes=5))

    async def forgotten() -> bool:
        return (not any("claire@numerique.fr" in row for row in await notifier_rows())
                and await _contact_emails(relay, structure_id) == [])

    await eventually(forgotten, what="the address gone from the notifier and the routing")
    assert not any("claire@numerique.fr" in payload for payload in await _payloads(relay))
    # The business's confirmation is not the account's: it stays until the retention.
    assert any("paul.martin@boulangerie.fr" in row for row in await notifier_rows())
