"""Steps 3 and 4: the dossier draft with its problems, documents, and the submission freezing a revision."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import pydantic
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from activateurs.shared.contracts.dossier import DocumentRef, DossierSnapshot, MemberSnapshot, PersonCard
from activateurs.shared.contracts.registration import DossierSubmitted, DossierSubmittedData
from activateurs.shared.contracts.vocabulary import DocumentKind, StructureStatus

from ..adapters.tables import (
    accounts,
    charter_acceptances,
    charter_versions,
    documents,
    dossier_revisions,
    dossiers,
    members,
)
from ..domain.documents import sniff
from ..domain.dossier import DossierDraft, Problem, derived, problems
from .context import PRODUCER, AccountGone, Deps

EDITABLE = {StructureStatus.DRAFT.value, StructureStatus.AWAITING_APPLICANT.value, StructureStatus.REFUSED.value}


class NotEditable(Exception):
    """The dossier is with the DGE (or already decided): it cannot change now."""


class ForeignDocument(Exception):
    """A document id that is not one of the caller's own documents (or not a photo where one is needed)."""


class UnsupportedFile(Exception):
    """Not a PDF, PNG or JPEG by its content."""


class Incomplete(Exception):
    def __init__(self, found: list[Problem]) -> None:
        super().__init__("the dossier is incomplete")
        self.problems = found


class StaleCharter(Exception):
    def __init__(self, current: int) -> None:
        super().__init__(f"the current charter version is {current}")
        self.current = current


@dataclass(frozen=True)
class DossierView:
    dossier_id: uuid.UUID
    status: str
    revision: int
    draft: DossierDraft
    problems: list[Problem]
    derived: dict[str, Any]
    structure_id: uuid.UUID | None
    information_request: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return {"dossier_id": str(self.dossier_id), "status": self.status, "revision": self.revision,
                **self.draft.model_dump(mode="json"), "problems": [p.as_dict() for p in self.problems],
                "derived": self.derived, "structure_id": str(self.structure_id) if self.structure_id else None,
                "information_request": self.information_request}


_EMPTY = DossierDraft().model_dump(mode="json")
# Built once: compiled once, each call only binds its values (this runs on every dossier request).
_CREATE_DOSSIER = insert(dossiers).values(
    id=sa.bindparam("id"), account_id=sa.bindparam("account_id"), status=StructureStatus.DRAFT.value, draft=_EMPTY,
    revision=0, status_changed_at=sa.bindparam("now"), updated_at=sa.bindparam("now"),
).on_conflict_do_nothing(index_elements=[dossiers.c.account_id])


async def _dossier_row(session: AsyncSession, account_id: uuid.UUID, now: Any, *, lock: bool = False) -> Any:
    """The caller's dossier, created empty on first use (one dossier per account)."""
    try:
        await session.execute(_CREATE_DOSSIER, {"id": uuid.uuid4(), "account_id": account_id, "now": now})
    except sa.exc.IntegrityError as error:  # the account was deleted while its token is still valid
        raise AccountGone() from error
    query = sa.select(dossiers).where(dossiers.c.account_id == account_id)
    return (await session.execute(query.with_for_update() if lock else query)).one()


async def _document_kinds(session: AsyncSession, account_id: uuid.UUID) -> set[str]:
    return set((await session.execute(sa.select(documents.c.kind).distinct()
                                      .where(documents.c.account_id == account_id))).scalars())


def _view(row: Any, draft: DossierDraft, kinds: set[str], deps: Deps) -> DossierView:
    found = problems(draft, today=deps.db.clock.now().date(), document_kinds=kinds)
    return DossierView(row.id, row.status, row.revision, draft, found, derived(draft), row.structure_id,
                       row.information_request)


async def get_dossier(deps: Deps, account_id: uuid.UUID) -> DossierView:
    async with deps.db.uow() as uow:
        row = await _dossier_row(uow.session, account_id, deps.db.clock.now())
        kinds = await _document_kinds(uow.session, account_id)
        await uow.commit()
    return _view(row, DossierDraft.model_validate(row.draft), kinds, deps)


