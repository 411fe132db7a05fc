"""The accepted structures: search, history, suspension, reinstatement and strike-off."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ...agents import ActingAgent, Agent, AgentSignedIn
from ...case_history import STRUCTURE_STATES, actor_words, history_step
from ...clients.base import ApiError, ApiUnavailable
from ...clients.directory import Places
from ...clients.structures import StructuresClient
from ...context import Web, WebDep, posted_form
from ...forms import Form, check_text, too_long
from ...rendering import PARIS
from ..account import redirect
from .confirmation import confirmation_page, confirmed

router = APIRouter(include_in_schema=False)
STRUCTURES = "/administration/structures"
SECTION = "structures"
PAGE_SIZE = 25
QUERY_MAX = 200  # validation's limit on a part of the name
REASON_MAX = 5000
EXPIRY_WARNING_DAYS = 60  # the first renewal reminder goes out 60 days before the end
STATE_OPTIONS = tuple(STRUCTURE_STATES.items())
BADGES = {"active": "success", "suspended": "warning"}  # the others stay grey: nothing runs any more
GONE = frozenset({"struck_off", "withdrawn", "cancelled"})
AUDIT = {"structure_suspend": "Suspension", "structure_reinstate": "Rétablissement",
         "structure_strike_off": "Radiation"}


def structure_url(structure_id: str) -> str:
    return f"{STRUCTURES}/{structure_id}"


# --- what the pages show -------------------------------------------------------------------------------------------


def expiry_badge(state: str, expires_at: str | None, now: datetime) -> tuple[str, str] | None:
    """(text, DSFR badge kind) when the 24-month engagement ends within 60 days or has ended; None otherwise, or
    when nothing runs any more (struck off, withdrawn, cancelled)."""
    if state in GONE or not expires_at:
        return None
    end = datetime.fromisoformat(expires_at)
    if end <= now:
        return "Engagement échu", "error"
    days = (end.astimezone(PARIS).date() - now.astimezone(PARIS).date()).days
    if days > EXPIRY_WARNING_DAYS:
        return None
    if days == 0:
        return "Échéance aujourd'hui", "warning"
    return f"Échéance dans {days} jour{'s' if days > 1 else ''}", "warning"


def _place(item: dict[str, Any], places: Places) -> dict[str, str]:
    departments, regions = dict(places.departments), dict(places.regions)
    return {"department_name": departments.get(item["department"], item["department"]),
            "region_name": regions.get(item["region"], item["region"])}


def _shown(item: dict[str, Any], places: Places, now: datetime) -> dict[str, Any]:
    state = item["structure_state"]
    return {**item, **_place(item, places), "state_label": STRUCTURE_STATES.get(state, state),
            "badge": BADGES.get(state, ""), "expiry": expiry_badge(state, item.get("engagement_expires_at"), now)}


def _charter_step(item: dict[str, Any]) -> dict[str, Any] | None:
    at = item.get("accepted_at")
    if not at:
        return None
    return {"at": datetime.fromisoformat(at), "action": f"Charte version {item.get('charter_version', '?')} acceptée",
            "actor": "Référent de la structure" if item.get("referent") else "Membre de la structure", "reason": ""}


# --- calls to the APIs -------------------------------------------------------------------------------------------


def _uuid(raw: str) -> str | None:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


async def _structure(web: Web, agent: Agent, structure_id: str) -> dict[str, Any] | None:
    """Validation's structure with its history; None when unknown, not an id, or another region's."""
    known = _uuid(structure_id)
    if known is None:
        return None
    try:
        return await web.structures.structure(agent.headers, known)
    except ApiError as error:
        if error.status in (403, 404, 422):
            return None
        raise


async def _charter(web: Web, agent: Agent, structure_id: str) -> tuple[list[dict[str, Any]], str | None]:
    """The charter acceptances, or none and a note saying why they are missing."""
    try:
        return await web.structures.charter_acceptances(agent.headers, structure_id), None
    except ApiError as error:
        if error.status in (401, 403):
            return [], ("Les acceptations de la charte ne sont pas consultables avec votre accès : l'historique ci-"
                        "dessous ne les montre pas.")
        return [], ("Le service d'inscription ne connaît pas (ou plus) cette structure : ses acceptations de la "
                    "charte ne sont pas montrées.")
    except ApiUnavailable:
        return [], "Le service d'inscription ne répond pas : les acceptations de la charte ne sont pas montrées."


async def _public_slug(web: Web, agent: Agent, found: dict[str, Any]) -> str | None:
    """The public profile's slug while it is online (the directory, asked by id: no search is counted)."""
    if found["structure_state"] != "active":
        return None
    try:
        publication = await web.structures.publication(agent.headers, str(found["structure_id"]))
    except (ApiError, ApiUnavailable):
        return None
    return str(publication["slug"]) if publication.get("online") and publication.get("slug") else None


