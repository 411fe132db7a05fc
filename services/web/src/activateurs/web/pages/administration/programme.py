"""The programme's government (DGE admins): charter versions, questionnaire campaigns, partner keys."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
