"""The OpenAPI document of a service says that a body FastAPI cannot decode is answered 400."""

from typing import ClassVar

from fastapi import APIRouter
from pydantic import BaseModel

from activateurs.shared.db import Database
from activateurs.shared.service import Service, create_broker
from activateurs.shared.settings import ServiceSettings


class DemoSettings(ServiceSettings):
    service_name: ClassVar[str] = "demo"
    default_port: ClassVar[int] = 8099


class Note(BaseModel):
    text: str


router = APIRouter()


@router.post("/notes", status_code=201)
async def create_note(note: Note) -> Note:
    return note


@router.get("/notes")
async def list_notes() -> list[Note]:
    return []


def test_operations_with_a_body_document_the_400_and_the_others_do_not():
    settings = DemoSettings()
    service = Service(name="demo", version="0", description="demo", settings=settings,
                      database=Database(settings.database_url), broker=create_broker("demo", settings), routers=[router])
    document = service.create_app().openapi()
    post, get = document["paths"]["/notes"]["post"], document["paths"]["/notes"]["get"]
    assert post["responses"]["400"]["content"]["application/json"]["schema"]["required"] == ["detail"]
    assert {"201", "422", "400"} <= set(post["responses"])
    assert "400" not in get["responses"]