def _not_found(request: Request, web: Web) -> Response:
    return web.pages.render(request, "errors/404.html", status_code=404)


# --- the list ----------------------------------------------------------------------------------------------------


def _filters(request: Request, agent: Agent, places: Places) -> tuple[Form, int]:
    params = request.query_params
    form = Form({"q": params.get("q", "").strip(), "statut": params.get("statut", "").strip(),
                 "region": "" if agent.region else params.get("region", "").strip()})
    query = form.text("q")
    if problem := too_long(query, QUERY_MAX):
        form.errors["q"] = problem
    elif "\x00" in query:
        form.errors["q"] = "La recherche contient un caractère non autorisé."
    if form.text("statut") and form.text("statut") not in STRUCTURE_STATES:
        form.errors["statut"] = "Choisissez un état de la liste."
    if form.text("region") and form.text("region") not in dict(places.regions):
        form.errors["region"] = "Choisissez une région de la liste."
    raw_page = params.get("page", "1")
    page = min(max(int(raw_page), 1), 10_000) if raw_page.isdigit() else 1
    return form, page


@router.get(STRUCTURES, response_class=HTMLResponse)
async def structures(request: Request, web: WebDep, agent: AgentSignedIn) -> Response:
    places = await web.directory.places()
    form, page = _filters(request, agent, places)
    found: dict[str, Any] = {"items": [], "total": 0}
    if form.valid:
        try:
            found = await web.structures.search(agent.headers, q=form.text("q") or None,
                                                status=form.text("statut") or None,
                                                region=form.text("region") or None, page=page, page_size=PAGE_SIZE)
        except ApiError as error:
            if error.status not in (400, 403, 422):
                raise
            form.errors["q"] = "Cette recherche n'a pas pu être faite : vérifiez les critères et recommencez."
    now = datetime.now(UTC)
    items = [_shown(item, places, now) for item in found["items"]]
    pages = max(1, math.ceil(found["total"] / PAGE_SIZE))
    pairs = [(name, form.text(name)) for name in ("q", "statut", "region") if form.text(name)]

    def page_url(number: int) -> str:
        chosen = [*pairs, *([("page", str(number))] if number > 1 else [])]
        return STRUCTURES + ("?" + urlencode(chosen) if chosen else "")

    region_name = dict(places.regions).get(agent.region or "", agent.region)
    return web.pages.render(request, "administration/structures.html", status_code=200 if form.valid else 422,
                            section=SECTION, form=form, items=items, total=found["total"], page=page, pages=pages,
                            page_url=page_url, filtered=bool(pairs), state_options=STATE_OPTIONS,
                            region_options=tuple((code, name) for code, name in places.regions),
                            agent_region=region_name, query_max=QUERY_MAX)


# --- one structure -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """A sanction: its route, its reason's field, the states it applies to, what the pages say about it."""

    key: str  # the route's last segment
    field: str
    allowed: frozenset[str]
    heading: str
    reason_label: str
    hint: str
    button: str
    confirm_label: str
    warning: str
    notice: str  # {name}
    not_done: str
    call: Callable[[StructuresClient, dict[str, str], str, str], Awaitable[Any]]


