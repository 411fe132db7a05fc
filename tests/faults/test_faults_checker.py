"""The suite's exact-totals check catches what it must: a second publication, a second mail, a lost request."""

from __future__ import annotations

import smtplib
import uuid
from datetime import timedelta

import pytest

from activateurs.shared.clock import SystemClock
from activateurs.shared.contracts.emails import ContactConfirmationContext
from activateurs.shared.contracts.notifier import EmailRequested
from tests.support.flows_faults import T0, Flow, accepted, business_email, profile
from tests.support.waiting import eventually

STRUCTURES = 8
REQUESTS = 8


async def test_the_exact_totals_check_fails_on_a_duplicate_or_a_loss(stack, probe, smtp):
    await stack.start("directory", "contact-relay", "notifier")
    flow = Flow(stack, STRUCTURES)
    await flow.publish_accepted(range(STRUCTURES), probe)
    await flow.wait_routable(STRUCTURES)
    await flow.post_requests(list(range(REQUESTS)))
    await flow.wait_all_done()
    await flow.assert_exactly_once()  # the honest run passes

    # A request the service accepted (202) but never forwarded nor confirmed.
    ghost = str(uuid.uuid4())
    flow.requests[ghost], flow.request_structure[ghost] = REQUESTS, 0
    with pytest.raises(AssertionError, match=f"forwarded {REQUESTS} of {REQUESTS + 1} requests"):
        await flow.assert_exactly_once()
    del flow.requests[ghost], flow.request_structure[ghost]

    # The same mail delivered again (same Message-ID): counted as a resend.
    again = smtp.mails[0]
    with smtplib.SMTP("127.0.0.1", smtp.port) as client:
        client.send_message(again.message, from_addr=again.mail_from, to_addrs=list(again.recipients))
    await eventually(lambda: len(smtp.mails) == flow.expected_mails() + 1, what="the copy received")
    with pytest.raises(AssertionError, match=r"1 mails sent twice \(same Message-ID\)"):
        await flow.assert_exactly_once()
    await flow.assert_exactly_once(resends_allowed=1)

    # A second confirmation to one business, under another idempotency key: a different message.
    extra = EmailRequested.for_context(
        ContactConfirmationContext(contact_name="Dirigeant 0", structure_name="Activateur",
                                   ack_deadline=T0 + timedelta(days=2)),
        to=business_email(0), idempotency_key=f"faults:{uuid.uuid4()}", producer="contact-relay",
        occurred_at=SystemClock().now())
    await probe.publish_event(extra)
    await eventually(lambda: len(smtp.mails) == flow.expected_mails() + 2, what="the second confirmation sent")
    with pytest.raises(AssertionError, match="sent twice as different messages"):
        await flow.assert_exactly_once(resends_allowed=1)

    # A structure published a second time (a newer acceptance with another name).
    await probe.publish_event(accepted(flow.ids[0], profile(flow.token, 0, name=f"Renommé {flow.token}"),
                                       T0 + timedelta(days=1)))

    async def republished() -> bool:
        await flow.collect()
        return len(flow.published()[str(flow.ids[0])]) == 2

    await eventually(republished, timeout=60, interval=0.5, what="the second publication")
    with pytest.raises(AssertionError, match="1 structures published more than once"):
        await flow.assert_exactly_once(resends_allowed=1)
