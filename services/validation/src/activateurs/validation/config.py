"""Settings of the validation service."""

from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from activateurs.shared.settings import ServiceSettings

# Which emails this service asks for: one owner per email, never both. Validation owns the receipt
# (sent once the case exists, per revision), the thread and the sanctions; registration sends the
# others (dossier_accepted, dossier_refused, account_deleted, withdrawal_confirmed…).
VALIDATION_EMAILS = frozenset({
    "dossier_received", "information_requested", "information_reminder",
    "structure_suspended", "structure_reinstated", "structure_struck_off",
})


class ValidationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="VALIDATION_", extra="ignore", populate_by_name=True)
    service_name: ClassVar[str] = "validation"
    default_port: ClassVar[int] = 8002

    # The website fetch looking for a legal-notice page: a hint only, bounded, off where the network is not ours.
    website_check: bool = False
    website_check_timeout: float = 3.0
    # How often the deadline sweeper looks for due reminders and expiries.
    deadline_poll_seconds: float = 30.0
    deadline_batch: int = 100
    emails: frozenset[str] = Field(default=VALIDATION_EMAILS)
    consumer_prefetch: int = 64
    # Where registration serves a dossier's documents to DGE roles ({document_id} is replaced); the
    # caller's own token is forwarded, so the store applies its own access rules too.
    document_url: str = "http://127.0.0.1:8001/api/v1/dossier/documents/{document_id}"
