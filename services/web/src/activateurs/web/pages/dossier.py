"""Steps 3 and 4 of the pre-registration: the dossier's sections, its documents, the charter and the submission,
and /mon-dossier, the summary before submission and the dossier's status after."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from ..clients.base import ApiError
from ..clients.dossier import DRAFT_PARTS, FORM_OVERHEAD_BYTES, MAX_DOCUMENT_BYTES
from ..context import Web, WebDep, posted_form
from ..dossier_sections import (
    BY_SLUG,
    KIND_LABELS,
    SECTIONS,
    UPLOAD_KINDS,
    Section,
    merged,
    placed,
    read_section,
    values_of,
)
from ..forms import Form
from ..signed_in import Account, SignedIn
from .account import redirect

router = APIRouter(include_in_schema=False)
HOME = "/mon-dossier"
# Registration lets the applicant change the dossier in these statuses only (its EDITABLE).
EDITABLE = {"draft", "awaiting_applicant", "refused"}
IN_PROGRAMME = {"accepted", "published", "suspended"}
TOO_LARGE = "Ce fichier dépasse 10 Mo : réduisez-le (un PDF compressé, une image moins grande) et recommencez."
WRONG_TYPE = "Ce fichier n'est pas accepté : seuls les PDF, PNG et JPEG le sont (vérifiés par leur contenu)."
WRONG_PHOTO = "Cette photo n'est pas acceptée : seules les images PNG et JPEG le sont (vérifiées par leur contenu)."


def _draft(dossier: dict[str, Any]) -> dict[str, Any]:
    return {part: dossier.get(part) or {} for part in DRAFT_PARTS}


def _member_page(request: Request, web: Web) -> Response:
    return web.pages.render(request, "dossier/members_only.html", status_code=403, section="dossier")


async def _dossier(web: Web, account: Account) -> dict[str, Any] | None:
    """The caller's dossier; None for a member (registration keeps the dossier for the referent only)."""
    if account.role == "member":
        return None
    try:
        return await web.dossier.get(account.headers)
    except ApiError as error:
        if error.status != 403:
            raise
        return None


def _progress(dossier: dict[str, Any]) -> tuple[dict[str, dict[str, str]], list[str]]:
    return placed(dossier.get("problems") or [])


def _summary(request: Request, web: Web, dossier: dict[str, Any], documents: list[dict[str, Any]],
             status: int = 200, refused_submission: bool = False, reason: str | None = None) -> Response:
    problems, unplaced = _progress(dossier)
    return web.pages.render(request, "dossier/summary.html", status_code=status, section="dossier",
                            dossier=dossier, sections=SECTIONS, problems=problems, unplaced=unplaced,
                            documents=documents, refused_submission=refused_submission, reason=reason,
                            editable=dossier["status"] in EDITABLE, in_programme=dossier["status"] in IN_PROGRAMME)


async def _refusal_reason(web: Web, account: Account) -> str | None:
    """Why the DGE refused, as validation's applicant thread gives it (the refusal mail says the same)."""
    try:
        return (await web.validation.thread(account.headers)).get("decision_reason")
    except ApiError as error:
        if error.status not in (403, 404):
            raise
        return None


# --- the summary, then the status -----------------------------------------------------------------------------------


@router.get(HOME, response_class=HTMLResponse)
async def my_dossier(request: Request, web: WebDep, account: SignedIn) -> Response:
    dossier = await _dossier(web, account)
    if dossier is None:
        return _member_page(request, web)
    reason = await _refusal_reason(web, account) if dossier["status"] == "refused" else None
    return _summary(request, web, dossier, await web.dossier.documents(account.headers), reason=reason)


# --- the sections ---------------------------------------------------------------------------------------------------


def _section_page(request: Request, web: Web, section: Section, form: Form, documents: list[dict[str, Any]],
                  departments: Any, draft: dict[str, Any], status: int = 200, saved: bool = False,
                  upload: Form | None = None) -> Response:
    number = SECTIONS.index(section)
    photo_id = (draft.get("referent_card") or {}).get("photo_document_id")
    return web.pages.render(
        request, "dossier/section.html", status_code=status, section="dossier", part=section, form=form,
        number=number + 1, count=len(SECTIONS), next_part=SECTIONS[number + 1] if number + 1 < len(SECTIONS) else None,
        previous_part=SECTIONS[number - 1] if number else None, documents=documents, departments=departments,
        saved=saved, upload=upload or Form(), upload_kinds=UPLOAD_KINDS, kind_labels=KIND_LABELS, photo_id=photo_id,
        initials=_initials(request.state.account))


def _initials(account: Account) -> str:
    """What the referent's card shows without a photo, as the public profile does."""
    me = account.me
    return (str(me.get("first_name") or "")[:1] + str(me.get("last_name") or "")[:1]).upper()


