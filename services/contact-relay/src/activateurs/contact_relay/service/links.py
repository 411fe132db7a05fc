"""Links put in emails: the one-click acknowledgement link and public profile pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from ..domain import ack_token


@dataclass(frozen=True)
class Links:
    public_base_url: str
    secret: str
    link_days: int = 30

    def ack_token(self, request_id: UUID, structure_id: UUID, received_at: datetime) -> str:
        return ack_token.sign(self.secret, request_id, structure_id, received_at + timedelta(days=self.link_days))

    def acknowledgement_url(self, request_id: UUID, structure_id: UUID, received_at: datetime) -> str:
        token = self.ack_token(request_id, structure_id, received_at)
        return f"{self.public_base_url.rstrip('/')}/contact-requests/{request_id}/acknowledgement?token={token}"

    def profile_url(self, slug: str | None, url: str | None) -> str:
        if url and url.startswith(("https://", "http://")):
            return url
        return f"{self.public_base_url.rstrip('/')}/activateurs/{slug or ''}"

    def directory_url(self, postal_code: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/activateurs?postal_code={postal_code}"
