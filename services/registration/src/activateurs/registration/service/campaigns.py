"""The annual questionnaire (A4): every active member of the programme emailed once per campaign."""

from __future__ import annotations

import sqlalchemy as sa

from activateurs.shared.contracts.emails import QuestionnaireContext
from activateurs.shared.contracts.validation import QuestionnaireLaunched
from activateurs.shared.messaging.inbox import first_delivery

from ..adapters.tables import dossiers
from .context import Deps
from .mail import email_for
from .people import people_of
from .profile import PUBLIC

CONSUMER = "registration.campaigns"


async def on_questionnaire_launched(deps: Deps, event: QuestionnaireLaunched) -> int:
    """Referents and members of accepted or published structures; the key per campaign and account keeps a
    redelivery (or a second event for the same campaign) from mailing anyone twice. Returns how many."""
    data, now = event.data, deps.db.clock.now()
    async with deps.db.uow() as uow:
        if not await first_delivery(uow.session, CONSUMER, event, now):
            return 0
        dossier_ids = (await uow.session.execute(sa.select(dossiers.c.id).where(
            dossiers.c.status.in_(PUBLIC)))).scalars().all()
        people = await people_of(uow.session, dossier_ids)
        await uow.add_events([
            email_for(QuestionnaireContext(first_name=person.first_name, year=data.year, questionnaire_url=data.url),
                      person, f"registration:questionnaire:{data.campaign_id}:{person.id}", now)
            for person in people])
        await uow.commit()
    return len(people)
