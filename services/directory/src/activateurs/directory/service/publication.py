"""Publication use cases: put a profile online, update it, take it offline, remove a member's card."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from sqlalchemy import exc as sa_exc

from activateurs.shared.contracts import Event
from activateurs.shared.contracts.directory import PublicationData, StructurePublished, StructureUnpublished
from activateurs.shared.contracts.dossier import Profile
from activateurs.shared.db import Database
from activateurs.shared.errors import causes
from activateurs.shared.messaging.batching import GroupCommitter
from activateurs.shared.messaging.inbox import first_deliveries

from ..adapters import repository
from ..domain.geography import Geography
from ..domain.profile import ERASED_CONTENT, public_profile, search_item, search_text, without_members
from ..domain.publication import Fact, PublicationState, newer
from ..domain.slugs import base_slug, candidates, sort_key

log = logging.getLogger(__name__)

SLUG_ATTEMPTS = 5


def _slug_clash(error: BaseException) -> bool:
    """Whether a write failed on the uniqueness of slugs (and not on anything else)."""
    for current in causes(error):
        if isinstance(current, asyncpg.UniqueViolationError):
            return current.constraint_name == "structures_slug_key"
    return False


@dataclass(frozen=True)
class Change:
    """One event's effect on one structure (an account deletion may touch several)."""

    event: Event
    structure_id: UUID | None = None
    fact: Fact | None = None
    profile: Profile | None = None
    account_id: UUID | None = None
    removed_member: UUID | None = None
    deleted_account: UUID | None = None


@dataclass(frozen=True)
class Step:
    """One change to one structure's row."""

    structure_id: UUID
    at: datetime
    fact: Fact | None
    profile: Profile | None
    account_id: UUID | None
    removed_member: UUID | None
    forget_account: bool = False


