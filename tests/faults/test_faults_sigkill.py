"""One service killed with SIGKILL mid-flow and restarted: nothing lost, nothing done twice."""

from __future__ import annotations

import pytest

from tests.support.flows_faults import half_flowing, second_half_and_totals
from tests.support.waiting import eventually

STRUCTURES = 40
REQUESTS_PER_BATCH = 40


@pytest.mark.parametrize("victim", ["directory", "contact-relay", "notifier"])
async def test_a_service_killed_mid_flow_and_restarted_loses_nothing_and_doubles_nothing(stack, probe, smtp,
                                                                                          victim):
    flow = await half_flowing(stack, probe, STRUCTURES, REQUESTS_PER_BATCH)
    half = STRUCTURES // 2
    await flow.publish_accepted(range(half, STRUCTURES), probe)
    if victim == "notifier":
        await eventually(lambda: smtp.mails, what="the first mails")
    sent_before_kill = len(smtp.mails)
    await stack.kill_and_restart(victim)
    if victim == "notifier":
        assert sent_before_kill < flow.expected_mails(), "the kill must happen while mails are being sent"

    # A notifier killed between the SMTP server's "250 OK" and recording it sends that mail again after the
    # claim lease, with the same Message-ID (documented); only a few sends are ever in that window.
    await second_half_and_totals(flow, REQUESTS_PER_BATCH, resends_allowed=8 if victim == "notifier" else 0)
