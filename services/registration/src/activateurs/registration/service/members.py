"""Members (adhérents): invitations by the referent, acceptance creating a verified account, cards and photos."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from activateurs.shared.auth import InvalidToken
from activateurs.shared.contracts.emails import MemberInvitationContext
from activateurs.shared.contracts.vocabulary import DocumentKind, Role, StructureStatus

from ..adapters.tables import accounts, charter_acceptances, documents, dossiers, member_invitations, members
from ..domain.members import MemberCard
from .accounts import _may_mail
from .context import Deps
from .dossier import ForeignDocument, StaleCharter, _dossier_row, add_document, current_charter
from .lifecycle import _dossier_with_account
from .mail import Recipient, email_for, structure_name
from .people import membership
from .profile import photo_url, republish

INVITATION_AUDIENCE = "activateurs-member-invitation"
# A structure that has left the programme (or is suspended) takes no new member.
CLOSED = {StructureStatus.SUSPENDED.value, StructureStatus.WITHDRAWN.value, StructureStatus.CANCELLED.value,
          StructureStatus.STRUCK_OFF.value}


class AlreadyInvited(Exception):
    """The address is already invited (link still valid) or a member, or is the referent's own."""


class ClosedStructure(Exception):
    """The structure left the programme or is suspended: no new member."""


class TooManyInvitations(Exception):
    """Several invitations to one address within the hour: a referent cannot flood someone's mailbox."""


class EmailTaken(Exception):
    """The invited address already has an account of its own (one account per address)."""


class NotAMember(Exception):
    """Cards and photos are the members' own: the caller is not a member of a structure."""


async def is_member(deps: Deps, account_id: uuid.UUID) -> bool:
    async with deps.db.sessions() as session:
        return await membership(session, account_id) is not None


async def invite(deps: Deps, referent_id: uuid.UUID, *, email: str, first_name: str, last_name: str) -> dict[str, Any]:
    now = deps.db.clock.now()
    email = email.strip().lower()
    async with deps.db.uow() as uow:
        session = uow.session
        dossier = await _dossier_row(session, referent_id, now, lock=True)
        if dossier.status in CLOSED:
            raise ClosedStructure(f"the structure is {dossier.status}: it cannot invite members")
        referent = (await session.execute(sa.select(accounts).where(accounts.c.id == referent_id))).one()
        if email == referent.email:
            raise AlreadyInvited("this is your own address: you are the structure's referent")
        previous = (await session.execute(sa.select(member_invitations).where(
            member_invitations.c.dossier_id == dossier.id, member_invitations.c.email == email))).first()
        if previous is not None and (previous.accepted_at is not None or previous.expires_at > now):
            raise AlreadyInvited("this address is already invited or a member of the structure")
        if (await session.execute(sa.select(accounts.c.id).where(accounts.c.email == email))).first():
            raise EmailTaken("this address already has an account; invite another address of the person")
        if not await _may_mail(session, email, now):
            raise TooManyInvitations("too many emails to this address lately; try again in an hour")
        invitation_id = previous.id if previous else uuid.uuid4()
        token_id = uuid.uuid4().hex  # a re-invitation replaces the nonce: the earlier link stops working
        expires_at = now + timedelta(days=deps.settings.invitation_days)
        values = {"first_name": first_name.strip(), "last_name": last_name.strip(), "token_id": token_id,
                  "invited_at": now, "expires_at": expires_at}
        await session.execute(insert(member_invitations).values(
            id=invitation_id, dossier_id=dossier.id, email=email, **values).on_conflict_do_update(
            constraint="member_invitations_dossier_email_key", set_=values))
        token = await deps.keys.sign({"sub": str(invitation_id), "jti": token_id}, now,
                                     int((expires_at - now).total_seconds()), audience=INVITATION_AUDIENCE)
        context = MemberInvitationContext(
            first_name=values["first_name"], structure_name=structure_name(dossier.draft),
            referent_name=f"{referent.first_name} {referent.last_name}".strip(),
            invitation_url=deps.link(f"/invitation?token={token}"), expires_at=expires_at)
        # Nobody's account yet: the email concerns no account (the invitee's deletion cannot reach it anyway).
        await uow.add_event(email_for(context, Recipient(None, email),
                                      f"registration:invitation:{invitation_id}:{token_id}", now))
        await uow.commit()
    return {"id": str(invitation_id), "email": email, "first_name": values["first_name"],
            "last_name": values["last_name"], "status": "invited", "expires_at": expires_at}


