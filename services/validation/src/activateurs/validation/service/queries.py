"""What the DGE and the regional directorates read: the queue of cases, one case in full, the accepted structures."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from activateurs.shared.contracts.vocabulary import ValidationStatus

from ..adapters import repository
from ..domain.case import OPEN, StructureState
from ..domain.prechecks import Outcome
from .common import Context, NotFound


async def list_cases(ctx: Context, *, status: ValidationStatus | None, region: str | None, page: int,
                     page_size: int, precheck: Outcome | None = None, text: str | None = None,
                     waiting: bool = False) -> dict[str, Any]:
    """Oldest waiting first (ties by id, so pages are stable); `region` limits a regional directorate.

    `precheck`: the pre-checks' overall outcome; `text`: part of the structure's name (any case); `waiting`:
    only the cases still open (to review, or awaiting the applicant)."""
    async with ctx.db.sessions() as session:
        total, items = await repository.cases_page(
            session, status=status.value if status is not None else None, region=region,
            precheck=precheck.value if precheck is not None else None, text=text,
            statuses=[s.value for s in OPEN] if waiting else None, limit=page_size, offset=(page - 1) * page_size)
    return {"items": items, "total": total, "page": page, "page_size": page_size}


async def case_detail(ctx: Context, dossier_id: UUID, *, region: str | None) -> dict[str, Any]:
    """The case, its current revision in full, the previous revision's snapshot (what changed), thread, history."""
    async with ctx.db.sessions() as session:
        case = await repository.case(session, dossier_id)
        # Another region's case answers as an unknown one: its existence is not the caller's business.
        if case is None or (region is not None and case["region"] != region):
            raise NotFound("no such dossier")
        current = await repository.revision(session, dossier_id, case["revision"])
        assert current is not None  # a case is made with its first revision
        previous = await repository.revision(session, dossier_id, case["revision"] - 1)
        known = await repository.revision_refs(session, dossier_id)
        thread = await repository.thread(session, dossier_id)
        steps = await repository.history_of(session, dossier_id)
    data = current["data"]
    return {
        "dossier_id": dossier_id, "account_id": case["account_id"], "status": case["status"],
        "revision": case["revision"], "structure_name": case["structure_name"], "department": case["department"],
        "region": case["region"], "submitted_at": case["submitted_at"], "waiting_since": case["waiting_since"],
        "respond_by": case["respond_by"], "decided_at": case["decided_at"],
        "decision_reason": case["decision_reason"], "structure_id": case["structure_id"],
        "structure_state": case["structure_state"], "engagement_expires_at": case["engagement_expires_at"],
        "precheck_summary": case["precheck_summary"], "prechecks": current["prechecks"],
        "dossier": data["structure"], "members": data.get("members", []), "documents": data.get("documents", []),
        "charter_version": data["charter_version"],
        "revisions": known,
        "previous_revision": previous["revision"] if previous else None,
        "previous_dossier": previous["data"]["structure"] if previous else None,
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
        case = await repository.case(session, dossier_id)
        if case is None or (region is not None and case["region"] != region):
            raise NotFound("no such dossier")
        snapshots = await repository.documents_by_revision(session, dossier_id)
    for documents in snapshots:
        for document in documents or []:
            if document["id"] == str(document_id):
                return document
    raise NotFound("no such document in this dossier")