@dataclass
class Publisher:
    db: Database
    geography: Geography
    public_base_url: str
    consumer: str

    def __post_init__(self) -> None:
        # Events handled concurrently (prefetch) are written together: one transaction, one commit
        # for a batch, each event still recorded in the inbox and acked only after that commit.
        self._committer: GroupCommitter[Change, None] = GroupCommitter(self._store)

    def profile_url(self, slug: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/activateurs/{slug}"

    async def handle(self, event: Event, structure_id: UUID, *, fact: Fact | None = None,
                     profile: Profile | None = None, account_id: UUID | None = None,
                     removed_member: UUID | None = None) -> None:
        """Apply one event about one structure, once (inbox), publishing what changes."""
        await self._committer.submit(Change(event, structure_id, fact, profile, account_id, removed_member))

    async def account_deleted(self, event: Event, account_id: UUID) -> None:
        """The referent's deletion ends their structure's profile; a member's removes their card."""
        await self._committer.submit(Change(event, deleted_account=account_id))

    async def acceptance_failed(self, event: Event, structure_id: UUID) -> None:
        """An acceptance whose publication failed for good: still remembered, so the 24 h guard reports it."""
        async with self.db.uow() as uow:
            await repository.record_batch(uow.session, {structure_id: event.occurred_at}, bump_generation=False)
            await uow.commit()

    async def _store(self, changes: Sequence[Change]) -> list[None]:
        """Write a batch; when another replica took a slug this batch chose in the meantime (both read
        it free before either committed), write it again: the slug is now seen taken, the next is used."""
        for attempt in range(1, SLUG_ATTEMPTS + 1):
            try:
                return await self._store_once(changes)
            except sa_exc.IntegrityError as error:
                if attempt == SLUG_ATTEMPTS or not _slug_clash(error):
                    raise
                log.info("slug taken meanwhile by a concurrent publication; batch written again")
        raise AssertionError("unreachable")

    async def _store_once(self, changes: Sequence[Change]) -> list[None]:
        """A batch in one transaction and a fixed number of round trips: inbox, lock every row
        concerned (one statement, in id order), apply in memory, write the rows back (one pipelined
        statement), outbox."""
        async with self.db.uow() as uow:
            session = uow.session
            fresh = await first_deliveries(session, self.consumer, [c.event for c in changes], self.db.clock.now())
            steps: list[Step] = []
            seen: set[UUID] = set()
            acceptances: dict[UUID, datetime] = {}
            for change in changes:
                if change.event.event_id not in fresh or change.event.event_id in seen:
                    continue  # a duplicate (earlier delivery, or twice in this batch)
                seen.add(change.event.event_id)
                steps += await self._steps(session, change)
                if change.fact is Fact.ACCEPTED and change.structure_id is not None:
                    at = change.event.occurred_at
                    acceptances[change.structure_id] = max(at, acceptances.get(change.structure_id, at))
            if steps:
                rows = await repository.lock_structures(session, sorted({step.structure_id for step in steps}))
                wanted = {slug for step in steps if step.profile is not None and rows[step.structure_id]["slug"] is None
                          for slug in candidates(base_slug(step.profile.name, step.profile.address.city),
                                                 step.structure_id)}
                taken = await repository.slugs_taken(session, sorted(wanted))
                events: list[Event] = []
                bumped: set[UUID] = set()
                for step in steps:
                    events += self._apply(rows[step.structure_id], step, taken, bumped)
                await repository.save_all(session, [rows[sid] for sid in sorted(rows)], bumped)
                # online, offline or new contents (events) is what changes what searches find
                await repository.record_batch(session, acceptances, bump_generation=bool(events))
                await uow.add_events(events)
            elif acceptances:
                await repository.record_batch(session, acceptances, bump_generation=False)
            await uow.commit()
        return [None] * len(changes)

    async def _steps(self, session: Any, change: Change) -> list[Step]:
        if change.deleted_account is None:
            assert change.structure_id is not None
            return [Step(change.structure_id, change.event.occurred_at, change.fact, change.profile,
                         change.account_id, change.removed_member)]
        # The referent's deletion ends their structure's profile; a member's removes their card.
        referent_of, member_of = await repository.structures_of_account(session, change.deleted_account)
        return [Step(sid, change.event.occurred_at, Fact.ENDED if sid in referent_of else None, None, None,
                     change.deleted_account, forget_account=sid in referent_of)
                for sid in sorted(set(referent_of) | set(member_of))]

    def _apply(self, row: dict[str, Any], step: Step, taken: set[str], bumped: set[UUID]) -> list[Event]:
        """Apply one step to the (locked) row in memory; the events it causes."""
        structure_id, at, fact = step.structure_id, step.at, step.fact
        state = PublicationState(row["accepted_at"], row["suspension_at"], row["suspended"], row["ended_at"])
        if fact is not None:
            state = state.apply(fact, at)
        row.update(accepted_at=state.accepted_at, suspension_at=state.suspension_at, suspended=state.suspended,
                   ended_at=state.ended_at)
        if step.account_id is not None and fact is Fact.ACCEPTED:
            row["account_id"] = step.account_id
        if step.forget_account:
            row["account_id"] = None

        content_changed = False
        current: Profile | None = None
        if step.profile is not None and newer(at, row["profile_at"]):
            # The routing data (contact emails) is for contact-relay only: never stored here.
            current = step.profile
            row.update(profile=current.model_dump(mode="json", exclude={"routing"}), profile_at=at)
            content_changed = True
        removed = list(row["removed_members"])
        if step.removed_member is not None and str(step.removed_member) not in removed:
            removed.append(str(step.removed_member))
            row["removed_members"] = removed
            content_changed = True
        if removed and row["profile"] is not None:
            # A member who left is forgotten, not only hidden: their card leaves the stored profile too.
            row["profile"] = without_members(row["profile"], set(removed))
        if step.forget_account:
            # The referent's account is deleted: the profile ends for good (a deletion is final), so its
            # contents go; the id and slug stay, for the partner feed's tombstone.
            row.update(ERASED_CONTENT)
            return self._publication_events(row, structure_id, online=False, content_changed=False, bumped=bumped)

        stored = row["profile"]
        online = state.online and stored is not None
        slug = row["slug"]
        if stored is not None and (content_changed or (online and not row["public_json"])):
            current = current or Profile.model_validate(
                {**stored, "routing": {"contact_emails": [], "department": ""}})
            if slug is None:
                slug = next(slug for slug in candidates(base_slug(current.name, current.address.city), structure_id)
                            if slug not in taken)
                taken.add(slug)
                row["slug"] = slug
            row.update(self.projection(structure_id, slug, current, set(removed)))

        return self._publication_events(row, structure_id, online=online, content_changed=content_changed,
                                        bumped=bumped)

    def _publication_events(self, row: dict[str, Any], structure_id: UUID, *, online: bool, content_changed: bool,
                            bumped: set[UUID]) -> list[Event]:
        """The row goes online or offline; the published/unpublished event that says so."""
        slug = row["slug"]
        now = self.db.clock.now()
        was_online = row["online"]
        row["online"] = online
        events: list[Event] = []
        if online and (not was_online or content_changed):
            if not was_online:
                row["published_at"] = now
            events.append(StructurePublished.new(
                PublicationData(structure_id=structure_id, slug=slug, url=self.profile_url(slug), at=now),
                producer="directory", occurred_at=now))
        elif was_online and not online:
            events.append(StructureUnpublished.new(
                PublicationData(structure_id=structure_id, slug=slug, url=self.profile_url(slug), at=now),
                producer="directory", occurred_at=now))
        if events:
            row["changed_at"] = now
            bumped.add(structure_id)
        return events

    def projection(self, structure_id: UUID, slug: str, profile: Profile, removed: set[str]) -> dict[str, Any]:
        public = public_profile(structure_id, slug, self.profile_url(slug), profile, self.geography, removed)
        area_regions = {self.geography.region_of(dep) for dep in profile.intervention_area.departments}
        return {
            "public_json": json.dumps(public, ensure_ascii=False, separators=(",", ":")),
            "item_json": json.dumps(search_item(public), ensure_ascii=False, separators=(",", ":")),
            "name": profile.name, "sort_key": sort_key(profile.name), "structure_type": profile.structure_type.value,
            "category": profile.category.value, "street": profile.address.street, "city": profile.address.city,
            "postal_code": profile.address.postal_code, "department": profile.department,
            "region": profile.region, "domains": [d.value for d in profile.domains],
            "services": [s.value for s in profile.services],
            "area_departments": list(profile.intervention_area.departments),
            "area_regions": sorted(r for r in area_regions if r),
            "national": profile.intervention_area.national,
            **search_text(profile),
        }
