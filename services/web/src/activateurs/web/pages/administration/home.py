"""The back-office's home: what waits for the agent, and the way to each part of the work."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ...agents import HOME, AgentSignedIn
from ...context import WebDep

router = APIRouter(include_in_schema=False)


@router.get(HOME, response_class=HTMLResponse)
async def home(request: Request, web: WebDep, agent: AgentSignedIn) -> Response:
    to_review, awaiting = await asyncio.gather(
        web.cases.queue(agent.headers, status="to_review", page_size=1),
        web.cases.queue(agent.headers, status="awaiting_applicant", page_size=1))
    return web.pages.render(request, "administration/home.html", section="admin_home", to_review=to_review["total"],
                            awaiting=awaiting["total"])
