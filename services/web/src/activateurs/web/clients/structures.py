"""The accepted structures as the DGE governs them: validation's list, history and sanctions, registration's
record of the charter versions each accepted."""

from __future__ import annotations

from .base import ApiClient


class StructuresClient:
    def __init__(self, validation: ApiClient, registration: ApiClient) -> None:
        self.validation = validation
        self.registration = registration
