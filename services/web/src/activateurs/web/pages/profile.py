"""The structure's public profile seen from its space: the link to it online, and its edition by the referent."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..clients.base import ApiError
from ..context import Web, WebDep, posted_form
from ..forms import Form
from ..profile_forms import LABELS, changed_fields, from_dossier, profile_errors, profile_form, profile_patch
from ..signed_in import Account, SignedIn
from .account import redirect

router = APIRouter(include_in_schema=False)
PATH = "/espace/fiche"
ONLINE = ("accepted", "published")  # a suspended structure's profile is offline and cannot change
IN_PROGRAMME = (*ONLINE, "suspended")


async def public_path(web: Web, account: Account) -> str | None:
    """/activateurs/{slug} of the account's structure once the directory publishes it (found by its name and id:
    neither registration nor `me` tells the slug)."""
    structure = account.structure or {}
    if structure.get("status") not in ONLINE or not structure.get("name"):
        return None
    found = await web.directory.search({"q": structure["name"][:400], "page_size": "50"})
    slugs = [item["slug"] for item in found["items"] if item.get("structure_id") == structure.get("structure_id")]
    return f"/activateurs/{slugs[0]}" if slugs else None


async def _page(request: Request, web: Web, account: Account, form: Form | None = None, status: int = 200,
                conflict: str | None = None) -> Response:
    editable = account.role == "referent" and account.status in ONLINE
    if editable and form is None:
        form = from_dossier(await web.dossier.get(account.headers))
    return web.pages.render(request, "space/profile.html", status_code=status, section="profile",
                            form=form if editable else None, in_programme=account.status in IN_PROGRAMME,
                            public=await public_path(web, account), labels=LABELS, conflict=conflict)


@router.get(PATH, response_class=HTMLResponse)
async def profile_page(request: Request, web: WebDep, account: SignedIn) -> Response:
    return await _page(request, web, account)


@router.post(PATH, response_class=HTMLResponse)
async def save_profile(request: Request, web: WebDep, account: SignedIn) -> Response:
    posted = await posted_form(request, web)
    if account.role != "referent" or account.status not in ONLINE:
        return await _page(request, web, account, status=403 if account.role != "referent" else 409)
    form = profile_form(posted)
    if not form.valid:
        return await _page(request, web, account, form, 422)
    before = from_dossier(await web.dossier.get(account.headers))
    try:
        await web.members.update_profile(account.headers, profile_patch(form))
    except ApiError as error:
        if error.status == 409:  # suspended or out of the programme since the page was opened
            return await _page(request, web, account, form, 409, conflict=str(error.detail))
        if error.status != 422:
            raise
        form.errors.update(profile_errors(error.detail))
        return await _page(request, web, account, form, 422)
    changed = changed_fields(before, form)
    if not changed:
        return redirect(PATH, web, "Votre fiche est enregistrée : rien n'y a changé.")
    return redirect(PATH, web, "Votre fiche est republiée dans l'annuaire. Modifié : " + ", ".join(changed) + ".")
