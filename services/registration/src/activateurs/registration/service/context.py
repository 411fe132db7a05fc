"""The dependencies every use case of this service takes, built once in app.py."""

from __future__ import annotations

from dataclasses import dataclass

from activateurs.shared.db import Database

from ..adapters.passwords import Passwords
from ..config import RegistrationSettings
from .keys import KeyRing

PRODUCER = "registration"


@dataclass(frozen=True)
class Deps:
    db: Database
    keys: KeyRing
    passwords: Passwords
    settings: RegistrationSettings

    def link(self, path: str) -> str:
        return self.settings.public_base_url.rstrip("/") + path


class AccountGone(Exception):
    """The token is valid but its account was deleted since it was issued."""
