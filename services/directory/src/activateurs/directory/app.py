"""Wiring of the directory service: health, metrics, OpenAPI and AsyncAPI; its features come with its own issue."""

from fastapi import FastAPI

from activateurs.shared.db import Database
from activateurs.shared.service import Service, create_broker

from .config import DirectorySettings

DESCRIPTION = "The public directory of activators: publication, search, profiles, statistics, open data."


def create_app(settings: DirectorySettings | None = None) -> FastAPI:
    settings = settings or DirectorySettings()
    return Service(name="directory", version="0.1.0", description=DESCRIPTION, settings=settings,
                   database=Database(settings.database_url), broker=create_broker("directory", settings)).create_app()
