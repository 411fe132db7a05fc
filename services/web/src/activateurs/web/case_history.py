"""Validation's history of a dossier and of its structure, step by step and actor by actor, in French."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from activateurs.shared.contracts.vocabulary import ValidationStatus

from .revision_changes import french_day

# Who wrote a step: the role before the « : » of validation's `actor` (the token's subject after it, if any).
ACTOR_ROLES = {"dge_admin": "Administration DGE", "dge_agent": "Agent de la DGE", "dreets_agent": "Agent DREETS",
               "activator": "Demandeur", "applicant": "Demandeur", "system": "Plateforme (automatique)",
               "registration": "Plateforme (inscription)"}
# Validation's structure_state; `active` is accepted and in the directory (no sanction running).
STRUCTURE_STATES = {"active": "Active", "suspended": "Suspendue", "struck_off": "Radiée", "withdrawn": "Retirée",
                    "cancelled": "Annulée"}
STEP_NAMES = {"information_requested": "Demande d'informations", "applicant_reply": "Réponse du demandeur",
              "expired": "Dossier expiré (pas de réponse sous 3 mois)", "sanction:suspend": "Suspension",
              "sanction:reinstate": "Rétablissement", "sanction:strike_off": "Radiation",
              "structure_withdrawn": "Retrait du programme",
              "structure_cancelled": "Annulation (engagement non renouvelé ou charte non acceptée)",
              "engagement_renewed": "Engagement renouvelé"}
DECISION_NAMES = {"accepted": "Dossier accepté", "refused": "Dossier refusé"}
# The reasons validation writes itself, in English, for a submission and a renewal.
SUBMITTED_REVISION = re.compile(r"^revision (\d+) received( \(not the latest)?")
RENEWED_UNTIL = re.compile(r"^engagement until (\d{4}-\d{2}-\d{2})$")
OLDER_REVISION = "Révision plus ancienne que la dernière reçue : gardée, sans effet sur le dossier."


def status_words(status: str | None) -> str:
    """A dossier's status or a structure's state in French; « » for none, an unknown one as it is."""
    if not status:
        return ""
    try:
        return ValidationStatus(status).label
    except ValueError:
        return STRUCTURE_STATES.get(status, status)


def actor_words(actor: str, own_subject: str | None) -> str:
    """« Agent de la DGE », « Agent de la DGE (vous) » when the step is the reading agent's own (`own_subject`, their
    token's subject); an unknown actor as it is."""
    role, _, subject = actor.partition(":")
    words = ACTOR_ROLES.get(role, actor)
    return f"{words} (vous)" if subject and subject == own_subject else words


def history_step(step: dict[str, Any], own_subject: str | None) -> dict[str, Any]:
    """One step of validation's history as the pages show it: `at` (a datetime), `action` and `actor` in French,
    the `reason` (validation's own English ones in French, or none) and the `change` of status when it moved
    (« À instruire → Acceptée »), else « »."""
    action, reason = step["action"], step.get("reason") or ""
    if action == "submission":
        found = SUBMITTED_REVISION.match(reason)
        words = f"Dossier soumis (révision {found[1]})" if found else "Dossier soumis"
        reason = OLDER_REVISION if found and found[2] else ""
    elif action == "decision":
        words = DECISION_NAMES.get(step.get("to_status") or "", "Décision")
    elif action == "engagement_renewed":
        words = STEP_NAMES[action]
        renewed = RENEWED_UNTIL.match(reason)
        reason = f"Engagement prolongé jusqu'au {french_day(renewed[1])}." if renewed else reason
    elif action == "expired":  # validation's reason says again, in English, what the step's name says
        words, reason = STEP_NAMES[action], ""
    else:
        words = STEP_NAMES.get(action, action)
    moved = step.get("from_status") != step.get("to_status") and step.get("to_status")
    return {"at": datetime.fromisoformat(step["at"]), "action": words,
            "actor": actor_words(step["actor"], own_subject), "reason": reason,
            "change": f"{status_words(step.get('from_status')) or '—'} → {status_words(step.get('to_status'))}"
            if moved else ""}
