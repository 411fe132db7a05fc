"""GDPR: once a person deleted their account, nothing about them is left in any of the five databases or logs."""

from __future__ import annotations

import email
import email.policy
import json
import re

import asyncpg

from tests.e2e.journeys import Person, accepted_structure, business, dge_agent, offline, query_token
from tests.support.platform import SERVICES, Platform, link_in
from tests.support.waiting import eventually

# Every column type that can hold text: scanned whole; arrays, JSON, enums and search vectors as text, bytea decoded.
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "bytea", "ARRAY", "USER-DEFINED",
              "tsvector")


def needles(person: Person) -> dict[str, str]:
    """What must be nowhere (lower case): email, names, phone (as typed and as bare digits)."""
    digits = re.sub(r"\D", "", person.phone)
    return {"email": person.email.lower(), "first name": person.first_name.lower(),
            "last name": person.last_name.lower(), "phone": person.phone.lower(), "phone digits": digits,
            "phone national digits": "0" + digits[2:]}


def readable(value: object) -> str:
    """A value as the text a reader would find in it: bytes decoded, and a stored email's parts decoded too."""
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        text = value.decode("utf-8", errors="replace")
        raw = value
    else:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        raw = text.encode("utf-8", errors="replace")
    if b"MIME-Version:" in raw[:4000] or b"Content-Transfer-Encoding:" in raw:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts = [str(message.get(header, "")) for header in ("From", "To", "Subject", "Reply-To")]
        for part in message.walk():
            if not part.is_multipart():
                try:
                    parts.append(str(part.get_content()))
                except (LookupError, ValueError):
                    continue
        text += "\n" + "\n".join(parts)
    return text.lower()


def hits_in(text: str, wanted: dict[str, str]) -> list[str]:
    return [what for what, needle in wanted.items() if needle and needle in text]


def around(text: str, needle: str) -> str:
    """A little of the text around the first hit, so a finding says which row it is."""
    at = text.find(needle)
    return " ".join(text[max(0, at - 50):at + len(needle) + 30].split())


async def scan_database(url: str, wanted: dict[str, str]) -> list[str]:
    """`table.column: what (…context…)` for every text-like column holding one of `wanted` (first hit of each)."""
    found: dict[str, str] = {}
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        columns = await conn.fetch(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = ANY($1::text[]) ORDER BY table_name, column_name",
            list(TEXT_TYPES))
        for column in columns:
            table, name = column["table_name"], column["column_name"]
            cast = "" if column["data_type"] == "bytea" else "::text"
            rows = await conn.fetch(f'SELECT "{name}"{cast} AS v FROM "{table}" WHERE "{name}" IS NOT NULL')
            for row in rows:
                text = readable(row["v"])
                for what in hits_in(text, wanted):
                    found.setdefault(f"{table}.{name}: {what}", around(text, wanted[what]))
    finally:
        await conn.close()
    return [f"{where} (…{context}…)" for where, context in sorted(found.items())]


async def scan_everything(platform: Platform, wanted: dict[str, str]) -> dict[str, list[str]]:
    leftovers: dict[str, list[str]] = {}
    for service in SERVICES:
        found = await scan_database(platform.database_urls[service], wanted)
        found += [f"log file {platform.log_paths()[service].name}: {what}"
                  for what in hits_in(platform.log_text(service).lower(), wanted)]
        if found:
            leftovers[service] = found
    return leftovers


def described(leftovers: dict[str, list[str]]) -> str:
    return "\n".join(f"  {service}: {hit}" for service, hits in leftovers.items() for hit in hits)


async def test_nothing_about_a_deleted_person_is_left_in_any_database_or_log(platform):
    dge = await dge_agent(platform)
    person = Person.unusual()
    wanted = needles(person)
    structure_id, slug = await accepted_structure(platform, person, "Forge Numérique Belleperche", dge)

    # The person's data spreads: a member invited, DGE messages, contact requests received and acknowledged.
    invited = await platform.registration.post("/api/v1/structure/members", headers=person.headers, json={
        "email": "marin.delaunay@exemple-membre.fr", "first_name": "Marin", "last_name": "Delaunay"})
    assert invited.status_code == 201, invited.text
    for _ in range(2):
        request = business(slug)
        sent = await platform.contact_relay.post("/api/v1/contact-requests", json=request)
        assert sent.status_code == 202, sent.text
        forwarded = await platform.mail(person.email, "contact_forwarded",
                                        count=len(platform.mails(person.email, "contact_forwarded")) + 1)
        acknowledged = await platform.contact_relay.post(
            f"/api/v1/contact-requests/{sent.json()['id']}/acknowledgement",
            params={"token": query_token(link_in(forwarded, f"/contact-requests/{sent.json()['id']}"))})
        assert acknowledged.status_code == 200, acknowledged.text
    exported = await platform.registration.get("/api/v1/me/export", headers=person.headers)
    assert exported.status_code == 200 and person.email in exported.text and person.last_name in exported.text

    # Before the deletion the scan does find the person: it is looking in the right places.
    before = await scan_everything(platform, wanted)
    assert {"registration", "validation", "notifier"} <= set(before), described(before)

    deleted = await platform.registration.delete("/api/v1/me", headers=person.headers)
    assert deleted.status_code == 202, deleted.text
    await offline(platform, slug)
    await platform.mail(person.email, "account_deleted")

    async def nothing_left() -> bool:
        return not await scan_everything(platform, wanted)
    try:
        await eventually(nothing_left, timeout=60, interval=1.0, what="every trace of the person erased")
    except AssertionError:
        leftovers = await scan_everything(platform, wanted)
        raise AssertionError(f"personal data left after DELETE /api/v1/me:\n{described(leftovers)}") from None
