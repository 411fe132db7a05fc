"""The whole 4-step path on real infrastructure: account, emailed link read back from the SMTP server (through the
notifier), verification, token, dossier, document, submission, and the submitted event on the broker."""

from __future__ import annotations

import re

from activateurs.notifier.app import build_service as build_notifier
from activateurs.notifier.config import NotifierSettings
from activateurs.shared.contracts.registration import DossierSubmitted
from tests.support.waiting import eventually

from ..conftest import PASSWORD, complete_dossier, verification_token_of


async def test_from_account_creation_to_the_submitted_event(registration, databases, vhost, smtp, amqp, issuer):
    notifier = build_notifier(NotifierSettings(
        database_url=await databases.fresh("notifier"), rabbitmq_url=vhost, smtp_host="127.0.0.1",
        smtp_port=smtp.port, idle_poll_seconds=0.1, outbox_poll_interval=0.2, environment="test",
        jwks_url=issuer.jwks_url, jwt_issuer=issuer.issuer))
    await notifier.start()
    try:
        submitted = await amqp.listen(DossierSubmitted.routing_key)
        client = registration.client
        email = "claire.durand@numerique-et-co.fr"
        assert (await client.post("/api/v1/accounts", json={
            "email": email, "password": PASSWORD, "first_name": "Claire", "last_name": "Durand"})).status_code == 202

        def mails_to(address: str):
            return [m for m in smtp.mails if address in m.recipients]

        [verification] = await eventually(lambda: mails_to(email), what="the verification email", timeout=30)
        link = re.search(r"https://activateurs\.test\.fr/verification\?token=[A-Za-z0-9_.-]+",
                         verification.part("text/plain"))
        assert link, verification.part("text/plain")
        token = verification_token_of(link.group(0))
        assert (await client.post("/api/v1/accounts/verification", json={"token": token})).status_code == 200

        headers = await registration.headers(email)
        assert (await client.put("/api/v1/dossier", headers=headers, json=complete_dossier())).json()["problems"]
        assert (await registration.upload(headers, "extrait_immatriculation")).status_code == 201
        assert (await client.get("/api/v1/dossier", headers=headers)).json()["problems"] == []
        charter = (await client.get("/api/v1/charter")).json()
        answer = await client.post("/api/v1/dossier/submission", headers=headers,
                                   json={"charter_version": charter["version"], "accept_charter": True})
        assert answer.status_code == 202

        [message] = await eventually(lambda: submitted, what="registration.dossier.submitted.v1 on the broker")
        assert message.persistent and message.message_id == message.body["event_id"]
        event = DossierSubmitted.model_validate(message.body)
        assert str(event.data.dossier_id) == answer.json()["dossier_id"] and event.data.revision == 1
        assert event.data.structure.structure.name == "Numérique & Co" and len(event.data.documents) == 1
    finally:
        await notifier.stop()
