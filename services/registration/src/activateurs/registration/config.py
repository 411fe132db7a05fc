"""Settings of the registration service: signing keys, lifetimes, throttling, limits, deadlines."""

from __future__ import annotations

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from activateurs.shared.settings import ServiceSettings


class RegistrationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRATION_", extra="ignore", populate_by_name=True)
    service_name: ClassVar[str] = "registration"
    default_port: ClassVar[int] = 8001

    # PEM private keys (RSA or EC P-256), concatenated: the first signs, the others still verify
    # (rotation). Unset in development/test: one is generated and kept in the service database.
    signing_keys: str = ""
    # Access tokens are short-lived: the other services verify them offline, so a signed-out or revoked session
    # stops working there only when its access token expires. A refresh token (rotated at each use) renews them.
    access_token_seconds: int = 900
    refresh_token_days: int = 14  # a session unused this long ends
    session_days: int = 30  # and every session ends this long after its sign-in
    password_reset_minutes: int = 60
    password_resets_per_address: int = 20  # reset requests per client address and hour
    email_change_hours: int = 24
    verification_hours: int = 48
    # Login throttling: failures allowed per window, per account and per client address.
    login_window_seconds: int = 900
    login_failures_per_account: int = 5
    login_failures_per_address: int = 30
    # Uploaded documents.
    max_document_bytes: int = 10 * 1024 * 1024
    never_verified_days: int = 30
    purge_interval_seconds: float = 3600.0
    # Members: how long an invitation link works; the size limit of a member's photo.
    invitation_days: int = 7
    max_photo_bytes: int = 2 * 1024 * 1024
    # Where this API is reached publicly: member photos are linked from the public profile.
    api_base_url: str = "http://127.0.0.1:8001"
    # Engagement (A6): length, reminders before the end, and how early a renewal is allowed.
    engagement_months: int = 24
    renewal_window_days: int = 60
    # How often due deadlines are looked for (short in end-to-end tests that move the clock).
    deadline_sweep_seconds: float = 60.0
    # Argon2id cost: the library's defaults (RFC 9106 low-memory profile) unless told otherwise.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4

    def insecure_defaults(self) -> dict[str, bool]:
        return {**super().insecure_defaults(), "REGISTRATION_SIGNING_KEYS": not self.signing_keys.strip()}