ACTIONS = {action.key: action for action in (
    Action("suspension", "suspension_reason", frozenset({"active"}), "Suspendre la structure",
           "Motif de la suspension",
           "Jusqu'à nouvel ordre : sa fiche quitte l'annuaire et elle ne reçoit plus de demandes de contact. "
           "Le référent reçoit ce motif par courriel.",
           "Suspendre…", "Confirmer la suspension",
           "La suspension retire dès maintenant la fiche de la structure de l'annuaire public et arrête "
           "l'acheminement des demandes de contact, jusqu'à son rétablissement. Le référent reçoit un courriel "
           "avec le motif, qui est gardé dans l'historique et le journal d'audit.",
           "{name} est suspendue : sa fiche est retirée de l'annuaire et elle ne reçoit plus de demandes de "
           "contact. Le référent en est informé par courriel.",
           "La suspension n'a pas été enregistrée.", StructuresClient.suspend),
    Action("retablissement", "reinstatement_reason", frozenset({"suspended"}), "Rétablir la structure",
           "Motif du rétablissement",
           "Sa fiche revient dans l'annuaire et les demandes de contact lui sont de nouveau transmises. "
           "Le référent reçoit ce motif par courriel.",
           "Rétablir…", "Confirmer le rétablissement",
           "Le rétablissement republie la fiche de la structure dans l'annuaire public : les entreprises peuvent "
           "de nouveau la trouver et la contacter. Le référent reçoit un courriel avec le motif.",
           "{name} est rétablie : sa fiche est de nouveau publiée dans l'annuaire. Le référent en est informé "
           "par courriel.",
           "Le rétablissement n'a pas été enregistré.", StructuresClient.reinstate),
    Action("radiation", "strike_off_reason", frozenset({"active", "suspended"}), "Radier la structure",
           "Motif de la radiation",
           "Définitif : la structure quitte le programme, sa fiche est retirée et le compte de son référent "
           "supprimé. Le référent reçoit ce motif par courriel.",
           "Radier…", "Confirmer la radiation définitive",
           "La radiation est définitive : elle ne s'annule pas. La fiche est retirée de l'annuaire public, les "
           "demandes de contact s'arrêtent, le compte du référent est supprimé avec ses données ; seule la "
           "trace du journal d'audit demeure. Le référent reçoit un courriel avec le motif.",
           "{name} est radiée, définitivement : sa fiche est retirée de l'annuaire et le compte de son référent "
           "supprimé. Le référent en est informé par courriel.",
           "La radiation n'a pas été enregistrée.", StructuresClient.strike_off),
)}


async def _structure_page(request: Request, web: Web, agent: Agent, structure_id: str, *, status_code: int = 200,
                          forms: dict[str, Form] | None = None, conflict: str | None = None) -> Response:
    found = await _structure(web, agent, structure_id)
    if found is None:
        return await _gone_or_404(request, web, agent, structure_id)
    places, (acceptances, charter_note), slug = await asyncio.gather(
        web.directory.places(), _charter(web, agent, str(found["structure_id"])), _public_slug(web, agent, found))
    steps = [history_step(step, agent.subject) for step in found.get("history", [])]
    steps += [step for item in acceptances if (step := _charter_step(item)) is not None]
    steps.sort(key=lambda step: step["at"], reverse=True)
    state = found["structure_state"]
    actions = [action for action in ACTIONS.values() if agent.can_act and state in action.allowed]
    chosen = forms or {}
    return web.pages.render(
        request, "administration/structure.html", status_code=status_code, section=SECTION,
        st=_shown(found, places, datetime.now(UTC)), history=steps, charter_note=charter_note, slug=slug,
        actions=actions, forms={action.key: chosen.get(action.key) or Form() for action in actions},
        conflict=conflict, gone=state in GONE, reason_max=REASON_MAX, base=structure_url(str(found["structure_id"])))


