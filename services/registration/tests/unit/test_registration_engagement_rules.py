"""Pure rules: engagement dates (24 months, month ends), the deadline schedule, and the member card's checks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pydantic
import pytest

from activateurs.registration.domain.engagement import LAPSE, REMINDER, add_months, engagement_deadlines
from activateurs.registration.domain.members import MemberCard, initials


def test_add_months_keeps_the_day_or_takes_the_month_end():
    assert add_months(datetime(2026, 3, 15, 10, tzinfo=UTC), 24) == datetime(2028, 3, 15, 10, tzinfo=UTC)
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2027, 2, 28, tzinfo=UTC), 12) == datetime(2028, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 30, tzinfo=UTC), 3) == datetime(2027, 2, 28, tzinfo=UTC)


def test_reminders_60_30_7_days_before_and_the_lapse_at_the_end():
    end = datetime(2028, 6, 1, tzinfo=UTC)
    found = engagement_deadlines(end, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert [(kind, end - due, payload.get("days_left")) for kind, due, payload in found] == [
        (REMINDER, timedelta(days=60), 60), (REMINDER, timedelta(days=30), 30), (REMINDER, timedelta(days=7), 7),
        (LAPSE, timedelta(0), None)]
    # Reminders already past are not scheduled (a renewal late in the window), the lapse always is.
    late = engagement_deadlines(end, now=end - timedelta(days=20))
    assert [payload.get("days_left") for _, _, payload in late] == [7, None]


def test_a_member_card_is_checked_field_by_field():
    card = MemberCard(phone=" +33 6 12 34 56 78 ", presentation="Dev", references=["Mairie"], avatar="avatar-2")
    assert card.phone == "+33 6 12 34 56 78"
    for bad in ({"phone": "appelez-moi"}, {"avatar": "licorne"}, {"contact_email": "nope"}, {"colour": "blue"},
                {"avatar": "initiales", "photo_document_id": str(uuid.uuid4())}, {"references": ["x" * 201]}):
        with pytest.raises(pydantic.ValidationError):
            MemberCard.model_validate(bad)
    assert initials("marc", "lefebvre") == "ML" and initials("", "") == "?"
