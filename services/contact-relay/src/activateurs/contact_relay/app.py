"""Wiring of the contact-relay service: health, metrics, OpenAPI and AsyncAPI; its features come with its own issue."""

from fastapi import FastAPI

from activateurs.shared.db import Database
from activateurs.shared.service import Service, create_broker

from .config import ContactRelaySettings

DESCRIPTION = "Business contact requests forwarded to activators, and the 48 working-hour acknowledgement."


def create_app(settings: ContactRelaySettings | None = None) -> FastAPI:
    settings = settings or ContactRelaySettings()
    return Service(name="contact-relay", version="0.1.0", description=DESCRIPTION, settings=settings,
                   database=Database(settings.database_url), broker=create_broker("contact-relay", settings)).create_app()
