"""Reports: the SLA of the contact requests (with its CSV), the network's statistics, the audit log's check.

The DGE and the DREETS read the first two (the APIs limit a DREETS agent's token to its region); the audit log is
the DGE's only.
"""

from __future__ import annotations

import asyncio
import csv
import io
import math
import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ...agents import ActingAgent, Agent, AgentSignedIn
from ...charts import bar_chart, french_number, period_label
from ...clients.base import ApiError
from ...context import Web, WebDep
from ...forms import Form
from ..statistics import duration_words, parse_day, percent

router = APIRouter(include_in_schema=False)
HOME = "/administration/rapports"
SLA = HOME + "/delais-de-reponse"
STATISTICS = HOME + "/statistiques"
AUDIT = HOME + "/journal-d-audit"
SLA_DAYS = 30  # contact-relay's default period
SLA_LONGEST = 3660  # and its longest (ten years)
STATISTICS_DAYS = 30  # the directory's default
STATISTICS_LONGEST = 366  # and its longest
AUDIT_PAGE = 50
BAD_DATE = "Cette date n'est pas valide. Exemple : 2026-03-01 ou 01/03/2026"


def utc_today() -> date:
    """The reports count days in UTC, as the APIs do."""
    return datetime.now(UTC).date()


def period_form(request: Request, default_days: int, longest: int) -> tuple[Form, date, date]:
    """`du` and `au` from the query string (by default the `default_days` days up to today, both included);
    each error beside its field."""
    params = request.query_params
    form = Form({"du": params.get("du", "").strip()[:20], "au": params.get("au", "").strip()[:20]})
    start = parse_day(form.text("du")) if form.text("du") else None
    end = parse_day(form.text("au")) if form.text("au") else None
    for name, parsed in (("du", start), ("au", end)):
        if form.text(name) and parsed is None:
            form.errors[name] = BAD_DATE
    end = end or utc_today()
    start = start or end - timedelta(days=default_days - 1)
    if not form.errors:
        if start > end:
            form.errors["du"] = "La date de début doit précéder la date de fin."
        elif (end - start).days + 1 > longest:
            form.errors["du"] = f"Une période compte {french_number(longest)} jours au plus."
    if not form.errors:
        form.values.update(du=start.isoformat(), au=end.isoformat())
    return form, start, end


def hours(seconds: float | None, grouped: bool = True) -> str:
    """A median time to acknowledge in hours, to a tenth, as a French reader writes it: « 2,5 », « 1 234,0 »
    (`grouped`: thousands apart, for the page; a spreadsheet's cell has none)."""
    if seconds is None:
        return "—" if grouped else ""
    written = f"{seconds / 3600:,.1f}" if grouped else f"{seconds / 3600:.1f}"
    return written.replace(",", "\u202f").replace(".", ",")


# --- the SLA report --------------------------------------------------------------------------------------------


async def _sla(request: Request, web: Web, agent: Agent) -> tuple[Form, dict[str, Any] | None]:
    form, start, end = period_form(request, SLA_DAYS, SLA_LONGEST)
    if not form.valid:
        return form, None
    try:
        found = await web.reports.sla(agent.headers, start, end)
    except ApiError as error:
        if error.status not in (400, 422):
            raise
        form.errors["du"] = "Cette période n'est pas acceptée : la date de début en premier, dix ans au plus."
        return form, None
    return form, found


def _totals(lines: list[dict[str, Any]]) -> dict[str, int]:
    keys = ("received", "acknowledged_in_time", "acknowledged_late", "overdue", "redirected")
    return {key: sum(line[key] for line in lines) for key in keys}


async def _region(web: Web, agent: Agent) -> dict[str, str | None]:
    """A DREETS agent's region (code and name) for the page to say so; None for the DGE."""
    if agent.region is None:
        return {"region": None, "region_name": None}
    regions = dict((await web.directory.places()).regions)
    return {"region": agent.region, "region_name": regions.get(agent.region, agent.region)}


async def _sla_error(request: Request, web: Web, agent: Agent, form: Form) -> Response:
    return web.pages.render(request, "administration/report_sla.html", status_code=422, section="sla", form=form,
                            found=None, **await _region(web, agent))


@router.get(SLA, response_class=HTMLResponse)
async def sla_report(request: Request, web: WebDep, agent: AgentSignedIn) -> Response:
    form, found = await _sla(request, web, agent)
    if found is None:
        return await _sla_error(request, web, agent, form)
    places = await web.directory.places()
    regions = dict(places.regions)
    lines = [{**line, "region_name": regions.get(line["region"] or "", line["region"] or "—"),
              "hours": hours(line["median_ack_seconds"])} for line in found["structures"]]
    first, last = date.fromisoformat(found["from"]), date.fromisoformat(found["to"])
    csv_url = f"{SLA}.csv?" + urlencode({"du": first.isoformat(), "au": last.isoformat()})
    return web.pages.render(request, "administration/report_sla.html", section="sla", form=form, found=found,
                            lines=lines, totals=_totals(lines), first=period_label(first, "day"),
                            last=period_label(last, "day"), csv_url=csv_url, **await _region(web, agent))


