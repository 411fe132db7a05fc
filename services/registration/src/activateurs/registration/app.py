"""Wiring of the registration service: health, metrics, OpenAPI and AsyncAPI; its features come with its own issue."""

from fastapi import FastAPI

from activateurs.shared.db import Database
from activateurs.shared.service import Service, create_broker

from .config import RegistrationSettings

DESCRIPTION = "Accounts, the 4-step pre-registration, profile life, re-engagement and GDPR requests."


def create_app(settings: RegistrationSettings | None = None) -> FastAPI:
    settings = settings or RegistrationSettings()
    return Service(name="registration", version="0.1.0", description=DESCRIPTION, settings=settings,
                   database=Database(settings.database_url), broker=create_broker("registration", settings)).create_app()
