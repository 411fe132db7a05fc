"""The confirmation step of every back-office action: the form's POST shows what will happen, a second POST does it.

A decision, a sanction or a publication cannot be undone by a click: the agent reads the summary first. The second
POST carries the same fields plus `confirmation=oui`; without JavaScript it is two plain forms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from ...context import Web

CONFIRMED = "oui"


def confirmed(posted: FormData) -> bool:
    """The agent confirmed (the confirmation page's button), rather than sent the first form."""
    return posted.get("confirmation") == CONFIRMED


def confirmation_page(request: Request, web: Web, *, section: str, heading: str, summary: Sequence[tuple[str, str]],
                      action: str, fields: Mapping[str, str], confirm_label: str, back: str,
                      warning: str | None = None) -> Response:
    """What the action will do (`summary`: label and value lines), a button that POSTs `fields` to `action` again
    with the confirmation, and a link back to where the agent was."""
    return web.pages.render(request, "administration/confirm.html", section=section, heading=heading,
                            summary=summary, action=action, fields=fields, confirm_label=confirm_label, back=back,
                            warning=warning, confirmed_value=CONFIRMED)
