"""One dossier as the DGE instructs it: the revision and its changes, pre-checks, documents, thread, decision."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from activateurs.shared.contracts.vocabulary import DocumentKind, ValidationStatus

from ... import revision_changes
from ...agents import ActingAgent, Agent, AgentSignedIn
from ...case_history import history_step
from ...clients.base import ApiError
from ...clients.cases import DocumentUnreadable
from ...context import Web, WebDep, posted_form
from ...forms import Form, check_text
from ...rendering import french_datetime
from ...security import FRAMEABLE_BY_SELF
from ..account import redirect
from .confirmation import confirmation_page, confirmed
from .queue import QUEUE, STATUS_BADGES, VERDICTS, deadline

router = APIRouter(include_in_schema=False)
DOSSIER = QUEUE + "/{dossier_id}"
SECTION = "queue"
OPEN = (ValidationStatus.TO_REVIEW.value, ValidationStatus.AWAITING_APPLICANT.value)  # the DGE may write, decide
MESSAGE_MAX = 10_000  # validation's MessageIn
REASON_MAX = 5_000  # validation's DecisionIn
YES = "oui"
IMAGES = ("image/png", "image/jpeg")
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
DECISIONS = {"accepted": "Accepter le dossier", "refused": "Refuser le dossier"}
KIND_LABELS = {kind.value: kind.label for kind in DocumentKind}
# In place of an image validation could not hand over (502): its <img> shows this.
UNREADABLE_IMAGE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="120" viewBox="0 0 640 120" role="img" '
    'aria-label="Pièce illisible"><rect width="640" height="120" fill="#ffe9e9" stroke="#ce0500"/>'
    '<text x="20" y="45" font-family="Marianne, Arial, sans-serif" font-size="20" font-weight="bold" '
    'fill="#ce0500">Cette pièce ne peut pas être affichée</text>'
    '<text x="20" y="80" font-family="Marianne, Arial, sans-serif" font-size="15" fill="#3a3a3a">Le fichier ne '
    'correspond plus à son empreinte SHA-256, ou son service n\'a pas répondu.</text></svg>').encode()


def dossier_url(dossier_id: str) -> str:
    return f"{QUEUE}/{dossier_id}"


# --- the pre-checks, in French --------------------------------------------------------------------------------------

PRECHECKS = {
    "siret": "Numéro SIRET",
    "activity": "Plus de 6 mois d'activité",
    "offer": "Offre : domaine, type de service, description",
    "declaration_obligations_up_to_date": "Déclaration : obligations sociales et fiscales à jour",
    "declaration_heads_agreement": "Déclaration : accord des dirigeants",
    "declaration_website_legal_compliance": "Déclaration : mentions légales et RGPD du site",
    "required_documents": "Pièce obligatoire",
    "optional_documents": "Pièces complémentaires",
    "website_legal_notice": "Mentions légales du site internet",
}
OUTCOMES = {"pass": ("Conforme", "success"), "to_check": ("À vérifier", "warning"), "fail": ("Non conforme", "error")}
MISSING_WORDS = {"domain": "un domaine", "kind of service": "un type de service", "description": "une description",
                 "client references": "des références clients"}


def _kinds(text: str) -> str:
    """« attestation_urssaf, client references » in words."""
    return ", ".join(MISSING_WORDS.get(part, KIND_LABELS.get(part, part)) for part in text.split(", "))


# Validation writes its evidence in English, from a fixed set of sentences: each one in French.
EVIDENCE: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = tuple(
    (re.compile(pattern), words) for pattern, words in (
        (r"^SIRET (\d+): checksum valid$", lambda m: f"SIRET {m[1]} : clé de contrôle valide."),
        (r"^SIRET checksum invalid$", lambda m: "Le SIRET a une clé de contrôle invalide."),
        (r"^no SIRET \((.*)\); supporting documents present, to be read$",
         lambda m: f"Pas de SIRET (raison donnée : {m[1]}) ; justificatifs fournis, à lire."),
        (r"^no SIRET and no supporting document", lambda m: "Ni SIRET ni justificatif d'existence et d'activité."),
        (r"^created on (\S+): more than 6 months$",
         lambda m: f"Créée le {revision_changes.french_day(m[1])} : plus de 6 mois d'activité."),
        (r"^created on (\S+): less than 6 months; declared experience to be assessed$",
         lambda m: f"{_created(m[1])} : moins de 6 mois ; l'expérience déclarée est à apprécier."),
        (r"^no creation date and no declared experience$", lambda m: "Ni date de création ni expérience déclarée."),
        (r"^created on (\S+): less than 6 months, no declared experience$",
         lambda m: f"Créée le {revision_changes.french_day(m[1])} : moins de 6 mois, sans expérience déclarée."),
        (r"^missing: (.+)$", lambda m: f"Manque : {_kinds(m[1])}."),
        (r"^(\d+) domain\(s\), (\d+) kind\(s\) of service, a description$",
         lambda m: f"{m[1]} domaine(s), {m[2]} type(s) de service et une description."),
        (r"^declared: ", lambda m: "Déclaré sur l'honneur par le demandeur."),
        (r"^not declared: ", lambda m: "Non déclaré par le demandeur."),
        (r"^(\w+) present$", lambda m: f"Fournie : {KIND_LABELS.get(m[1], m[1])}."),
        (r"^no extrait_immatriculation; a justificatif_existence is present instead$",
         lambda m: "Pas d'extrait d'immatriculation ; un justificatif d'existence est fourni à la place."),
        (r"^not provided: (.+)$", lambda m: f"Non fournies : {_kinds(m[1])}."),
        (r"^social and fiscal attestations and client references present$",
         lambda m: "Attestations sociale et fiscale et références clients fournies."),
        (r"^no website given$", lambda m: "Aucun site internet indiqué."),
        (r"^website not fetched \(check disabled\)", lambda m: "Site non consulté (vérification automatique "
                                                               "désactivée) : à vérifier à la main."),
        (r"^hint only: (.*)$", lambda m: f"Indice seulement (relevé automatique) : {m[1]}"),
    ))


def _created(text: str) -> str:
    return "Date de création inconnue" if text == "unknown" else f"Créée le {revision_changes.french_day(text)}"


def evidence_in_french(evidence: str) -> str:
    """The pre-check's evidence in French; a sentence validation added since is shown as it is."""
    for pattern, words in EVIDENCE:
        found = pattern.match(evidence)
        if found:
            return words(found)
    return evidence


