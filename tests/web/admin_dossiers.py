"""Dossiers for the back-office's tests: an applicant's submission through registration's API, with a PDF (the
registration extract) and, if asked, an image among its documents."""

from __future__ import annotations

import hashlib
import struct
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any

from tests.e2e.journeys import PDF, Person, case, dossier, open_account

from .site import Site

REUNION = {"address": {"street": "3 rue de Paris", "postal_code": "97400", "city": "Saint-Denis"},
           "intervention_area": {"departments": ["974"], "national": False}}


def png(width: int = 24, height: int = 16) -> bytes:
    """A real PNG (a blue rectangle): a browser draws it, so a test can tell it was shown."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\x00\x00\x91" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = png()


@dataclass
class Submitted:
    """An applicant and their dossier under review: its id and the bytes of each document sent, by kind."""

    person: Person
    name: str
    dossier_id: str
    files: dict[str, bytes] = field(default_factory=dict)

    def sha256(self, kind: str) -> str:
        return hashlib.sha256(self.files[kind]).hexdigest()


def tagged(words: str) -> str:
    """A structure name no other test uses, so a search by name finds this one only."""
    return f"{words} {uuid.uuid4().hex[:8]}"


async def submitted(site: Site, name: str, *, image: bool = False, **structure: Any) -> Submitted:
    """Account, draft, documents (the PDF extract; a PNG client reference with `image`), submission; returned once
    validation has the case to review."""
    platform, person = site.platform, Person.unusual()
    await open_account(platform, person)
    client = platform.registration
    draft = await client.put("/api/v1/dossier", headers=person.headers, json=dossier(person, name, **structure))
    assert draft.status_code == 200, draft.text
    files = {"extrait_immatriculation": PDF, **({"reference_client": PNG} if image else {})}
    for kind, content in files.items():
        filename, content_type = ("extrait.pdf", "application/pdf") if content is PDF else ("reference.png",
                                                                                            "image/png")
        upload = await client.post("/api/v1/dossier/documents", headers=person.headers, data={"kind": kind},
                                   files={"file": (filename, content, content_type)})
        assert upload.status_code == 201, upload.text
    charter = (await client.get("/api/v1/charter")).json()
    sent = await client.post("/api/v1/dossier/submission", headers=person.headers,
                             json={"charter_version": charter["version"], "accept_charter": True})
    assert sent.status_code == 202, sent.text
    dossier_id = sent.json()["dossier_id"]
    await case(platform, await platform.dge_headers(), dossier_id, "to_review")
    return Submitted(person, name, dossier_id, files)


async def resubmitted(site: Site, applicant: Submitted, **structure: Any) -> None:
    """The applicant changes the structure's fields and submits the dossier again (a new revision)."""
    client = site.platform.registration
    current = (await client.get("/api/v1/dossier", headers=applicant.person.headers)).json()
    draft = {key: current[key] for key in ("structure", "management", "declarations", "referent_card")}
    draft["structure"].update(structure)
    saved = await client.put("/api/v1/dossier", headers=applicant.person.headers, json=draft)
    assert saved.status_code == 200, saved.text
    charter = (await client.get("/api/v1/charter")).json()
    sent = await client.post("/api/v1/dossier/submission", headers=applicant.person.headers,
                             json={"charter_version": charter["version"], "accept_charter": True})
    assert sent.status_code == 202, sent.text