async def _open_section(request: Request, web: Web, account: Account, section: Section,
                        upload: Form | None = None, status: int = 200) -> Response:
    dossier = await _dossier(web, account)
    if dossier is None:
        return _member_page(request, web)
    if dossier["status"] not in EDITABLE:
        return redirect(HOME, web, "Votre dossier est transmis à la DGE : il ne peut pas changer pour l'instant.")
    draft = _draft(dossier)
    form = Form(values_of(section, draft))
    if request.query_params.get("verifier") == "1" or upload is not None:
        form.errors = _progress(dossier)[0][section.slug] if upload is None else {}
    return _section_page(request, web, section, form, await web.dossier.documents(account.headers),
                         (await web.directory.places()).departments, draft, status, upload=upload)


def _show_section(section: Section):  # noqa: ANN202  # a route handler made per section
    async def page(request: Request, web: WebDep, account: SignedIn) -> Response:
        return await _open_section(request, web, account, section)
    return page


def _save_section(section: Section):  # noqa: ANN202
    async def save(request: Request, web: WebDep, account: SignedIn) -> Response:
        posted = await posted_form(request, web)
        dossier = await _dossier(web, account)
        if dossier is None:
            return _member_page(request, web)
        places = (await web.directory.places()).departments
        form, changes = read_section(section, posted, {code for code, _ in places})
        draft = _draft(dossier)
        documents = await web.dossier.documents(account.headers)
        if not form.valid:  # a shape registration would refuse: nothing saved, what was typed shown again
            return _section_page(request, web, section, form, documents, places, draft, 422)
        try:
            saved = await web.dossier.save(account.headers, merged(draft, changes))
        except ApiError as error:
            if error.status != 409:
                raise
            return redirect(HOME, web, "Votre dossier est transmis à la DGE : il ne peut pas changer pour l'instant.")
        form.errors = _progress(saved)[0][section.slug]
        if form.errors:  # saved as a draft, and what is still missing shown beside each field
            return _section_page(request, web, section, form, documents, places, _draft(saved), 422, saved=True)
        following = SECTIONS.index(section) + 1
        path = f"{HOME}/{SECTIONS[following].slug}" if following < len(SECTIONS) else HOME
        return redirect(path, web, f"« {section.title} » est enregistré.")
    return save


for _section in SECTIONS:
    router.add_api_route(f"{HOME}/{_section.slug}", _show_section(_section), methods=["GET"],
                         response_class=HTMLResponse)
    router.add_api_route(f"{HOME}/{_section.slug}", _save_section(_section), methods=["POST"],
                         response_class=HTMLResponse)


# --- documents and the referent's photo -----------------------------------------------------------------------------


async def _drained(request: Request) -> None:
    """Reads a refused body to its end without keeping it, so the browser gets the page rather than a reset."""
    async for _ in request.stream():
        pass


def _declared_too_large(request: Request) -> bool:
    declared = request.headers.get("content-length", "")
    return declared.isdigit() and int(declared) > MAX_DOCUMENT_BYTES + FORM_OVERHEAD_BYTES


async def _sent_file(request: Request, web: Web, kinds: set[str] | None) -> tuple[Form, UploadFile | None]:
    """The posted file and its kind, checked (CSRF first); the form's errors beside the upload field."""
    posted = await posted_form(request, web)
    upload = Form({"kind": str(posted.get("kind") or "")})
    file = posted.get("file")
    if kinds is not None and upload.values["kind"] not in kinds:
        upload.errors["kind"] = "Choisissez la nature de la pièce."
    if not isinstance(file, UploadFile) or not file.filename or not file.size:
        upload.errors["file"] = "Choisissez un fichier (PDF, PNG ou JPEG, 10 Mo au plus)."
        return upload, None
    if file.size > MAX_DOCUMENT_BYTES:
        upload.errors["file"] = TOO_LARGE
    return upload, file


async def _forward(web: Web, account: Account, upload: Form, file: UploadFile, kind: str,
                   wrong_type: str) -> dict[str, Any] | None:
    try:
        return await web.dossier.upload(account.headers, kind, file.filename or "document",
                                        file.content_type or "application/octet-stream", file.file)
    except ApiError as error:
        messages = {413: TOO_LARGE, 415: wrong_type, 422: "Ce fichier est vide ou illisible : choisissez-en un autre."}
        if error.status not in messages:
            raise
        upload.errors["file"] = messages[error.status]
        return None
    finally:
        await file.close()


@router.post(f"{HOME}/identification/pieces", response_class=HTMLResponse)
async def upload_document(request: Request, web: WebDep, account: SignedIn) -> Response:
    section = BY_SLUG["identification"]
    if _declared_too_large(request):  # refused before it is read: never held here nor sent on
        await _drained(request)
        return await _open_section(request, web, account, section, Form(errors={"file": TOO_LARGE}), 413)
    upload, file = await _sent_file(request, web, {code for code, _ in UPLOAD_KINDS})
    if file is not None and upload.valid:
        sent = await _forward(web, account, upload, file, upload.values["kind"], WRONG_TYPE)
        if sent is not None:
            return redirect(f"{HOME}/identification#pieces", web, f"La pièce « {sent.get('filename') or 'document'} » "
                                                                  "est envoyée.")
    elif file is not None:
        await file.close()
    return await _open_section(request, web, account, section, upload, 422)