# --- the page ------------------------------------------------------------------------------------------------------


async def _detail(web: Web, agent: Agent, dossier_id: str) -> dict[str, Any]:
    """The case; the 404 page when this agent cannot see it: unknown, not an id, or another region's (the same)."""
    try:
        return await web.cases.dossier(agent.headers, dossier_id)
    except ApiError as error:
        if error.status in (403, 404, 422):
            raise HTTPException(404) from None
        raise


def _documents(detail: dict[str, Any]) -> list[dict[str, Any]]:
    base = dossier_url(detail["dossier_id"]) + "/documents/"
    return [{**document, "kind_label": KIND_LABELS.get(document.get("kind", ""), document.get("kind", "Pièce")),
             "url": base + document["id"], "download": base + document["id"] + "?telechargement=1",
             "image": document.get("content_type") in IMAGES,
             "pdf": document.get("content_type") == "application/pdf"}
            for document in detail.get("documents") or []]


def _previous_revision(detail: dict[str, Any]) -> int | None:
    """The revision `previous_dossier` is (validation says which), else the last one before the current."""
    if detail.get("previous_revision"):
        return int(detail["previous_revision"])
    earlier = [item["revision"] for item in detail.get("revisions") or [] if item["revision"] < detail["revision"]]
    return max(earlier) if earlier else None


async def _page(request: Request, web: Web, agent: Agent, detail: dict[str, Any], *, message: Form | None = None,
                decision: Form | None = None, status: int = 200, conflict: str | None = None) -> Response:
    places = await web.directory.places()
    departments, regions = dict(places.departments), dict(places.regions)
    now = datetime.now(UTC)
    previous = detail.get("previous_dossier")
    changes = revision_changes.changes(previous, detail["dossier"], departments) if previous else None
    prechecks = [{**check, "label": PRECHECKS.get(check["code"], check["code"]),
                  "outcome_label": OUTCOMES.get(check["outcome"], (check["outcome"], ""))[0],
                  "badge": OUTCOMES.get(check["outcome"], ("", ""))[1],
                  "evidence_fr": evidence_in_french(check["evidence"])} for check in detail.get("prechecks") or []]
    summary = detail.get("precheck_summary") or {}
    waiting_days = max(0, (now - datetime.fromisoformat(detail["waiting_since"])).days)
    return web.pages.render(
        request, "administration/dossier.html", status_code=status, section=SECTION, d=detail,
        fields=revision_changes.sections(detail["dossier"], departments), changes=changes,
        previous_revision=_previous_revision(detail), prechecks=prechecks,
        verdict=VERDICTS.get(summary.get("overall", ""), (summary.get("overall", "—"), "")),
        documents=_documents(detail),
        history=[history_step(step, agent.subject) for step in detail.get("history") or []],
        department_name=departments.get(detail["department"], ""),
        region_name=regions.get(detail["region"], detail["region"]), status_badge=STATUS_BADGES.get(
            detail["status"], ""), waiting_days=waiting_days,
        deadline=deadline(detail.get("respond_by"), now) if detail["status"] == "awaiting_applicant" else None,
        is_open=detail["status"] in OPEN, can_act=agent.can_act,
        message=message or Form({"body": "", "requests_information": False}),
        decision=decision or Form({"decision": "", "reason": ""}), conflict=conflict,
        message_max=MESSAGE_MAX, reason_max=REASON_MAX, yes=YES)


