"""The queue of dossiers waiting for the DGE, oldest first, with its filters."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from activateurs.shared.contracts.vocabulary import ValidationStatus

from ...agents import AgentSignedIn
from ...clients.base import ApiError
from ...clients.directory import Places
from ...context import WebDep
from ...forms import Form

router = APIRouter(include_in_schema=False)
QUEUE = "/administration/dossiers"
SECTION = "queue"
PAGE_SIZE = 20
PAGE_SIZE_MAX = 100  # `par_page` in the address, for a longer list (validation allows 200)
QUERY_MAX = 200  # validation's limit on a part of the name
DEADLINE_WARNING_DAYS = 14  # the last reminder goes out 14 days before the 3 months are up
ALL = "tous"  # every status; no `statut` at all: the dossiers still open (to review, awaiting the applicant)
STATUS_OPTIONS = (*((status.value, status.label) for status in ValidationStatus), (ALL, "Tous les statuts"))
OPEN_LABEL = "Dossiers en cours"
PRECHECKS = {"pass": "Conformes", "to_check": "À vérifier", "fail": "Non conformes"}
PRECHECK_OPTIONS = tuple(PRECHECKS.items())
# One dossier's overall verdict, and its DSFR badge.
VERDICTS = {"pass": ("Conforme", "success"), "to_check": ("À vérifier", "warning"), "fail": ("Non conforme", "error")}
STATUS_BADGES = {"to_review": "new", "awaiting_applicant": "warning", "accepted": "success", "refused": "error",
                 "expired": ""}
# Validation's query parameters → the fields of the filter form.
API_FIELDS = {"status": "statut", "region": "region", "precheck": "precontrole", "q": "q", "waiting": "statut"}


def deadline(respond_by: str | None, now: datetime) -> dict[str, Any] | None:
    """The 3-month deadline of an information request: when, and a badge when it is near (14 days) or past."""
    if not respond_by:
        return None
    at = datetime.fromisoformat(respond_by)
    if at <= now:
        return {"at": respond_by, "badge": ("Échéance dépassée", "error")}
    days = (at - now).total_seconds() / 86400
    return {"at": respond_by, "badge": ("Échéance proche", "warning") if days <= DEADLINE_WARNING_DAYS else None}


def shown(item: dict[str, Any], places: Places, now: datetime) -> dict[str, Any]:
    """A queue item with what the table says of it: its place's names, the wait in days, its verdict, deadline."""
    departments, regions = dict(places.departments), dict(places.regions)
    summary = item.get("precheck_summary") or {}
    waited = now - datetime.fromisoformat(item["waiting_since"])
    return {**item, "department_name": departments.get(item["department"], ""),
            "region_name": regions.get(item["region"], item["region"]),
            "wait_days": max(0, waited.days),
            "verdict": VERDICTS.get(summary.get("overall", ""), (summary.get("overall", "—"), "")),
            "counts": {name: int(summary.get(name) or 0) for name in ("pass", "to_check", "fail")},
            "status_badge": STATUS_BADGES.get(item["status"], ""),
            "deadline": deadline(item.get("respond_by"), now) if item["status"] == "awaiting_applicant" else None}