CSV_COLUMNS = ("Structure", "Identifiant de la structure", "Département", "Région", "Demandes reçues",
               "Prises en compte dans les délais", "Prises en compte en retard", "Délai dépassé",
               "Réorientées", "Délai médian de prise en compte (heures)")
FORMULA = re.compile(r"^[=+\-@\t\r]")


def _cell(value: object) -> str:
    """A text cell a spreadsheet will not read as a formula (a name beginning with « = » stays text)."""
    text = "" if value is None else str(value)
    return "'" + text if FORMULA.match(text) else text


@router.get(SLA + ".csv")
async def sla_csv(request: Request, web: WebDep, agent: AgentSignedIn) -> Response:
    form, found = await _sla(request, web, agent)
    if found is None:
        return await _sla_error(request, web, agent, form)
    regions = dict((await web.directory.places()).regions)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in found["structures"]:
        writer.writerow([_cell(line["name"]), line["structure_id"], _cell(line["department"]),
                         _cell(regions.get(line["region"] or "", line["region"])), line["received"],
                         line["acknowledged_in_time"], line["acknowledged_late"], line["overdue"],
                         line["redirected"], hours(line["median_ack_seconds"], grouped=False)])
    name = f"delais-de-reponse-{found['from']}-{found['to']}.csv"
    # The BOM: Excel reads the file as UTF-8 (accents) only with it.
    return Response(("\ufeff" + out.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "private, no-store"})


# --- the network's statistics ----------------------------------------------------------------------------------

DIRECTORY_CHARTS = (("views", "Vues des fiches", "vues"),
                    ("search_appearances", "Apparitions dans les résultats de recherche", "apparitions"),
                    ("contacts_received", "Demandes de contact transmises", "demandes"))


def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _decisions(found: dict[str, Any], first: date, last: date) -> list[dict[str, Any]]:
    """Every month of the period, the months without a decision at zero (the API lists only the others)."""
    by_month = {line["month"]: line for line in found["decisions_per_month"]}
    rows = []
    for month in _months(first, last):
        line = by_month.get(month.strftime("%Y-%m"), {"accepted": 0, "refused": 0, "expired": 0})
        counts = {key: line[key] for key in ("accepted", "refused", "expired")}
        rows.append({**counts, "when": month, "label": period_label(month, "month"), "total": sum(counts.values())})
    return rows


def _network_rows(found: dict[str, Any], grouping: str) -> list[dict[str, Any]]:
    rows = []
    for line in found["days"] if grouping == "day" else found["months"]:
        moment = date.fromisoformat(line["day"] if grouping == "day" else line["month"] + "-01")
        rows.append({**line, "when": moment, "label": period_label(moment, grouping),
                     "median": duration_words(line["median_ack_seconds"])})
    return rows


def _days_words(days: float | None) -> str:
    if days is None:
        return "—"
    if days < 1:
        return "moins d'un jour"
    value = round(days, 1)
    return f"{french_number(value)} jour{'s' if value >= 2 else ''}"


@router.get(STATISTICS, response_class=HTMLResponse)
async def statistics(request: Request, web: WebDep, agent: AgentSignedIn) -> Response:
    form, start, end = period_form(request, STATISTICS_DAYS, STATISTICS_LONGEST)
    if not form.valid:
        return web.pages.render(request, "administration/report_statistics.html", status_code=422,
                                section="statistics", form=form, found=None, **await _region(web, agent))
    since, until = datetime.combine(start, time(), UTC), datetime.combine(end + timedelta(days=1), time(), UTC)
    try:
        instruction, network, places = await asyncio.gather(
            web.reports.instruction(agent.headers, since, until), web.reports.network(agent.headers, start, end),
            web.directory.places())
    except ApiError as error:
        if error.status not in (400, 422):
            raise
        form.errors["du"] = "Cette période n'est pas acceptée : la date de début en premier, un an au plus."
        return web.pages.render(request, "administration/report_statistics.html", status_code=422,
                                section="statistics", form=form, found=None, **await _region(web, agent))
    decisions = _decisions(instruction, start, end)
    grouping = "day" if (end - start).days < 62 else "month"
    by = "par jour" if grouping == "day" else "par mois"
    rows = _network_rows(network, grouping)
    charts = [("Décisions sur les dossiers, par mois",
               bar_chart([(row["when"], row["total"]) for row in decisions], grouping="month",
                         chart_id="graphique-decisions", title="Décisions sur les dossiers, par mois",
                         unit="décisions"))]
    charts += [(f"{title}, {by}", bar_chart([(row["when"], row[key]) for row in rows], grouping=grouping,
                                            chart_id=f"graphique-{key}", title=f"{title}, {by}", unit=unit))
               for key, title, unit in DIRECTORY_CHARTS]
    regions = dict(places.regions)
    totals = network["totals"]
    return web.pages.render(
        request, "administration/report_statistics.html", section="statistics", form=form, found=network,
        instruction=instruction, decisions=decisions, rows=rows, charts=charts, grouping=grouping,
        first=period_label(start, "day"), last=period_label(end, "day"), number=french_number,
        median_instruction=_days_words(instruction["median_instruction_days"]),
        rate=percent(totals["acknowledgement_rate"]), median_ack=duration_words(totals["median_ack_seconds"]),
        published=[{**line, "label": line.get("name") or regions.get(line["region"] or "", line["region"] or
                                                                        "Région inconnue")}
                   for line in network["published"]["by_region"]],
        **await _region(web, agent))


