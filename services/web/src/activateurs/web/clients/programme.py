"""The programme as its DGE admins run it: charter versions and questionnaire campaigns (validation), partner keys
(directory)."""

from __future__ import annotations

from .base import ApiClient


class ProgrammeClient:
    def __init__(self, validation: ApiClient, directory: ApiClient) -> None:
        self.validation = validation
        self.directory = directory
