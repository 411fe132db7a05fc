"""What the DGE and the DREETS read about the network: contact-relay's SLA report, the directory's statistics,
validation's statistics and the audit log's verification."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .base import ApiClient


def _period(start: date | None, end: date | None) -> dict[str, str]:
    return {key: value.isoformat() for key, value in (("from", start), ("to", end)) if value is not None}


class ReportsClient:
    def __init__(self, validation: ApiClient, directory: ApiClient, contact_relay: ApiClient) -> None:
        self.validation = validation
        self.directory = directory
        self.contact_relay = contact_relay

    async def sla(self, headers: dict[str, str], start: date | None, end: date | None) -> dict[str, Any]:
        """`{from, to, structures: [{structure_id, name, slug, department, region, received, acknowledged_in_time,
        acknowledged_late, overdue, redirected, median_ack_seconds}]}`: requests received over the days (UTC, both
        included; by default the last 30); a DREETS token sees its region's structures only. ApiError 422 for days
        in the wrong order or more than ten years."""
        return await self.contact_relay.get_json("/api/v1/sla-report", params=_period(start, end), headers=headers)

    async def network(self, headers: dict[str, str], start: date | None, end: date | None) -> dict[str, Any]:
        """The directory's figures of the network over the days (UTC, both included, a year at most): `{from, to,
        region, published: {total, by_region: [{region, name, published}]}, totals, days, months}`, each of
        `totals`/`days`/`months` with views, search appearances and contacts as an activator's statistics count
        them; a DREETS token: its region's."""
        return await self.directory.get_json("/api/v1/statistics", params=_period(start, end), headers=headers)

    async def instruction(self, headers: dict[str, str], since: datetime, until: datetime) -> dict[str, Any]:
        """Validation's figures: `{since, until, region, waiting: {to_review, awaiting_applicant}, decisions_per_month:
        [{month, accepted, refused, expired}], median_instruction_days, overdue_acknowledgements: [{structure_id,
        structure_name, overdue}]}` over [since, until); the queue as it is now."""
        return await self.validation.get_json("/api/v1/statistics", params={
            "from": since.isoformat(), "to": until.isoformat()}, headers=headers)

    async def audit_verification(self, headers: dict[str, str]) -> dict[str, Any]:
        """`{intact, records, first_broken_seq, verified_at}`: the chain recomputed now (DGE roles)."""
        return await self.validation.get_json("/api/v1/audit-log/verification", headers=headers)

    async def audit_records(self, headers: dict[str, str], *, subject_id: str | None, page: int,
                            page_size: int) -> list[dict[str, Any]]:
        """A page of records in chain order (oldest first): `{seq, at, actor, action, subject_id, reason, details,
        prev_hash, hash}`."""
        params = {"page": str(page), "page_size": str(page_size), **({"subject_id": subject_id} if subject_id else {})}
        return list((await self.validation.get_json("/api/v1/audit-log", params=params, headers=headers))["items"])
