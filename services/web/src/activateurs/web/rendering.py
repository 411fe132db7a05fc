"""Jinja2 pages: one environment, the DSFR bundle's URLs, the French labels of the closed lists."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from activateurs.shared.contracts.vocabulary import (
    Category,
    DocumentKind,
    Domain,
    HeadcountBand,
    LabelledEnum,
    Service,
    StructureStatus,
    StructureType,
    ValidationStatus,
)

from .notices import Notices
from .options import Choices, checkbox_items, option_tags
from .session import SESSION_COOKIE
from .static_files import StaticBundle

TEMPLATES = Path(__file__).resolve().parent / "templates"
PARIS = ZoneInfo("Europe/Paris")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
LISTS = {"domain": Domain, "service": Service, "structure_type": StructureType, "category": Category,
         "headcount_band": HeadcountBand, "structure_status": StructureStatus,
         "validation_status": ValidationStatus, "document_kind": DocumentKind}


LABELS = {kind: {item.value: item.label for item in values} for kind, values in LISTS.items()}


def label(code: str, kind: str) -> str:
    """The French label of a code of a closed list; an unknown code is shown as it is."""
    return LABELS[kind].get(code, code)


def french_datetime(value: str | datetime, with_time: bool = True) -> str:
    """« 7 avril 2026 à 10 h 00 », in Paris time (what a reader in mainland France expects)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    moment = moment.astimezone(PARIS)
    day = f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    return f"{day} à {moment.hour} h {moment.minute:02d}" if with_time else day


@lru_cache(maxsize=None)
def choices(kind: type[LabelledEnum]) -> Choices:
    return tuple((item.value, item.label) for item in kind)


@lru_cache(maxsize=16)
def code_names(places: Choices, with_code: bool = True) -> Choices:
    """Places as select options: « 75 — Paris »."""
    return tuple((code, f"{code} — {name}" if with_code else name) for code, name in places)


def local_photo(url: str | None) -> str | None:
    """A member photo's URL on registration's API, served from this origin instead (CSP: images from 'self')."""
    if not url:
        return None
    return "/photos/" + url.rstrip("/").rsplit("/", 1)[-1]


class Pages:
    """Renders a page with what every page needs: the bundle, the site's address, the CSRF token, who is signed in
    and the notice an action left for this page."""

    def __init__(self, bundle: StaticBundle, public_base_url: str, site_name: str, notices: Notices) -> None:
        self.notices = notices
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(("html", "xml")),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                               auto_reload=False)
        self.env.globals.update(static=bundle.url, site_name=site_name, public_base_url=public_base_url.rstrip("/"),
                                vocabulary=LISTS)
        self.env.filters.update(label=label, french_datetime=french_datetime, choices=choices, code_names=code_names,
                                local_photo=local_photo, option_tags=option_tags)
        self.env.globals.update(checkbox_items=checkbox_items)
        self.public_base_url = public_base_url.rstrip("/")

    def render(self, request: Request, template: str, status_code: int = 200,
               headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
        context.setdefault("canonical", None)
        context.setdefault("description", None)
        notice, clear_notice = self.notices.read(request)
        account = getattr(request.state, "account", None)
        body = self.env.get_template(template).render(
            request=request, csrf_token=request.state.csrf_token, notice=notice, account=account,
            signed_in=account is not None or SESSION_COOKIE in request.cookies, **context)
        answer = HTMLResponse(body, status_code=status_code, headers=headers)
        if clear_notice:
            answer.headers.append("set-cookie", clear_notice)
        return answer

    def absolute(self, path: str) -> str:
        return self.public_base_url + path
