"""What the DGE and the regional directorates read: the queue of cases and one case in full."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa

from activateurs.shared.contracts.vocabulary import ValidationStatus

from ..adapters import repository
from ..adapters.tables import cases, history, revisions
from .common import Context, NotFound

_LIST_COLUMNS = (cases.c.dossier_id, cases.c.status, cases.c.revision, cases.c.structure_name, cases.c.department,
                 cases.c.region, cases.c.submitted_at, cases.c.waiting_since, cases.c.respond_by,
                 cases.c.precheck_summary, cases.c.structure_id, cases.c.structure_state, cases.c.decided_at)


async def list_cases(ctx: Context, *, status: ValidationStatus | None, region: str | None, page: int,
                     page_size: int) -> dict[str, Any]:
    """Oldest waiting first (ties by id, so pages are stable); `region` limits a regional directorate."""
    conditions = []
    if status is not None:
        conditions.append(cases.c.status == status.value)
    if region is not None:
        conditions.append(cases.c.region == region)
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
        steps = (await session.execute(sa.select(history).where(history.c.dossier_id == dossier_id)
                                       .order_by(history.c.id))).all()
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
        "history": [{"at": h.at, "actor": h.actor, "action": h.action, "from_status": h.from_status,
                     "to_status": h.to_status, "reason": h.reason} for h in steps],
    }


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
