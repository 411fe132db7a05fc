"""The members' forms: an invitation by the referent, its acceptance by the invited person, the member card."""

from __future__ import annotations

from typing import Any

from .account_forms import NAME_MAX, _email, _new_password
from .forms import PHONE, Form

PHOTO_MAX_BYTES = 2 * 1024 * 1024  # registration's max_photo_bytes
PHOTO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
CARD_LABELS = {"picture": "Photo ou initiales", "photo": "Votre photo", "phone": "Téléphone",
               "contact_email": "Adresse électronique de contact", "presentation": "Présentation",
               "references": "Références professionnelles", "receive_contact_requests": "Demandes de contact"}


def invitation_form(posted: Any) -> Form:
    form = Form({name: str(posted.get(name) or "").strip() for name in ("first_name", "last_name", "email")})
    for name, missing in (("first_name", "Indiquez le prénom de la personne."),
                          ("last_name", "Indiquez le nom de la personne.")):
        if not form.text(name):
            form.errors[name] = missing
        elif len(form.text(name)) > NAME_MAX:
            form.errors[name] = f"{NAME_MAX} caractères au maximum."
    _email(form, missing="Indiquez l'adresse électronique de la personne.")
    return form


def acceptance_form(posted: Any) -> Form:
    """The invited person's choices: the address the invitation reached (to sign in at once), a password, the charter."""
    form = Form({name: str(posted.get(name) or "") for name in ("email", "password", "password_confirmation")})
    form.values["accept_charter"] = posted.get("accept_charter") == "oui"
    _email(form, missing="Indiquez l'adresse électronique qui a reçu l'invitation.")
    _new_password(form, "password", "password_confirmation")
    if not form.values["accept_charter"]:
        form.errors["accept_charter"] = "Pour rejoindre la structure, acceptez la charte des activateurs France Num."
    return form


def photo_type(content: bytes) -> str | None:
    """PNG or JPEG by the file's first bytes (what registration also checks), else None."""
    return next((kind for magic, kind in PHOTO_TYPES.items() if content.startswith(magic)), None)


def card_values(card: dict[str, Any]) -> Form:
    """The form filled with the saved card (GET …/members/me/card)."""
    return Form({"picture": "photo" if card.get("photo_document_id") else "initiales",
                 "phone": card.get("phone") or "", "contact_email": card.get("contact_email") or "",
                 "presentation": card.get("presentation") or "", "references": list(card.get("references") or []),
                 "receive_contact_requests": bool(card.get("receive_contact_requests"))})


def card_form(posted: Any, has_photo: bool, upload: bytes | None) -> Form:
    """`has_photo`: a photo is already on the card; `upload`: the file sent with this post, if any."""
    form = Form({name: str(posted.get(name) or "").strip() for name in ("picture", "phone", "contact_email",
                                                                          "presentation")})
    form.values["references"] = [line.strip() for line in str(posted.get("references") or "").splitlines()
                                 if line.strip()]
    form.values["receive_contact_requests"] = posted.get("receive_contact_requests") == "oui"
    if upload:
        form.values["picture"] = "photo"  # sending a photo is choosing it
    if form.values["picture"] not in ("photo", "initiales"):
        form.errors["picture"] = "Choisissez votre photo ou vos initiales."
    if upload is not None and upload:
        if len(upload) > PHOTO_MAX_BYTES:
            form.errors["photo"] = (f"Cette photo pèse {len(upload) / 1024 / 1024:.1f} Mo : "
                                    f"{PHOTO_MAX_BYTES // 1024 // 1024} Mo au maximum.")
        elif photo_type(upload) is None:
            form.errors["photo"] = "Ce fichier n'est pas une image PNG ou JPEG."
    elif form.values["picture"] == "photo" and not has_photo:
        form.errors["photo"] = "Choisissez le fichier de votre photo (PNG ou JPEG), ou vos initiales."
    phone = form.text("phone")
    if phone and (len(phone) > 25 or not PHONE.match(phone)):
        form.errors["phone"] = "Ce numéro de téléphone n'est pas valide. Exemple : 01 23 45 67 89"
    if form.text("contact_email"):
        _email(form, "contact_email")
    if len(form.text("presentation")) > 5000:
        form.errors["presentation"] = f"5000 caractères au maximum ({len(form.text('presentation'))} saisis)."
    if len(form.values["references"]) > 50:
        form.errors["references"] = "50 lignes au maximum."
    elif any(len(line) > 200 for line in form.values["references"]):
        form.errors["references"] = "Chaque ligne compte 200 caractères au maximum."
    return form


def card_body(form: Form, photo_id: str | None) -> dict[str, Any]:
    """The body of PUT …/members/me/card: the photo, or the initials avatar."""
    return {"photo_document_id": photo_id if form.values["picture"] == "photo" else None,
            "avatar": None if form.values["picture"] == "photo" else "initiales",
            "phone": form.text("phone") or None, "contact_email": form.text("contact_email") or None,
            "presentation": form.text("presentation") or None, "references": form.values["references"],
            "receive_contact_requests": form.values["receive_contact_requests"]}


def card_errors(detail: Any) -> dict[str, str]:
    """Registration's 422 on a card (pydantic's `loc` items) beside the card's fields."""
    errors: dict[str, str] = {}
    for item in detail if isinstance(detail, list) else []:
        location = [part for part in (item.get("loc") or []) if isinstance(part, str)] if isinstance(item, dict) \
            else []
        name = location[-1] if location else ""
        errors.setdefault(name if name in CARD_LABELS else "form", "Cette valeur n'est pas acceptée. Vérifiez-la.")
    return errors or {"form": "Votre carte n'a pas pu être enregistrée. Vérifiez les champs et recommencez."}
