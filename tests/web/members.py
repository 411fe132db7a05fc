"""A structure of one's own and a member of it, through the APIs: what the members' tests and pages start from."""

from __future__ import annotations

import struct
import uuid
import zlib

from tests.e2e.journeys import Person, accepted_structure, dge_agent, query_token

from .site import Site

INVITATION_MAIL = "member_invitation"


def png(width: int = 4, height: int = 4) -> bytes:
    """A small valid PNG (grey pixels), made here rather than read from a file."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


async def own_structure(site: Site) -> tuple[Person, str, str]:
    """A new accepted and published structure: (its referent, its name, its slug). Its profile and members are the
    test's own: the seeded structures stay as every other test expects them."""
    person, name = Person.unusual(), f"Atelier Membres {uuid.uuid4().hex[:6]}"
    _, slug = await accepted_structure(site.platform, person, name, await dge_agent(site.platform))
    return person, name, slug


async def joined_member(site: Site, referent: Person) -> Person:
    """A person invited by `referent` who accepted through the API (the charter accepted), able to sign in."""
    member = Person.unusual()
    invited = await site.platform.registration.post("/api/v1/structure/members", headers=referent.headers, json={
        "email": member.email, "first_name": member.first_name, "last_name": member.last_name})
    assert invited.status_code == 201, invited.text
    mail = await site.platform.mail(member.email, INVITATION_MAIL)
    charter = (await site.platform.registration.get("/api/v1/charter")).json()
    accepted = await site.platform.registration.post("/api/v1/structure/members/invitation", json={
        "token": query_token(site.link(mail, "/invitation")), "password": member.password,
        "charter_version": charter["version"], "accept_charter": True})
    assert accepted.status_code == 201, accepted.text
    member.headers = await site.platform.login(member.email, member.password)
    return member
