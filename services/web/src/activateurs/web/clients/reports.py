"""What the DGE and the DREETS read about the network: contact-relay's SLA report, the directory's statistics,
validation's statistics and the audit log's verification."""

from __future__ import annotations

from .base import ApiClient


class ReportsClient:
    def __init__(self, validation: ApiClient, directory: ApiClient, contact_relay: ApiClient) -> None:
        self.validation = validation
        self.directory = directory
        self.contact_relay = contact_relay