async def _check_photo(session: AsyncSession, account_id: uuid.UUID, document_id: uuid.UUID | None) -> None:
    if document_id is None:
        return
    kind = (await session.execute(sa.select(documents.c.kind).where(
        documents.c.id == document_id, documents.c.account_id == account_id))).scalar()
    if kind != DocumentKind.PHOTO.value:
        raise ForeignDocument("photo_document_id must be one of your own documents of kind `photo`")


async def save_draft(deps: Deps, account_id: uuid.UUID, draft: DossierDraft) -> DossierView:
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        row = await _dossier_row(uow.session, account_id, now, lock=True)
        if row.status not in EDITABLE:
            raise NotEditable(f"the dossier is {row.status}: it cannot be edited now")
        await _check_photo(uow.session, account_id, draft.referent_card.photo_document_id)
        kinds = await _document_kinds(uow.session, account_id)
        await uow.session.execute(sa.update(dossiers).where(dossiers.c.id == row.id)
                                  .values(draft=draft.model_dump(mode="json"), updated_at=now))
        await uow.commit()
    return _view(row, draft, kinds, deps)


async def add_document(deps: Deps, account_id: uuid.UUID, *, kind: DocumentKind, content: bytes,
                       filename: str | None) -> dict[str, Any]:
    content_type = sniff(content)
    if content_type is None:
        raise UnsupportedFile("only PDF, PNG and JPEG files are accepted (checked by their content)")
    if kind is DocumentKind.PHOTO and content_type == "application/pdf":
        raise UnsupportedFile("a photo must be a PNG or JPEG image")
    document = {"id": uuid.uuid4(), "account_id": account_id, "kind": kind.value,
                "filename": (filename or "")[:200] or None, "content_type": content_type, "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(), "content": content, "created_at": deps.db.clock.now()}
    async with deps.db.uow() as uow:
        try:
            await uow.session.execute(sa.insert(documents).values(document))
        except sa.exc.IntegrityError as error:
            raise AccountGone() from error
        await uow.commit()  # acknowledged only once durable
    return {key: value for key, value in document.items() if key not in ("content", "account_id")}


_DOCUMENT_FIELDS = (documents.c.id, documents.c.kind, documents.c.filename, documents.c.content_type,
                    documents.c.size, documents.c.sha256, documents.c.created_at)


async def list_documents(deps: Deps, account_id: uuid.UUID) -> list[dict[str, Any]]:
    async with deps.db.sessions() as session:
        rows = await session.execute(sa.select(*_DOCUMENT_FIELDS).where(documents.c.account_id == account_id)
                                     .order_by(documents.c.created_at))
        return [dict(row._mapping) for row in rows]


def draft_region(draft: dict[str, Any]) -> str | None:
    """The region of the address a dossier keeps up to date (its profile's), as validation and the directory
    place it: what a regional directorate's reads are limited by."""
    return derived(DossierDraft.model_validate(draft))["region"]


async def read_document(deps: Deps, document_id: uuid.UUID, *, owner: uuid.UUID | None,
                        region: str | None = None) -> Any:
    """The document (owner only, unless `owner` is None: DGE and DREETS roles); None when absent, someone else's,
    or (`region` given: a DREETS agent's) of a dossier in another region."""
    query = sa.select(documents).where(documents.c.id == document_id)
    if owner is not None:
        query = query.where(documents.c.account_id == owner)
    async with deps.db.sessions() as session:
        row = (await session.execute(query)).first()
        if row is None or region is None:
            return row
        draft = (await session.execute(sa.select(dossiers.c.draft).where(
            dossiers.c.account_id == row.account_id))).scalar_one_or_none()
    return row if draft is not None and draft_region(draft) == region else None


async def current_charter(session: AsyncSession) -> Any:
    return (await session.execute(sa.select(charter_versions).order_by(charter_versions.c.version.desc())
                                  .limit(1))).one()


async def submit(deps: Deps, account_id: uuid.UUID, charter_version: int) -> tuple[uuid.UUID, int]:
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        session = uow.session
        current = (await current_charter(session)).version
        if charter_version != current:
            raise StaleCharter(current)
        row = await _dossier_row(session, account_id, now, lock=True)
        if row.status not in EDITABLE:
            raise NotEditable(f"the dossier is {row.status}: it cannot be submitted now")
        draft = DossierDraft.model_validate(row.draft)
        kinds = await _document_kinds(session, account_id)
        found = problems(draft, today=now.date(), document_kinds=kinds)
        if found:
            raise Incomplete(found)
        try:
            snapshot = DossierSnapshot.model_validate(draft.model_dump(mode="json"))
        except pydantic.ValidationError as error:  # the rules above should have caught it: say what, never 500
            raise Incomplete([Problem(".".join(map(str, e["loc"])), "invalid", e["msg"]) for e in error.errors()]) \
                from error
        account = (await session.execute(sa.select(accounts).where(accounts.c.id == account_id))).one()
        docs = (await session.execute(sa.select(*_DOCUMENT_FIELDS).where(documents.c.account_id == account_id)
                                      .order_by(documents.c.created_at))).all()
        revision = row.revision + 1
        referent = MemberSnapshot(account_id=account_id, email=account.email, first_name=account.first_name,
                                  last_name=account.last_name, is_referent=True, charter_version_accepted=current,
                                  card=snapshot.referent_card)
        joined, photos = await _member_snapshots(session, row.id)
        data = DossierSubmittedData(
            dossier_id=row.id, revision=revision, account_id=account_id, structure=snapshot,
            members=[referent, *joined],
            documents=[DocumentRef(id=d.id, kind=d.kind, sha256=d.sha256, content_type=d.content_type, size=d.size)
                       for d in [*docs, *photos]],
            charter_version=current, submitted_at=now)
        await session.execute(sa.insert(dossier_revisions).values(
            dossier_id=row.id, revision=revision, snapshot=data.model_dump(mode="json"), charter_version=current,
            submitted_at=now))
        await session.execute(sa.update(dossiers).where(dossiers.c.id == row.id).values(
            status=StructureStatus.SUBMITTED.value, revision=revision, charter_version=current, submitted_at=now,
            status_changed_at=now, information_request=None, updated_at=now))
        await session.execute(insert(charter_acceptances).values(account_id=account_id, version=current,
                                                                 accepted_at=now).on_conflict_do_nothing())
        # The receipt (dossier_received) is validation's email, sent once the review case exists.
        await uow.add_event(DossierSubmitted.new(data, producer=PRODUCER, occurred_at=now))
        await uow.commit()
    return row.id, revision


async def _member_snapshots(session: AsyncSession, dossier_id: uuid.UUID) -> tuple[list[MemberSnapshot], list[Any]]:
    """The structure's members with their cards, and their photos (documents the DGE may open)."""
    rows = (await session.execute(
        sa.select(accounts.c.id, accounts.c.email, accounts.c.first_name, accounts.c.last_name, members.c.card,
                  sa.select(sa.func.max(charter_acceptances.c.version))
                  .where(charter_acceptances.c.account_id == accounts.c.id).scalar_subquery().label("charter"))
        .join(members, members.c.account_id == accounts.c.id).where(members.c.dossier_id == dossier_id)
        .order_by(members.c.joined_at))).all()
    snapshots = [MemberSnapshot(account_id=row.id, email=row.email, first_name=row.first_name,
                                last_name=row.last_name, charter_version_accepted=row.charter,
                                card=PersonCard.model_validate(row.card)) for row in rows]
    photo_ids = [uuid.UUID(row.card["photo_document_id"]) for row in rows if row.card.get("photo_document_id")]
    photos = (await session.execute(sa.select(*_DOCUMENT_FIELDS).where(documents.c.id.in_(photo_ids)))).all() \
        if photo_ids else []
    return snapshots, photos