async def _gone_or_404(request: Request, web: Web, agent: Agent, structure_id: str) -> Response:
    """A structure struck off has its referent's account deleted, and validation then erases its case: what the
    DGE still has is the audit log's record of the strike-off. Anything else unknown is the 404 page."""
    known = _uuid(structure_id)
    if known is None or not agent.can_act:
        return _not_found(request, web)
    try:
        records = await web.structures.audit_trail(agent.headers, known)
    except ApiError:
        return _not_found(request, web)
    records = [record for record in records if record.get("subject_id") == known]
    struck = [record for record in records if record.get("action") == "structure_strike_off"]
    if not struck:
        return _not_found(request, web)
    trail = sorted(({"at": datetime.fromisoformat(record["at"]),
                     "action": AUDIT.get(record["action"], record["action"]),
                     "actor": actor_words(record["actor"], agent.subject), "reason": record.get("reason") or ""}
                    for record in records), key=lambda step: step["at"], reverse=True)
    return web.pages.render(request, "administration/structure_gone.html", section=SECTION, trail=trail,
                            struck_at=datetime.fromisoformat(struck[-1]["at"]), structure_id=known)


@router.get(STRUCTURES + "/{structure_id}", response_class=HTMLResponse)
async def structure(structure_id: str, request: Request, web: WebDep, agent: AgentSignedIn) -> Response:
    return await _structure_page(request, web, agent, structure_id)


def _reason_form(posted: Any, action: Action) -> Form:
    reason = str(posted.get(action.field) or "").replace("\r\n", "\n").strip()
    form = Form({action.field: reason})
    check_text(form, action.field, REASON_MAX, "Indiquez le motif : le référent le reçoit par courriel et il est "
                                               "gardé dans l'historique de la structure.")
    return form


def _conflict(action: Action, state: str) -> str:
    return (f"L'état de la structure a changé entre-temps : elle est maintenant "
            f"« {STRUCTURE_STATES.get(state, state)} ». {action.not_done} Voyez ci-dessous ce qu'il est encore "
            "possible de faire.")


async def _act(request: Request, web: Web, agent: Agent, structure_id: str, action: Action) -> Response:
    posted = await posted_form(request, web)
    found = await _structure(web, agent, structure_id)
    if found is None:
        return _not_found(request, web)
    known, name, state = str(found["structure_id"]), found["structure_name"], found["structure_state"]
    if state not in action.allowed:
        return await _structure_page(request, web, agent, known, status_code=409, conflict=_conflict(action, state))
    form = _reason_form(posted, action)
    if not form.valid:
        return await _structure_page(request, web, agent, known, status_code=422, forms={action.key: form})
    reason = form.text(action.field)
    if not confirmed(posted):
        return confirmation_page(
            request, web, section=SECTION, heading=f"{action.heading} : {name}",
            summary=[("Structure", name), ("État actuel", STRUCTURE_STATES.get(state, state)), ("Motif", reason)],
            action=f"{structure_url(known)}/{action.key}", fields={action.field: reason},
            confirm_label=action.confirm_label, back=structure_url(known), warning=action.warning)
    try:
        await action.call(web.structures, agent.headers, known, reason)
    except ApiError as error:
        if error.status == 404:
            return _not_found(request, web)
        if error.status == 409:
            fresh = await _structure(web, agent, known)
            return await _structure_page(request, web, agent, known, status_code=409,
                                         conflict=_conflict(action, fresh["structure_state"] if fresh else state))
        if error.status == 422:
            form.errors[action.field] = "Ce motif n'a pas été accepté : vérifiez-le (5000 caractères au maximum)."
            return await _structure_page(request, web, agent, known, status_code=422, forms={action.key: form})
        raise
    return redirect(structure_url(known), web, action.notice.format(name=name))


@router.post(STRUCTURES + "/{structure_id}/suspension", response_class=HTMLResponse)
async def suspend(structure_id: str, request: Request, web: WebDep, agent: ActingAgent) -> Response:
    return await _act(request, web, agent, structure_id, ACTIONS["suspension"])


@router.post(STRUCTURES + "/{structure_id}/retablissement", response_class=HTMLResponse)
async def reinstate(structure_id: str, request: Request, web: WebDep, agent: ActingAgent) -> Response:
    return await _act(request, web, agent, structure_id, ACTIONS["retablissement"])


@router.post(STRUCTURES + "/{structure_id}/radiation", response_class=HTMLResponse)
async def strike_off(structure_id: str, request: Request, web: WebDep, agent: ActingAgent) -> Response:
    return await _act(request, web, agent, structure_id, ACTIONS["radiation"])
