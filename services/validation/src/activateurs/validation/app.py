"""Wiring of the validation service: health, metrics, OpenAPI and AsyncAPI; its features come with its own issue."""

from fastapi import FastAPI

from activateurs.shared.db import Database
from activateurs.shared.service import Service, create_broker

from .config import ValidationSettings

DESCRIPTION = "The DGE back-office: pre-checks, information requests, decisions, sanctions, audit log."


def create_app(settings: ValidationSettings | None = None) -> FastAPI:
    settings = settings or ValidationSettings()
    return Service(name="validation", version="0.1.0", description=DESCRIPTION, settings=settings,
                   database=Database(settings.database_url), broker=create_broker("validation", settings)).create_app()
