"""The forms of life in the programme (reply to the DGE, renewal, charter, withdrawal, deletion), checked in French."""

from __future__ import annotations

from typing import Any

from .forms import Form

REPLY_MAX = 10_000  # validation's limit for a message
REASON_MAX = 2_000  # registration's limit for a withdrawal's reason
DELETION_WORDS = "SUPPRIMER"  # typed to confirm the deletion: a click alone cannot delete an account


def _no_nul(text: str) -> str:
    return text.replace("\x00", "")


def reply_form(posted: Any) -> Form:
    form = Form({"body": _no_nul(str(posted.get("body") or ""))})
    body = form.text("body")
    if not body:
        form.errors["body"] = "Écrivez votre réponse à la DGE."
    elif len(body) > REPLY_MAX:
        form.errors["body"] = f"{REPLY_MAX} caractères au maximum ({len(body)} saisis)."
    return form


def charter_form(posted: Any, version: int) -> Form:
    """The acceptance box of a charter version (renewal or a new version): the version must be the one shown."""
    form = Form({"accept": posted.get("accept") == "yes", "charter_version": str(posted.get("charter_version") or "")})
    if not form.values["accept"]:
        form.errors["accept"] = "Cochez la case pour accepter la charte."
    elif form.values["charter_version"] != str(version):
        form.errors["accept"] = "La charte a changé depuis l'ouverture de la page : lisez la nouvelle version."
    return form


def withdrawal_form(posted: Any) -> Form:
    form = Form({"reason": _no_nul(str(posted.get("reason") or ""))})
    reason = form.text("reason")
    if not reason:
        form.errors["reason"] = "Indiquez en quelques mots pourquoi vous quittez le programme."
    elif len(reason) > REASON_MAX:
        form.errors["reason"] = f"{REASON_MAX} caractères au maximum ({len(reason)} saisis)."
    return form


def deletion_form(posted: Any) -> Form:
    form = Form({"confirmation": str(posted.get("confirmation") or "")})
    if form.text("confirmation").upper() != DELETION_WORDS:
        form.errors["confirmation"] = f"Saisissez {DELETION_WORDS} pour confirmer la suppression."
    return form