def _filters(request: Request, places: Places, fixed_region: bool) -> tuple[Form, dict[str, Any], int, int]:
    """The filters typed in the address: the form as shown, the API's criteria (a value it would refuse is left
    out, its message beside the field), the page and its size."""
    query = request.query_params
    form = Form({name: query.get(name, "").strip() for name in ("statut", "region", "precontrole", "q")})
    criteria: dict[str, Any] = {}
    status = form.text("statut")
    if not status:
        criteria["waiting"] = True
    elif status in {value for value, _ in STATUS_OPTIONS}:
        if status != ALL:
            criteria["status"] = status
    else:
        form.errors["statut"] = "Ce statut est inconnu : le filtre n'est pas appliqué. Choisissez-en un dans la liste."
        criteria["waiting"] = True
    region = form.text("region")
    if region and not fixed_region:
        if region in dict(places.regions):
            criteria["region"] = region
        else:
            form.errors["region"] = "Cette région est inconnue : le filtre n'est pas appliqué."
    precheck = form.text("precontrole")
    if precheck in PRECHECKS:
        criteria["precheck"] = precheck
    elif precheck:
        form.errors["precontrole"] = "Ce résultat est inconnu : le filtre n'est pas appliqué."
    text = form.text("q")
    if len(text) > QUERY_MAX:
        form.errors["q"] = f"{QUERY_MAX} caractères au maximum ({len(text)} saisis) : la recherche par nom n'est " \
                           "pas appliquée."
    elif "\x00" in text:
        form.errors["q"] = "Ce texte contient un caractère invalide : la recherche par nom n'est pas appliquée."
    elif text:
        criteria["q"] = text
    raw_page, raw_size = query.get("page", "1"), query.get("par_page", "")
    page = min(max(int(raw_page), 1), 10_000) if raw_page.isdigit() else 1
    size = min(max(int(raw_size), 1), PAGE_SIZE_MAX) if raw_size.isdigit() else PAGE_SIZE
    return form, criteria, page, size


def _refused_fields(detail: Any) -> set[str]:
    """The filter fields validation's 422 names (pydantic's `loc`, or « unknown region code »)."""
    if isinstance(detail, str):
        return {"region"} if "region" in detail else set()
    names = set()
    for item in detail if isinstance(detail, list) else []:
        location = item.get("loc", []) if isinstance(item, dict) else []
        if location and location[-1] in API_FIELDS:
            names.add(API_FIELDS[location[-1]])
    return names


@router.get(QUEUE, response_class=HTMLResponse)
async def queue(request: Request, web: WebDep, agent: AgentSignedIn) -> Response:
    places = await web.directory.places()
    fixed_region = agent.region is not None  # a DREETS agent: validation keeps to its region
    form, criteria, page, size = _filters(request, places, fixed_region)
    try:
        found = await web.cases.queue(agent.headers, **criteria, page=page, page_size=size)
    except ApiError as error:
        if error.status != 422:
            raise
        # A value validation refuses that this page let through: said beside its field, the rest still applied.
        fields = _refused_fields(error.detail) or {"q"}
        for name in fields:
            form.errors.setdefault(name, "Cette valeur n'est pas acceptée : le filtre n'est pas appliqué.")
        api_names = {api for api, name in API_FIELDS.items() if name in fields}
        criteria = {name: value for name, value in criteria.items() if name not in api_names}
        if "statut" in fields:
            criteria["waiting"] = True
        found = await web.cases.queue(agent.headers, **criteria, page=1, page_size=size)
        page = 1
    now = datetime.now(UTC)
    items = [shown(item, places, now) for item in found["items"]]
    pages = max(1, math.ceil(found["total"] / size))
    kept = [(name, form.text(name)) for name in ("statut", "region", "precontrole", "q")
            if form.text(name) and name not in form.errors]
    if size != PAGE_SIZE:
        kept.append(("par_page", str(size)))

    def page_url(number: int) -> str:
        pairs = [*kept, *([("page", str(number))] if number > 1 else [])]
        return QUEUE + ("?" + urlencode(pairs) if pairs else "")

    return web.pages.render(
        request, "administration/queue.html", status_code=200, section=SECTION, form=form, items=items,
        total=found["total"], page=page, pages=pages, page_url=page_url, page_size=size,
        custom_size=size != PAGE_SIZE, status_options=STATUS_OPTIONS, open_label=OPEN_LABEL,
        precheck_options=PRECHECK_OPTIONS, region_options=places.regions,
        agent_region=dict(places.regions).get(agent.region or "", agent.region) if fixed_region else None,
        filtered=any(name != "par_page" for name, _ in kept), query_max=QUERY_MAX)