@router.get(DOSSIER, response_class=HTMLResponse)
async def dossier(dossier_id: str, request: Request, web: WebDep, agent: AgentSignedIn) -> Response:
    detail = await _detail(web, agent, dossier_id)
    return await _page(request, web, agent, detail)


# --- its documents ---------------------------------------------------------------------------------------------------


@router.get(DOSSIER + "/documents/{document_id}")
async def document(dossier_id: str, document_id: str, request: Request, web: WebDep,
                   agent: AgentSignedIn) -> Response:
    """The document exactly as submitted, shown in the dossier's page (framed by our own pages only), or
    downloaded with `?telechargement=1`."""
    try:
        content, content_type = await web.cases.document(agent.headers, dossier_id, document_id)
    except ApiError as error:
        if error.status in (403, 404, 422):
            raise HTTPException(404) from None
        raise
    except DocumentUnreadable:
        headers = {**FRAMEABLE_BY_SELF, "Cache-Control": "no-store"}
        if request.headers.get("sec-fetch-dest") == "image":  # an <img> shows no page: the message as a picture
            return Response(UNREADABLE_IMAGE, status_code=502, media_type="image/svg+xml", headers=headers)
        return web.pages.render(request, "administration/dossier_document_error.html", status_code=502,
                                headers=headers)
    known = content_type.split(";")[0].strip() in EXTENSIONS
    if not known:  # never shown by the browser as whatever it claims to be
        content_type = "application/octet-stream"
    name = f"piece-{document_id[:8]}.{EXTENSIONS.get(content_type, 'bin')}"
    download = request.query_params.get("telechargement") == "1" or not known
    return Response(content, media_type=content_type, headers={
        **FRAMEABLE_BY_SELF, "Content-Disposition": f'{"attachment" if download else "inline"}; filename="{name}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


# --- a message, or an information request ------------------------------------------------------------------------


def message_form(posted: Any) -> Form:
    form = Form({"body": str(posted.get("body") or ""), "requests_information": posted.get("requests_information")
                 == YES})
    check_text(form, "body", MESSAGE_MAX, "Écrivez le message avant de l'envoyer.")
    return form


@router.post(DOSSIER + "/messages", response_class=HTMLResponse)
async def post_message(dossier_id: str, request: Request, web: WebDep, agent: ActingAgent) -> Response:
    posted = await posted_form(request, web)
    form = message_form(posted)
    detail = await _detail(web, agent, dossier_id)
    url = dossier_url(detail["dossier_id"])
    if detail["status"] not in OPEN:
        form.errors["form"] = "Ce dossier est décidé : les échanges sont clos et le message n'a pas été envoyé."
        return await _page(request, web, agent, detail, message=form, status=409, conflict="message")
    asks = bool(form.values["requests_information"])
    if asks and detail["status"] == ValidationStatus.AWAITING_APPLICANT.value:
        form.errors["requests_information"] = ("Une demande d'informations attend déjà la réponse du demandeur : "
                                               "décochez la case pour lui écrire un simple message.")
    if not form.valid:
        return await _page(request, web, agent, detail, message=form, status=422)
    if asks and not confirmed(posted):
        return confirmation_page(
            request, web, section=SECTION, heading="Demander des informations au demandeur",
            summary=[("Dossier", detail["structure_name"]), ("Votre demande", form.text("body")),
                     ("Ce qui suit", "Le dossier passe « En attente du demandeur ». Un courriel lui transmet votre "
                                     "demande : il a 3 mois au plus pour répondre ou soumettre à nouveau son dossier, "
                                     "faute de quoi son compte et son dossier sont supprimés.")],
            action=url + "/messages", fields={"body": form.text("body"), "requests_information": YES},
            confirm_label="Confirmer la demande d'informations", back=url + "#echanges")
    try:
        sent = await web.cases.post_message(agent.headers, detail["dossier_id"], form.text("body"), asks)
    except ApiError as error:
        if error.status == 404:
            raise HTTPException(404) from None
        if error.status == 422:
            form.errors["body"] = "Ce message n'est pas accepté : vérifiez sa longueur et ses caractères."
            return await _page(request, web, agent, detail, message=form, status=422)
        if error.status != 409:
            raise
        fresh = await _detail(web, agent, dossier_id)
        form.errors["form"] = ("Ce dossier a été décidé entre-temps : les échanges sont clos et le message n'a pas "
                               "été envoyé." if fresh["status"] not in OPEN else
                               "Une demande d'informations a été envoyée entre-temps et attend sa réponse : le "
                               "message n'a pas été envoyé. Relisez les échanges avant d'écrire.")
        return await _page(request, web, agent, fresh, message=form, status=409, conflict="message")
    if asks:
        until = f" jusqu'au {french_datetime(sent['respond_by'], False)}" if sent.get("respond_by") else ""
        notice = f"Demande d'informations envoyée : le dossier attend la réponse du demandeur{until}."
    else:
        notice = "Message envoyé au demandeur, qui en est informé par courriel."
    return redirect(url + "#echanges", web, notice)


# --- the decision ----------------------------------------------------------------------------------------------------


def decision_form(posted: Any) -> Form:
    form = Form({"decision": str(posted.get("decision") or ""), "reason": str(posted.get("reason") or "")})
    choice = form.text("decision")
    if choice not in DECISIONS:
        form.errors["decision"] = "Choisissez d'accepter ou de refuser le dossier."
    check_text(form, "reason", REASON_MAX, "Indiquez le motif du refus : il est envoyé au demandeur."
               if choice == "refused" else None)
    return form


@router.post(DOSSIER + "/decision", response_class=HTMLResponse)
async def decide(dossier_id: str, request: Request, web: WebDep, agent: ActingAgent) -> Response:
    posted = await posted_form(request, web)
    form = decision_form(posted)
    detail = await _detail(web, agent, dossier_id)
    url = dossier_url(detail["dossier_id"])
    if detail["status"] not in OPEN:  # decided already (another tab, a colleague): the page shows the decision
        return await _page(request, web, agent, detail, status=409, conflict="decided")
    if not form.valid:
        return await _page(request, web, agent, detail, decision=form, status=422)
    accepts, reason = form.text("decision") == "accepted", form.text("reason")
    if not confirmed(posted):
        follows = ("La structure entre dans le programme pour 24 mois : sa fiche est publiée dans l'annuaire. "
                   if accepts else "Le demandeur pourra déposer un nouveau dossier. ")
        return confirmation_page(
            request, web, section=SECTION, heading="Confirmer l'acceptation" if accepts else "Confirmer le refus",
            summary=[("Dossier", detail["structure_name"]), ("Décision", DECISIONS[form.text("decision")]),
                     ("Motif", reason or "Aucun motif (il est facultatif pour une acceptation)."),
                     ("Ce qui suit", follows + "Un courriel est envoyé au demandeur"
                                     + (" avec le motif." if reason else "."))],
            action=url + "/decision", fields={"decision": form.text("decision"), "reason": reason},
            confirm_label="Accepter le dossier" if accepts else "Refuser le dossier", back=url + "#decision",
            warning=None if accepts else "Le motif est envoyé tel quel au demandeur : relisez-le.")
    try:
        await web.cases.decide(agent.headers, detail["dossier_id"], form.text("decision"), reason or None)
    except ApiError as error:
        if error.status == 404:
            raise HTTPException(404) from None
        if error.status == 422:
            form.errors["reason"] = "Ce motif n'est pas accepté : vérifiez sa longueur et ses caractères."
            return await _page(request, web, agent, detail, decision=form, status=422)
        if error.status != 409:
            raise
        fresh = await _detail(web, agent, dossier_id)
        return await _page(request, web, agent, fresh, status=409, conflict="decided")
    notice = ("Dossier accepté : un courriel l'annonce au demandeur, et la fiche de la structure est publiée dans "
              "l'annuaire dans quelques instants." if accepts else
              "Dossier refusé : un courriel en donne le motif au demandeur.")
    return redirect(url, web, notice)
