"""Reads and writes of cases, revisions, thread, history and deadlines (SQLAlchemy Core, one session given)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from activateurs.shared.contracts.registration import DossierSubmittedData

from .tables import cases, deadlines, history, messages, revisions

# Built once (compiled and cached); each call binds its values.
_LOCK_CASES = sa.select(cases).where(cases.c.dossier_id.in_(sa.bindparam("ids", expanding=True))).with_for_update()
_INSERT_REVISIONS = insert(revisions).on_conflict_do_nothing().returning(revisions.c.dossier_id, revisions.c.revision)
_INSERT_CASES = insert(cases).on_conflict_do_nothing().returning(cases.c.dossier_id)


async def insert_revisions(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[tuple[UUID, int]]:
    """The revisions stored now (a revision already known, under another event id, is skipped)."""
    if not rows:
        return set()
    result = await session.execute(_INSERT_REVISIONS, list(rows))
    return {(row.dossier_id, row.revision) for row in result}


async def insert_new_cases(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[UUID]:
    """Insert cases that do not exist yet; the ids inserted (a concurrent insert waits, then is skipped)."""
    if not rows:
        return set()
    result = await session.execute(_INSERT_CASES, list(rows))
    return {row.dossier_id for row in result}


async def lock_cases(session: AsyncSession, dossier_ids: Sequence[UUID]) -> dict[UUID, dict[str, Any]]:
    if not dossier_ids:
        return {}
    result = await session.execute(_LOCK_CASES, {"ids": list(dossier_ids)})
    return {row.dossier_id: dict(row._mapping) for row in result}


async def lock_case(session: AsyncSession, dossier_id: UUID) -> dict[str, Any] | None:
    return (await lock_cases(session, [dossier_id])).get(dossier_id)


async def lock_case_of_account(session: AsyncSession, account_id: UUID) -> dict[str, Any] | None:
    """The applicant's most recent case, locked."""
    row = (await session.execute(
        sa.select(cases).where(cases.c.account_id == account_id).order_by(cases.c.created_at.desc()).limit(1)
        .with_for_update())).first()
    return dict(row._mapping) if row else None


async def lock_case_of_structure(session: AsyncSession, structure_id: UUID) -> dict[str, Any] | None:
    row = (await session.execute(sa.select(cases).where(cases.c.structure_id == structure_id).with_for_update())).first()
    return dict(row._mapping) if row else None


async def update_case(session: AsyncSession, dossier_id: UUID, **values: Any) -> None:
    await session.execute(sa.update(cases).where(cases.c.dossier_id == dossier_id).values(**values))


_UPDATE_CASES = (
    sa.update(cases).where(cases.c.dossier_id == sa.bindparam("b_dossier_id"))
    .values({name: sa.bindparam(name) for name in (
        "status", "revision", "structure_name", "department", "region", "precheck_summary", "submitted_at",
        "waiting_since", "respond_by", "decided_at", "decision_reason", "updated_at")})
)


