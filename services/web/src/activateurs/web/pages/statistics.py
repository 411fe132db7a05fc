"""The activator's statistics: views, search appearances, contacts and acknowledgements over a chosen period."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..charts import bar_chart, french_number, period_label
from ..clients.base import ApiError
from ..context import WebDep
from ..forms import Form
from ..signed_in import SignedIn
from .inbox import activators_only

router = APIRouter(include_in_schema=False)
MAX_DAYS = 366  # the directory's limit for one period
GROUPINGS = (("day", "Par jour"), ("month", "Par mois"))
# What each chart shows: (the figure's key, the chart's title, the unit counted).
CHARTS = (("views", "Vues de votre fiche", "vues"),
          ("search_appearances", "Apparitions dans les résultats de recherche", "apparitions"),
          ("contacts_received", "Demandes de contact reçues", "demandes"))


def parse_day(raw: str) -> date | None:
    """A day as a date field sends it (2026-03-01) or as a person types it without one (01/03/2026)."""
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, layout).date()
        except ValueError:
            continue
    return None


def duration_words(seconds: float | None) -> str:
    """A median time to acknowledge, in words: « 3 h 05 », « 2 j 4 h », « 12 min »."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 1:
        return "moins d'une minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d}"
    days, hours = divmod(hours, 24)
    return f"{days} j {hours} h" if hours else f"{days} j"


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{french_number(round(rate * 100))}\u00a0%"


def period_form(request: Request) -> tuple[Form, date | None, date | None]:
    params = request.query_params
    form = Form({"du": params.get("du", "").strip()[:20], "au": params.get("au", "").strip()[:20],
                 "par": params.get("par", "")})
    start = parse_day(form.text("du")) if form.text("du") else None
    end = parse_day(form.text("au")) if form.text("au") else None
    for name, parsed in (("du", start), ("au", end)):
        if form.text(name) and parsed is None:
            form.errors[name] = "Cette date n'est pas valide. Exemple : 2026-03-01 ou 01/03/2026"
    if start and end and start > end:
        form.errors["du"] = "La date de début doit précéder la date de fin."
    elif start and end and (end - start).days + 1 > MAX_DAYS:
        form.errors["du"] = f"Une période compte {MAX_DAYS} jours au plus."
    if form.values["par"] not in ("day", "month"):
        form.values["par"] = ""
    return form, start, end


def _rows(figures: list[dict[str, Any]], grouping: str) -> list[dict[str, Any]]:
    """The table's lines: the period in words, each figure as a French reader reads it."""
    key = "day" if grouping == "day" else "month"
    rows = []
    for line in figures:
        moment = date.fromisoformat(line[key] if grouping == "day" else line[key] + "-01")
        rows.append({**line, "when": moment, "label": period_label(moment, grouping),
                     "median": duration_words(line["median_ack_seconds"])})
    return rows


@router.get("/espace/statistiques", response_class=HTMLResponse)
async def statistics(request: Request, web: WebDep, account: SignedIn) -> Response:
    form, start, end = period_form(request)
    if not form.valid:
        return web.pages.render(request, "space/statistics.html", status_code=422, section="statistics", form=form,
                                groupings=GROUPINGS, found=None)
    try:
        found = await web.directory.my_statistics(account.headers, start and start.isoformat(),
                                                  end and end.isoformat())
    except ApiError as error:
        if error.status != 422:
            return activators_only(request, web, error, "statistics", "Statistiques")
        form.errors["du"] = "Cette période n'est pas acceptée : une année au plus, la date de début en premier."
        return web.pages.render(request, "space/statistics.html", status_code=422, section="statistics", form=form,
                                groupings=GROUPINGS, found=None)
    first, last = date.fromisoformat(found["from"]), date.fromisoformat(found["to"])
    form.values["du"], form.values["au"] = first.isoformat(), last.isoformat()
    grouping = form.values["par"] or ("day" if (last - first).days < 62 else "month")
    form.values["par"] = grouping
    rows = _rows(found["days"] if grouping == "day" else found["months"], grouping)
    by = "par jour" if grouping == "day" else "par mois"
    charts = [(f"{title}, {by}", bar_chart([(row["when"], row[key]) for row in rows], grouping=grouping,
                                           chart_id=f"graphique-{key}", title=f"{title}, {by}", unit=unit))
              for key, title, unit in CHARTS]
    totals = found["totals"]
    return web.pages.render(request, "space/statistics.html", section="statistics", form=form, groupings=GROUPINGS,
                            found=found, rows=rows, charts=charts, grouping=grouping,
                            first=period_label(first, "day"), last=period_label(last, "day"),
                            rate=percent(totals["acknowledgement_rate"]),
                            median=duration_words(totals["median_ack_seconds"]), number=french_number)
