"""Steps of an activator's journey across the five services, each asserted, shared by the end-to-end suites."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from activateurs.registration.domain.example import example_dossier
from tests.support.platform import Platform, link_in
from tests.support.waiting import eventually

PDF = b"%PDF-1.7\n" + b"0" * 200 + b"\n%%EOF\n"


@dataclass
class Person:
    """An applicant with unusual names, so finding them anywhere means something."""

    first_name: str
    last_name: str
    email: str
    phone: str
    password: str = "e2e correct horse battery staple"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def unusual(cls) -> Person:
        tag = uuid.uuid4().hex[:8]
        return cls(first_name=f"Zephyrine{tag}", last_name=f"Quillebeuf{tag}",
                   email=f"zephyrine{tag}.quillebeuf{tag}@exemple-activateur.fr",
                   phone=f"+33 6 {tag[0:2].translate(DIGITS)} {tag[2:4].translate(DIGITS)} "
                         f"{tag[4:6].translate(DIGITS)} {tag[6:8].translate(DIGITS)}")


DIGITS = str.maketrans("abcdef", "123456")


def query_token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def dossier(person: Person, structure_name: str, **structure: Any) -> dict[str, Any]:
    """A complete dossier whose referent (and head of structure) is `person`; `structure` fields replaced."""
    return example_dossier(name=structure_name, head=(person.first_name, person.last_name, person.email),
                           phone=person.phone, **structure)


async def open_account(platform: Platform, person: Person) -> None:
    """Account → verification link from the mail → verified → a token."""
    answer = await platform.registration.post("/api/v1/accounts", json={
        "email": person.email, "password": person.password, "first_name": person.first_name,
        "last_name": person.last_name})
    assert answer.status_code == 202, answer.text
    unverified = await platform.registration.post("/api/v1/auth/token",
                                                  data={"username": person.email, "password": person.password})
    assert unverified.status_code == 401, "an unverified account must not get a token"
    mail = await platform.mail(person.email, "account_verification")
    token = query_token(link_in(mail, "/verification", platform.public_base_url))
    verified = await platform.registration.post("/api/v1/accounts/verification", json={"token": token})
    assert verified.status_code == 200, verified.text
    person.headers = await platform.login(person.email, person.password)


async def submit_dossier(platform: Platform, person: Person, structure_name: str, **structure: Any) -> str:
    """Draft → document → no problem left → submission with the current charter; the dossier id."""
    client = platform.registration
    draft = await client.put("/api/v1/dossier", headers=person.headers, json=dossier(person, structure_name, **structure))
    assert draft.status_code == 200, draft.text
    assert draft.json()["problems"], "without its registration extract the dossier is incomplete"
    upload = await client.post("/api/v1/dossier/documents", headers=person.headers, data={"kind": "extrait_immatriculation"},
                               files={"file": ("extrait-kbis.pdf", PDF, "application/pdf")})
    assert upload.status_code == 201, upload.text
    assert (await client.get("/api/v1/dossier", headers=person.headers)).json()["problems"] == []
    charter = (await client.get("/api/v1/charter")).json()
    submitted = await client.post("/api/v1/dossier/submission", headers=person.headers,
                                  json={"charter_version": charter["version"], "accept_charter": True})
    assert submitted.status_code == 202, submitted.text
    assert submitted.json()["status"] == "submitted"
    return submitted.json()["dossier_id"]


async def dge_agent(platform: Platform) -> dict[str, str]:
    """The DGE agent made with registration's command line at start-up, signed in."""
    return await platform.dge_headers()


async def case(platform: Platform, dge: dict[str, str], dossier_id: str, status: str) -> dict[str, Any]:
    """The validation case once it has reached `status`."""
    async def reached() -> dict[str, Any] | None:
        answer = await platform.validation.get(f"/api/v1/dossiers/{dossier_id}", headers=dge)
        return answer.json() if answer.status_code == 200 and answer.json()["status"] == status else None
    return await eventually(reached, timeout=60, interval=0.2, what=f"case {dossier_id} {status}")


async def registration_status(platform: Platform, person: Person, status: str) -> dict[str, Any]:
    """GET /api/v1/me once the structure shows `status`."""
    async def reached() -> dict[str, Any] | None:
        me = (await platform.registration.get("/api/v1/me", headers=person.headers)).json()
        return me if (me.get("structure") or {}).get("status") == status else None
    return await eventually(reached, timeout=60, interval=0.2, what=f"registration status {status}")


async def dge_asks(platform: Platform, dge: dict[str, str], person: Person, dossier_id: str,
                   question: str) -> dict[str, Any]:
    """The DGE's request for information (the message it posts), once registration shows the dossier awaiting
    the applicant."""
    asked = await platform.validation.post(f"/api/v1/dossiers/{dossier_id}/messages", headers=dge,
                                           json={"body": question, "requests_information": True})
    assert asked.status_code == 201, asked.text
    await registration_status(platform, person, "awaiting_applicant")
    return asked.json()


async def accepted_structure(platform: Platform, person: Person, structure_name: str,
                             dge: dict[str, str], **structure: Any) -> tuple[str, str]:
    """Account, dossier, acceptance, publication: (structure_id, slug); `person.headers` then carry the structure."""
    await open_account(platform, person)
    dossier_id = await submit_dossier(platform, person, structure_name, **structure)
    await case(platform, dge, dossier_id, "to_review")
    decided = await platform.validation.post(f"/api/v1/dossiers/{dossier_id}/decision", headers=dge,
                                             json={"decision": "accepted", "reason": "Dossier complet."})
    assert decided.status_code == 200, decided.text
    structure_id = await eventually(lambda: _structure_id(platform, person), timeout=60, interval=0.2,
                                    what="the structure id in registration")
    person.headers = await platform.login(person.email, person.password)
    slug = await published_slug(platform, structure_name)
    return structure_id, slug


async def _structure_id(platform: Platform, person: Person) -> str | None:
    me = (await platform.registration.get("/api/v1/me", headers=person.headers)).json()
    return (me.get("structure") or {}).get("structure_id")


async def published_slug(platform: Platform, structure_name: str) -> str:
    """The slug of the structure once the directory's search finds it by name."""
    async def found() -> str | None:
        answer = await platform.directory.get("/api/v1/activators", params={"q": structure_name})
        assert answer.status_code == 200, answer.text
        items = [item for item in answer.json()["items"] if item["name"] == structure_name]
        return items[0]["slug"] if items else None
    return await eventually(found, timeout=60, interval=0.2, what=f"{structure_name} in the directory search")


async def offline(platform: Platform, slug: str) -> None:
    async def gone() -> bool:
        return (await platform.directory.get(f"/api/v1/activators/{slug}")).status_code == 404
    await eventually(gone, timeout=60, interval=0.2, what=f"profile {slug} offline")


def business(slug: str) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    return {"activator_slug": slug, "company_name": f"Boulangerie Fournil {tag}", "contact_name": "Marcel Pétrin",
            "email": f"marcel.petrin.{tag}@boulangerie-exemple.fr", "phone": "+33 1 40 00 00 00",
            "postal_code": "75011", "domains": ["site_internet_ecommerce"],
            "message": "Bonjour, nous voudrions vendre nos viennoiseries en ligne. Pouvez-vous nous aider ?"}