async def accept_invitation(deps: Deps, token: str, *, password: str, charter_version: int) -> uuid.UUID:
    """A verified member account bound to the structure (the link proves the address), the charter accepted.
    Raises InvalidToken (forged, expired, replaced or used link), StaleCharter, EmailTaken, ClosedStructure."""
    now = deps.db.clock.now()
    claims = await deps.keys.decode(token, now, audience=INVITATION_AUDIENCE)
    try:
        invitation_id = uuid.UUID(str(claims["sub"]))
    except ValueError as error:
        raise InvalidToken("malformed subject") from error
    password_hash = await deps.passwords.hash(password)
    async with deps.db.uow() as uow:
        session = uow.session
        invitation = (await session.execute(sa.select(member_invitations).where(
            member_invitations.c.id == invitation_id).with_for_update())).first()
        if invitation is None or invitation.token_id != claims.get("jti") or invitation.accepted_at is not None:
            raise InvalidToken("this invitation was already used, replaced by a newer one, or withdrawn")
        current = (await current_charter(session)).version
        if charter_version != current:
            raise StaleCharter(current)
        structure = await _dossier_with_account(session, dossiers.c.id == invitation.dossier_id)
        if structure is None or structure.status in CLOSED:
            raise ClosedStructure("the structure no longer takes members")
        account_id = uuid.uuid4()
        created = (await session.execute(insert(accounts).values(
            id=account_id, email=invitation.email, password_hash=password_hash, first_name=invitation.first_name,
            last_name=invitation.last_name, roles=[Role.ACTIVATOR.value], created_at=now, verified_at=now,
        ).on_conflict_do_nothing(index_elements=[accounts.c.email]).returning(accounts.c.id))).first()
        if created is None:
            raise EmailTaken("this address already has an account")
        await session.execute(sa.insert(members).values(
            account_id=account_id, dossier_id=invitation.dossier_id, card=MemberCard().model_dump(mode="json"),
            joined_at=now, card_updated_at=now))
        await session.execute(sa.insert(charter_acceptances).values(account_id=account_id, version=current,
                                                                    accepted_at=now))
        await session.execute(sa.update(member_invitations).where(member_invitations.c.id == invitation_id)
                              .values(accepted_at=now, account_id=account_id))
        await uow.add_events(await republish(deps, session, invitation.dossier_id))
        await uow.commit()
    return account_id


async def list_members(deps: Deps, referent_id: uuid.UUID) -> list[dict[str, Any]]:
    """The referent's view: every invitation with its state, and each member's card."""
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        dossier = await _dossier_row(uow.session, referent_id, now)
        rows = (await uow.session.execute(
            sa.select(member_invitations, members.c.card, members.c.joined_at)
            .outerjoin(members, members.c.account_id == member_invitations.c.account_id)
            .where(member_invitations.c.dossier_id == dossier.id).order_by(member_invitations.c.invited_at))).all()
        await uow.commit()
    return [{"invitation_id": str(row.id), "account_id": str(row.account_id) if row.account_id else None,
             "email": row.email, "first_name": row.first_name, "last_name": row.last_name,
             "status": "member" if row.accepted_at else "invited" if row.expires_at > now else "expired",
             "invited_at": row.invited_at, "expires_at": row.expires_at, "joined_at": row.joined_at,
             "card": _card_view(deps, row.card) if row.card is not None else None} for row in rows]


def _card_view(deps: Deps, card: dict[str, Any]) -> dict[str, Any]:
    return {**card, "photo_url": photo_url(deps, card.get("photo_document_id"))}


async def get_card(deps: Deps, account_id: uuid.UUID) -> dict[str, Any]:
    async with deps.db.sessions() as session:
        joined = await membership(session, account_id)
    if joined is None:
        raise NotAMember("only a member of a structure has a member card")
    return _card_view(deps, joined.card)


async def put_card(deps: Deps, account_id: uuid.UUID, card: MemberCard) -> dict[str, Any]:
    """Save the card; republished at once when the structure's profile is online. Raises NotAMember,
    ForeignDocument (a photo that is not one of the member's own)."""
    now = deps.db.clock.now()
    async with deps.db.uow() as uow:
        session = uow.session
        joined = (await session.execute(sa.select(members.c.dossier_id).where(members.c.account_id == account_id)
                                        .with_for_update())).first()
        if joined is None:
            raise NotAMember("only a member of a structure has a member card")
        if card.photo_document_id is not None:
            kind = (await session.execute(sa.select(documents.c.kind).where(
                documents.c.id == card.photo_document_id, documents.c.account_id == account_id))).scalar()
            if kind != DocumentKind.PHOTO.value:
                raise ForeignDocument("photo_document_id must be one of your own photos "
                                      "(POST /api/v1/structure/members/me/photo)")
        stored = card.model_dump(mode="json")
        await session.execute(sa.update(members).where(members.c.account_id == account_id)
                              .values(card=stored, card_updated_at=now))
        await uow.add_events(await republish(deps, session, joined.dossier_id))
        await uow.commit()
    return _card_view(deps, stored)


async def upload_photo(deps: Deps, account_id: uuid.UUID, content: bytes, filename: str | None) -> dict[str, Any]:
    """Raises NotAMember, UnsupportedFile (not a PNG or JPEG by its content)."""
    if not await is_member(deps, account_id):
        raise NotAMember("only a member of a structure uploads a card photo here")
    return await add_document(deps, account_id, kind=DocumentKind.PHOTO, content=content, filename=filename)


_PUBLIC_PHOTO = sa.text("""
    SELECT d.content, d.content_type FROM documents d
    WHERE d.id = :id AND d.kind = 'photo' AND (
        EXISTS (SELECT 1 FROM members m JOIN dossiers s ON s.id = m.dossier_id
                WHERE m.account_id = d.account_id AND m.card->>'photo_document_id' = CAST(d.id AS text)
                  AND s.status IN ('accepted', 'published'))
        OR EXISTS (SELECT 1 FROM dossiers s WHERE s.account_id = d.account_id
                   AND s.draft->'referent_card'->>'photo_document_id' = CAST(d.id AS text)
                   AND s.status IN ('accepted', 'published')))
""")


async def public_photo(deps: Deps, document_id: uuid.UUID) -> Any:
    """A photo shown on an online profile's card; None for anything else (other documents stay private)."""
    async with deps.db.sessions() as session:
        return (await session.execute(_PUBLIC_PHOTO, {"id": document_id})).first()