async def update_cases(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(_UPDATE_CASES, list(rows))


async def add_history(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(sa.insert(history), list(rows))


async def revision_data(session: AsyncSession, dossier_id: UUID, revision: int) -> DossierSubmittedData:
    data = (await session.execute(sa.select(revisions.c.data).where(
        revisions.c.dossier_id == dossier_id, revisions.c.revision == revision))).scalar_one()
    return DossierSubmittedData.model_validate(data)


async def add_message(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(sa.insert(messages).values(**row))


async def thread(session: AsyncSession, dossier_id: UUID) -> list[dict[str, Any]]:
    rows = await session.execute(sa.select(messages).where(messages.c.dossier_id == dossier_id)
                                 .order_by(messages.c.seq))
    return [dict(row._mapping) for row in rows]


async def add_deadlines(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(sa.insert(deadlines), list(rows))


async def cancel_deadlines(session: AsyncSession, dossier_ids: Sequence[UUID], now: datetime) -> None:
    """An answer, a resubmission or a decision stops the clock."""
    if dossier_ids:
        await session.execute(sa.update(deadlines).where(
            deadlines.c.dossier_id.in_(list(dossier_ids)), deadlines.c.fired_at.is_(None),
            deadlines.c.cancelled_at.is_(None)).values(cancelled_at=now))


async def claim_due_deadlines(session: AsyncSession, now: datetime, limit: int) -> list[dict[str, Any]]:
    """Due deadlines no other replica holds; the caller fires them in this same transaction."""
    rows = await session.execute(
        sa.select(deadlines).where(deadlines.c.due_at <= now, deadlines.c.fired_at.is_(None),
                                   deadlines.c.cancelled_at.is_(None))
        .order_by(deadlines.c.due_at).limit(limit).with_for_update(skip_locked=True))
    return [dict(row._mapping) for row in rows]


async def mark_fired(session: AsyncSession, deadline_id: int, now: datetime) -> None:
    await session.execute(sa.update(deadlines).where(deadlines.c.id == deadline_id).values(fired_at=now))


async def lock_cases_skip_locked(session: AsyncSession, dossier_ids: Sequence[UUID]) -> dict[UUID, dict[str, Any]]:
    """The sweeper never waits on a case a request holds (that request may be cancelling this very deadline)."""
    if not dossier_ids:
        return {}
    rows = await session.execute(sa.select(cases).where(cases.c.dossier_id.in_(list(dossier_ids)))
                                 .with_for_update(skip_locked=True))
    return {row.dossier_id: dict(row._mapping) for row in rows}


async def case_of_account(session: AsyncSession, account_id: UUID) -> dict[str, Any] | None:
    row = (await session.execute(sa.select(cases).where(cases.c.account_id == account_id)
                                 .order_by(cases.c.created_at.desc()).limit(1))).first()
    return dict(row._mapping) if row else None


async def history_of(session: AsyncSession, dossier_id: UUID) -> list[dict[str, Any]]:
    """Every step of the case, oldest first (the order they were written in)."""
    rows = await session.execute(
        sa.select(history.c.at, history.c.actor, history.c.action, history.c.from_status, history.c.to_status,
                  history.c.reason).where(history.c.dossier_id == dossier_id).order_by(history.c.id))
    return [dict(row._mapping) for row in rows]


def name_contains(text: str) -> sa.ColumnElement[bool]:
    """Case-insensitive substring of the structure's name; `%` and `_` typed by the caller match themselves."""
    return cases.c.structure_name.icontains(text, autoescape=True)


_STRUCTURE_COLUMNS = (cases.c.structure_id, cases.c.dossier_id, cases.c.structure_name, cases.c.department,
                      cases.c.region, cases.c.structure_state, cases.c.decided_at, cases.c.engagement_expires_at)


async def structures_page(session: AsyncSession, *, text: str | None, state: str | None, region: str | None,
                          limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    """Accepted structures (cases with a structure id), by name then id: (total, this page)."""
    conditions = [cases.c.structure_id.is_not(None)]
    if text:
        conditions.append(name_contains(text))
    if state is not None:
        conditions.append(cases.c.structure_state == state)
    if region is not None:
        conditions.append(cases.c.region == region)
    total = (await session.execute(sa.select(sa.func.count()).select_from(cases).where(*conditions))).scalar_one()
    rows = await session.execute(
        sa.select(*_STRUCTURE_COLUMNS).where(*conditions)
        .order_by(sa.func.lower(cases.c.structure_name), cases.c.structure_name, cases.c.structure_id)
        .limit(limit).offset(offset))
    return total, [dict(row._mapping) for row in rows]


async def structure(session: AsyncSession, structure_id: UUID) -> dict[str, Any] | None:
    row = (await session.execute(sa.select(*_STRUCTURE_COLUMNS).where(cases.c.structure_id == structure_id))).first()
    return dict(row._mapping) if row else None


async def count_history(session: AsyncSession, dossier_id: UUID, action: str) -> int:
    return (await session.execute(sa.select(sa.func.count()).select_from(history).where(
        history.c.dossier_id == dossier_id, history.c.action == action))).scalar_one()


# --- what the DGE and the regional directorates read ------------------------------------------------------------

_CASE_LIST_COLUMNS = (cases.c.dossier_id, cases.c.status, cases.c.revision, cases.c.structure_name,
                      cases.c.department, cases.c.region, cases.c.submitted_at, cases.c.waiting_since,
                      cases.c.respond_by, cases.c.precheck_summary, cases.c.structure_id, cases.c.structure_state,
                      cases.c.decided_at)


async def cases_page(session: AsyncSession, *, status: str | None, region: str | None, precheck: str | None,
                     text: str | None, statuses: Sequence[str] | None, limit: int,
                     offset: int) -> tuple[int, list[dict[str, Any]]]:
    """Cases oldest waiting first (ties by id, so pages are stable): (total, this page). `precheck`: the
    pre-checks' overall outcome; `statuses`: only these (the open ones, for the queue)."""
    conditions = []
    if status is not None:
        conditions.append(cases.c.status == status)
    if region is not None:
        conditions.append(cases.c.region == region)
    if precheck is not None:
        conditions.append(cases.c.precheck_summary["overall"].astext == precheck)
    if text:
        conditions.append(name_contains(text))
    if statuses is not None:
        conditions.append(cases.c.status.in_(sorted(statuses)))
    total = (await session.execute(sa.select(sa.func.count()).select_from(cases).where(*conditions))).scalar_one()
    rows = await session.execute(
        sa.select(*_CASE_LIST_COLUMNS).where(*conditions)
        .order_by(cases.c.waiting_since, cases.c.dossier_id).limit(limit).offset(offset))
    return total, [dict(row._mapping) for row in rows]


async def case(session: AsyncSession, dossier_id: UUID) -> dict[str, Any] | None:
    row = (await session.execute(sa.select(cases).where(cases.c.dossier_id == dossier_id))).first()
    return dict(row._mapping) if row else None


async def revision(session: AsyncSession, dossier_id: UUID, number: int) -> dict[str, Any] | None:
    """One revision as stored: its snapshot (`data`) and pre-checks."""
    row = (await session.execute(sa.select(revisions).where(
        revisions.c.dossier_id == dossier_id, revisions.c.revision == number))).first()
    return dict(row._mapping) if row else None


async def revision_refs(session: AsyncSession, dossier_id: UUID) -> list[dict[str, Any]]:
    """Every revision of the case, first to last, without its snapshot."""
    rows = await session.execute(sa.select(revisions.c.revision, revisions.c.submitted_at, revisions.c.received_at)
                                 .where(revisions.c.dossier_id == dossier_id).order_by(revisions.c.revision))
    return [dict(row._mapping) for row in rows]


async def documents_by_revision(session: AsyncSession, dossier_id: UUID) -> list[list[dict[str, Any]]]:
    """The documents of each revision, newest revision first."""
    return list((await session.execute(sa.select(revisions.c.data["documents"]).where(
        revisions.c.dossier_id == dossier_id).order_by(revisions.c.revision.desc()))).scalars().all())
