"""The whole path with the real notifier and SMTP server: request → emails → one click → the business told."""

from __future__ import annotations

import html
import re

from tests.support.waiting import eventually

from ..conftest import publish_structure, request_body


def _to(smtp, address):
    return [m for m in smtp.mails if address in m.recipients]


async def test_request_emails_then_one_click_acknowledgement(relay, amqp, notifier, smtp):
    _, slug = await publish_structure(relay, amqp, emails=("claire@numerique.fr",))
    response = await relay.http.post("/api/v1/contact-requests", json=request_body(slug))
    assert response.status_code == 202
    request_id = response.json()["id"]

    forwarded = (await eventually(lambda: _to(smtp, "claire@numerique.fr"), what="forwarded mail at SMTP"))[0]
    confirmation = (await eventually(lambda: _to(smtp, "paul.martin@boulangerie.fr"), what="confirmation"))[0]
    text = forwarded.part("text/plain")
    assert "Boulangerie Martin" in text and "paul.martin@boulangerie.fr" in text
    link = re.search(r"https://activateurs\.example\.fr/contact-requests/(\S+)/acknowledgement\?token=(\S+)", text)
    assert link and link.group(1) == request_id
    assert "Numérique & Co" in confirmation.part("text/plain")

    clicked = await relay.http.post(f"/api/v1/contact-requests/{request_id}/acknowledgement",
                                    params={"token": html.unescape(link.group(2))})
    assert clicked.status_code == 200

    async def acknowledged_mail():
        return [m for m in _to(smtp, "paul.martin@boulangerie.fr") if m is not confirmation
                and m.message_id != confirmation.message_id]

    told = (await eventually(acknowledged_mail, what="acknowledged mail to the business"))[0]
    assert "Numérique & Co" in told.part("text/plain")
    assert len(_to(smtp, "claire@numerique.fr")) == 1