@router.post(f"{HOME}/referent/photo", response_class=HTMLResponse)
async def upload_photo(request: Request, web: WebDep, account: SignedIn) -> Response:
    section = BY_SLUG["referent"]
    if _declared_too_large(request):
        await _drained(request)
        return await _open_section(request, web, account, section, Form(errors={"photo": TOO_LARGE}), 413)
    upload, file = await _sent_file(request, web, None)
    upload.errors = {"photo": message for message in upload.errors.values()}
    if file is not None and upload.valid:
        sent = await _forward(web, account, upload, file, "photo", WRONG_PHOTO)
        upload.errors = {"photo": message for message in upload.errors.values()}
        if sent is not None:
            dossier = await web.dossier.get(account.headers)
            draft = _draft(dossier)
            draft["referent_card"]["photo_document_id"] = str(sent["id"])
            try:
                await web.dossier.save(account.headers, draft)
            except ApiError as error:
                if error.status != 409:
                    raise
                return redirect(HOME, web, "Votre dossier est transmis à la DGE : il ne peut pas changer pour "
                                           "l'instant.")
            return redirect(f"{HOME}/referent#photo-titre", web, "Votre photo est enregistrée sur votre fiche.")
    elif file is not None:
        await file.close()
    return await _open_section(request, web, account, section, upload, 422)


@router.get(f"{HOME}/pieces/{{document_id}}")
async def document(document_id: str, web: WebDep, account: SignedIn) -> Response:
    """One of the person's own documents (registration checks it is theirs); images shown, the rest downloaded."""
    try:
        content, content_type = await web.dossier.document(account.headers, document_id)
    except ApiError as error:
        if error.status not in (403, 404, 422):
            raise
        return Response(status_code=404)
    inline = content_type in ("image/png", "image/jpeg")
    return Response(content, media_type=content_type, headers={
        "Content-Disposition": "inline" if inline else "attachment", "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store"})


# --- step 4: the charter and the submission -------------------------------------------------------------------------


async def _charter_page(request: Request, web: Web, dossier: dict[str, Any], form: Form,
                        status: int = 200) -> Response:
    charter = await web.registration.charter()
    problems, unplaced = _progress(dossier)
    return web.pages.render(request, "dossier/charter.html", status_code=status, section="dossier", form=form,
                            charter=charter, sections=SECTIONS, problems=problems, unplaced=unplaced,
                            paragraphs=[block.strip() for block in charter["text"].split("\n\n") if block.strip()])


@router.get(f"{HOME}/charte", response_class=HTMLResponse)
async def charter_step(request: Request, web: WebDep, account: SignedIn) -> Response:
    dossier = await _dossier(web, account)
    if dossier is None:
        return _member_page(request, web)
    if dossier["status"] not in EDITABLE:
        return redirect(HOME, web)
    return await _charter_page(request, web, dossier, Form())


@router.post(f"{HOME}/soumission", response_class=HTMLResponse)
async def submit(request: Request, web: WebDep, account: SignedIn) -> Response:
    posted = await posted_form(request, web)
    dossier = await _dossier(web, account)
    if dossier is None:
        return _member_page(request, web)
    version = str(posted.get("charter_version") or "")
    form = Form({"accept_charter": posted.get("accept_charter") == "true", "charter_version": version})
    if not form.values["accept_charter"]:
        form.errors["accept_charter"] = "Cochez cette case pour accepter la charte : sans elle, le dossier ne peut " \
                                        "pas être soumis."
        return await _charter_page(request, web, dossier, form, 422)
    try:
        await web.dossier.submit(account.headers, int(version) if version.isdigit() else 0)
    except ApiError as error:
        if error.status == 409 and dossier["status"] in EDITABLE:  # the charter changed while it was read
            form.values["accept_charter"] = False
            form.errors["accept_charter"] = "La charte vient de changer : lisez cette nouvelle version, puis " \
                                            "acceptez-la."
            return await _charter_page(request, web, dossier, form, 409)
        if error.status == 409:
            return redirect(HOME, web, "Votre dossier est déjà transmis à la DGE.")
        if error.status != 422:
            raise
        # Registration's rules found something missing: the sections say what, beside each field.
        fresh = await web.dossier.get(account.headers)
        return _summary(request, web, fresh, await web.dossier.documents(account.headers), 422,
                        refused_submission=True)
    return redirect(HOME, web, "Votre dossier est soumis à la DGE. Vous recevrez un courriel à chaque étape.")
