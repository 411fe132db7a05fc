"""A member's card (A2.6): avatar or photo, contact details, presentation, references; checked field by field."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool, field_validator, model_validator

Short = Annotated[str, Field(max_length=200)]
# Generated avatars a member may choose instead of a photo (*decided*: initials by default).
Avatar = Literal["initiales", "avatar-1", "avatar-2", "avatar-3", "avatar-4", "avatar-5", "avatar-6"]
_PHONE = re.compile(r"^\+?[0-9 .()-]{6,25}$")


class MemberCard(BaseModel):
    """What a member writes on their card; unknown fields are refused so a typo is not silently lost."""

    model_config = ConfigDict(extra="forbid")

    avatar: Avatar | None = Field(None, description="A generated avatar, when there is no photo.")
    photo_document_id: UUID | None = Field(None, description="A photo uploaded to /api/v1/structure/members/me/photo.")
    phone: Annotated[str, Field(max_length=40)] | None = None
    contact_email: Annotated[EmailStr, Field(max_length=320)] | None = None
    presentation: Annotated[str, Field(max_length=5000)] | None = None
    references: Annotated[list[Short], Field(max_length=50)] = []
    receive_contact_requests: StrictBool = Field(False, description="Also receive the structure's contact requests.")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and value.strip() and not _PHONE.match(value.strip()):
            raise ValueError("not a phone number (digits, spaces, + . - ( ) only)")
        return value.strip() if value else None

    @model_validator(mode="after")
    def _photo_or_avatar(self) -> MemberCard:
        if self.avatar is not None and self.photo_document_id is not None:
            raise ValueError("choose either an avatar or a photo, not both")
        return self


def initials(first_name: str, last_name: str) -> str:
    return (first_name[:1] + last_name[:1]).upper() or "?"