# --- the audit log ---------------------------------------------------------------------------------------------

ACTIONS = {
    "dossier_accepted": "Dossier accepté", "dossier_refused": "Dossier refusé",
    "dossier_expired": "Dossier expiré (sans réponse du demandeur en 3 mois)",
    "message": "Message de la DGE", "information_requested": "Demande d'informations au demandeur",
    "applicant_message": "Réponse du demandeur", "charter_published": "Nouvelle version de la charte",
    "questionnaire_launched": "Questionnaire annuel lancé", "structure_suspend": "Structure suspendue",
    "structure_reinstate": "Structure rétablie", "structure_strike_off": "Structure radiée",
}
ACTORS = {"dge_admin": "Administration DGE", "dge_agent": "Agent DGE", "dreets_agent": "Agent DREETS",
          "activator": "Activateur", "system": "Automatique (échéance)", "registration": "Inscriptions (automatique)"}
SUBJECT = re.compile(r"^(charter|questionnaire):\d{1,6}$")


def actor_words(actor: str) -> tuple[str, str]:
    """(who, their token's subject if any): « Agent DGE », « 5f3a… »."""
    role, _, subject = actor.partition(":")
    if role in ACTORS:
        return ACTORS[role], subject
    try:
        return "Demandeur", str(uuid.UUID(actor))
    except ValueError:
        return actor, ""


def subject_form(request: Request) -> Form:
    form = Form({"sujet": request.query_params.get("sujet", "").strip()[:100]})
    subject = form.text("sujet")
    if not subject:
        return form
    try:
        form.values["sujet"] = str(uuid.UUID(subject))
    except ValueError:
        if not SUBJECT.match(subject):
            form.errors["sujet"] = ("Cet identifiant n'est pas valide : l'identifiant d'un dossier ou d'une "
                                    "structure (UUID). Exemple : 3f2b8c1e-7a4d-4e6f-9b0a-1c2d3e4f5a6b")
    return form


def _page_number(request: Request) -> int | None:
    raw = request.query_params.get("page", "")
    return min(max(int(raw), 1), 100_000) if raw.isascii() and raw.isdigit() else None


async def _latest(web: Web, agent: Agent, total: int, page: int) -> list[dict[str, Any]]:
    """The `page`-th 50 records counted from the newest, newest first: a window across two of the API's pages."""
    newest = total - (page - 1) * AUDIT_PAGE  # the window ends with this record (the chain's seq run 1..total)
    offset = max(newest - AUDIT_PAGE, 0)
    size = newest - offset
    if size <= 0:
        return []
    first_page = offset // AUDIT_PAGE + 1
    pages = {first_page, (offset + size - 1) // AUDIT_PAGE + 1}
    found = await asyncio.gather(*(web.reports.audit_records(agent.headers, subject_id=None, page=number,
                                                             page_size=AUDIT_PAGE) for number in sorted(pages)))
    records = [record for chunk in found for record in chunk]
    skip = offset - (first_page - 1) * AUDIT_PAGE
    return list(reversed(records[skip:skip + size]))


@router.get(AUDIT, response_class=HTMLResponse)
async def audit(request: Request, web: WebDep, agent: ActingAgent) -> Response:
    form = subject_form(request)
    subject = form.text("sujet") if form.valid else None
    page = _page_number(request) or 1
    verification = await web.reports.audit_verification(agent.headers)
    if not form.valid:
        records, pages = [], 1
    elif subject:
        records = await web.reports.audit_records(agent.headers, subject_id=subject, page=page,
                                                  page_size=AUDIT_PAGE)
        pages = page + 1 if len(records) == AUDIT_PAGE else page  # the API gives no total: one page further
    else:
        pages = max(1, math.ceil(verification["records"] / AUDIT_PAGE))
        page = min(page, pages)
        records = await _latest(web, agent, verification["records"], page)

    def page_url(number: int) -> str:
        pairs = [("sujet", subject)] if subject else []
        return AUDIT + ("?" + urlencode([*pairs, ("page", str(number))]) if number > 1 or pairs else "")

    shown = [{**record, "action_words": ACTIONS.get(record["action"], record["action"]),
              "who": actor_words(record["actor"])} for record in records]
    return web.pages.render(request, "administration/report_audit.html", status_code=422 if form.errors else 200,
                            section="audit", form=form, subject=subject, verification=verification,
                            records=shown, page=page, pages=pages, page_url=page_url, newest_first=not subject,
                            subject_link=_subject_link)


def _subject_link(subject: str) -> str:
    return AUDIT + "?" + urlencode({"sujet": subject})

