"""The event contracts: every routing key of CONTRACTS.md registered, JSON round trips, frozen, tolerant."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import uuid4

import pydantic
import pytest

from activateurs.shared.contracts import EVENT_TYPES, Event, UnknownEventType, parse_event
from activateurs.shared.contracts.contact_relay import RequestForwarded, RequestForwardedData
from activateurs.shared.contracts.directory import PublicationData, StructurePublished
from activateurs.shared.contracts.dossier import Address, Profile, RoutingData
from activateurs.shared.contracts.notifier import EmailRequested, EmailRequestedData
from activateurs.shared.contracts.registration import AccountDeleted, AccountDeletedData
from activateurs.shared.contracts.validation import (
    DossierAccepted,
    DossierAcceptedData,
    DossierRefused,
    DossierRefusedData,
)

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)

# The routing keys of CONTRACTS.md's "Events" table, written out on purpose (they are binding).
CONTRACT_ROUTING_KEYS = {
    "registration.dossier.submitted.v1",
    "validation.dossier.information_requested.v1",
    "validation.dossier.accepted.v1",
    "validation.dossier.refused.v1",
    "validation.dossier.expired.v1",
    "validation.structure.suspended.v1",
    "validation.structure.reinstated.v1",
    "validation.structure.struck_off.v1",
    "validation.charter.published.v1",
    "validation.questionnaire.launched.v1",
    "registration.profile.updated.v1",
    "registration.structure.withdrawn.v1",
    "registration.structure.cancelled.v1",
    "registration.member.withdrawn.v1",
    "registration.engagement.renewed.v1",
    "registration.account.deleted.v1",
    "directory.structure.published.v1",
    "directory.structure.unpublished.v1",
    "contact_relay.request.forwarded.v1",
    "contact_relay.request.acknowledged.v1",
    "contact_relay.request.overdue.v1",
    "contact_relay.request.redirected.v1",
    "notifier.email.requested.v1",
    "notifier.email.sent.v1",
    "notifier.email.failed.v1",
}


def _profile() -> Profile:
    return Profile(
        name="Numérique & Co", structure_type="entreprise_services_numeriques", category="privee",
        address=Address(street="12 rue de la Roquette", postal_code="75011", city="Paris"),
        department="75", region="11", headcount_band="10-19", description="Accompagnement des TPE",
        domains=["cybersecurite"], services=["conseil"],
        routing=RoutingData(contact_emails=["contact@numerique-et-co.fr"], department="75"),
    )


EXAMPLES: list[Event] = [
    DossierRefused.new(DossierRefusedData(dossier_id=uuid4(), account_id=uuid4(), reason="incomplet"),
                       producer="validation", occurred_at=NOW, correlation_id="req-1"),
    DossierAccepted.new(DossierAcceptedData(dossier_id=uuid4(), structure_id=uuid4(), account_id=uuid4(),
                                            profile=_profile(), accepted_at=NOW, engagement_expires_at=NOW),
                        producer="validation", occurred_at=NOW),
    AccountDeleted.new(AccountDeletedData(account_id=uuid4()), producer="registration", occurred_at=NOW),
    StructurePublished.new(PublicationData(structure_id=uuid4(), slug="numerique-et-co",
                                           url="https://example.fr/s/numerique-et-co", at=NOW),
                           producer="directory", occurred_at=NOW),
    RequestForwarded.new(RequestForwardedData(request_id=uuid4(), structure_id=uuid4(), ack_deadline=NOW),
                         producer="contact-relay", occurred_at=NOW),
    EmailRequested.new(EmailRequestedData(idempotency_key="k-1", template="account_verification",
                                          to="claire@example.fr", context={"first_name": "Claire"}),
                       producer="registration", occurred_at=NOW),
]


def test_every_routing_key_of_the_contracts_is_registered():
    assert CONTRACT_ROUTING_KEYS <= set(EVENT_TYPES)


def test_each_registered_class_owns_its_routing_key():
    for key in CONTRACT_ROUTING_KEYS:
        assert EVENT_TYPES[key].routing_key == key


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.event_type)
def test_event_round_trips_through_json(event: Event):
    parsed = parse_event(event.to_json_bytes())
    assert type(parsed) is type(event)
    assert parsed == event


def test_new_sets_event_type_from_the_class():
    event = DossierRefused.new(DossierRefusedData(dossier_id=uuid4(), account_id=uuid4(), reason="r"),
                               producer="validation", occurred_at=NOW)
    assert event.event_type == "validation.dossier.refused.v1" == DossierRefused.routing_key


def test_events_and_their_data_are_frozen():
    event = EXAMPLES[0]
    with pytest.raises(pydantic.ValidationError):
        event.producer = "someone-else"
    with pytest.raises(pydantic.ValidationError):
        event.data.reason = "changed"


def test_parse_event_rejects_unknown_event_types():
    body = json.loads(EXAMPLES[0].to_json_bytes())
    with pytest.raises(UnknownEventType):
        parse_event({**body, "event_type": "nobody.knows.this.v1"})
    with pytest.raises(UnknownEventType):
        parse_event(b"[1, 2, 3]")


def test_unknown_extra_fields_are_ignored():
    body = json.loads(EXAMPLES[0].to_json_bytes())
    body["added_by_a_newer_producer"] = True
    body["data"]["also_new"] = {"nested": 1}
    assert parse_event(body) == EXAMPLES[0]
