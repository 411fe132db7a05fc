"""What the DGE and the regional directorates read: the queue of cases, one case in full, the accepted structures."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa

from activateurs.shared.contracts.vocabulary import ValidationStatus

from ..adapters import repository
from ..adapters.tables import cases, revisions
from ..domain.case import OPEN, StructureState
from ..domain.prechecks import Outcome
from .common import Context, NotFound

_LIST_COLUMNS = (cases.c.dossier_id, cases.c.status, cases.c.revision, cases.c.structure_name, cases.c.department,
                 cases.c.region, cases.c.submitted_at, cases.c.waiting_since, cases.c.respond_by,
                 cases.c.precheck_summary, cases.c.structure_id, cases.c.structure_state, cases.c.decided_at)


async def list_cases(ctx: Context, *, status: ValidationStatus | None, region: str | None, page: int,
                     page_size: int, precheck: Outcome | None = None, text: str | None = None,
                     waiting: bool = False) -> dict[str, Any]:
    """Oldest waiting first (ties by id, so pages are stable); `region` limits a regional directorate.

    `precheck`: the pre-checks' overall outcome; `text`: part of the structure's name (any case); `waiting`:
    only the cases still open (to review, or awaiting the applicant)."""
    conditions = []
    if status is not None:
        conditions.append(cases.c.status == status.value)
    if region is not None:
        conditions.append(cases.c.region == region)
    if precheck is not None:
        conditions.append(cases.c.precheck_summary["overall"].astext == precheck.value)
    if text:
        conditions.append(repository.name_contains(text))
    if waiting:
        conditions.append(cases.c.status.in_(sorted(s.value for s in OPEN)))
    async with ctx.db.sessions() as session:
        total = (await session.execute(sa.select(sa.func.count()).select_from(cases).where(*conditions))).scalar_one()
        rows = await session.execute(
            sa.select(*_LIST_COLUMNS).where(*conditions)
            .order_by(cases.c.waiting_since, cases.c.dossier_id).limit(page_size).offset((page - 1) * page_size))
        items = [dict(row._mapping) for row in rows]
    return {"items": items, "total": total, "page": page, "page_size": page_size}


async def case_detail(ctx: Context, dossier_id: UUID, *, region: str | None) -> dict[str, Any]:
    async with ctx.db.sessions() as session:
        row = (await session.execute(sa.select(cases).where(cases.c.dossier_id == dossier_id))).first()
        # Another region's case answers as an unknown one: its existence is not the caller's business.
        if row is None or (region is not None and row.region != region):
            raise NotFound("no such dossier")
        case = dict(row._mapping)
        current = (await session.execute(sa.select(revisions).where(
            revisions.c.dossier_id == dossier_id, revisions.c.revision == case["revision"]))).one()
        known = (await session.execute(sa.select(revisions.c.revision, revisions.c.submitted_at,
                                                 revisions.c.received_at)
                                       .where(revisions.c.dossier_id == dossier_id)
                                       .order_by(revisions.c.revision))).all()
        thread = await repository.thread(session, dossier_id)
        steps = await repository.history_of(session, dossier_id)
    data = current.data
    return {
        "dossier_id": dossier_id, "account_id": case["account_id"], "status": case["status"],
        "revision": case["revision"], "structure_name": case["structure_name"], "department": case["department"],
        "region": case["region"], "submitted_at": case["submitted_at"], "waiting_since": case["waiting_since"],
        "respond_by": case["respond_by"], "decided_at": case["decided_at"],
        "decision_reason": case["decision_reason"], "structure_id": case["structure_id"],
        "structure_state": case["structure_state"], "engagement_expires_at": case["engagement_expires_at"],
        "precheck_summary": case["precheck_summary"], "prechecks": current.prechecks,
        "dossier": data["structure"], "members": data.get("members", []), "documents": data.get("documents", []),
        "charter_version": data["charter_version"],
        "revisions": [dict(r._mapping) for r in known],
        "thread": [{"id": m["id"], "author": m["author"], "author_id": m["author_id"], "body": m["body"],
                    "requests_information": m["requests_information"], "created_at": m["created_at"]}
                   for m in thread],
        "history": steps,
    }


async def list_structures(ctx: Context, *, text: str | None, state: StructureState | None, region: str | None,
                          page: int, page_size: int) -> dict[str, Any]:
    """The accepted structures, by name then id; `region` limits a regional directorate."""
    async with ctx.db.sessions() as session:
        total, items = await repository.structures_page(
            session, text=text, state=state.value if state is not None else None, region=region, limit=page_size,
            offset=(page - 1) * page_size)
    return {"items": items, "total": total, "page": page, "page_size": page_size}


async def structure_detail(ctx: Context, structure_id: UUID, *, region: str | None) -> dict[str, Any]:
    """One accepted structure and every step of its dossier; another region's answers as unknown (NotFound)."""
    async with ctx.db.sessions() as session:
        found = await repository.structure(session, structure_id)
        if found is None or (region is not None and found["region"] != region):
            raise NotFound("no such structure")
        steps = await repository.history_of(session, found["dossier_id"])
    return {**found, "history": steps}


async def document_ref(ctx: Context, dossier_id: UUID, document_id: UUID, *, region: str | None) -> dict[str, Any]:
    """The document as submitted in any revision of this case (its kind and SHA-256), or NotFound."""
    async with ctx.db.sessions() as session:
        row = (await session.execute(sa.select(cases.c.region).where(cases.c.dossier_id == dossier_id))).first()
        if row is None or (region is not None and row.region != region):
            raise NotFound("no such dossier")
        snapshots = (await session.execute(sa.select(revisions.c.data["documents"]).where(
            revisions.c.dossier_id == dossier_id).order_by(revisions.c.revision.desc()))).scalars().all()
    for documents in snapshots:
        for document in documents or []:
            if document["id"] == str(document_id):
                return document
    raise NotFound("no such document in this dossier")
