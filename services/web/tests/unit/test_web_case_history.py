"""Validation's history in French, as the dossier's and the structure's pages show it: steps, reasons, actors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from activateurs.web.case_history import OLDER_REVISION, actor_words, history_step

ME = "5f3a0c1e-7a4d-4e6f-9b0a-1c2d3e4f5a6b"


def step(action: str, reason: str | None = None, actor: str = "system", **statuses: str) -> dict[str, Any]:
    return {"at": "2026-04-07T08:00:00+00:00", "action": action, "actor": actor, "reason": reason, **statuses}


def test_the_known_actions_in_french_an_unknown_one_as_it_is() -> None:
    assert history_step(step("information_requested"), ME)["action"] == "Demande d'informations"
    assert history_step(step("applicant_reply"), ME)["action"] == "Réponse du demandeur"
    assert history_step(step("sanction:suspend", "Démarchage abusif."), ME)["action"] == "Suspension"
    assert history_step(step("sanction:strike_off"), ME)["action"] == "Radiation"
    assert history_step(step("structure_cancelled"), ME)["action"].startswith("Annulation")
    assert history_step(step("decision", to_status="accepted"), ME)["action"] == "Dossier accepté"
    assert history_step(step("decision", to_status="refused"), ME)["action"] == "Dossier refusé"
    assert history_step(step("decision"), ME)["action"] == "Décision"
    assert history_step(step("a_step_added_since", "As it is."), ME) | {"at": None} == {
        "at": None, "action": "a_step_added_since", "actor": "Plateforme (automatique)", "reason": "As it is.",
        "change": ""}


def test_a_step_keeps_its_moment_and_its_own_reason_and_says_the_status_it_moved_to() -> None:
    shown = history_step(step("sanction:suspend", "Démarchage abusif.", from_status="active",
                              to_status="suspended"), ME)
    assert shown["at"] == datetime(2026, 4, 7, 8, tzinfo=UTC)
    assert shown["reason"] == "Démarchage abusif." and shown["change"] == "Active → Suspendue"
    assert history_step(step("submission", "revision 1 received", to_status="to_review"), ME)[
        "change"] == "— → À instruire"
    assert history_step(step("engagement_renewed", "engagement until 2028-05-01", from_status="active",
                             to_status="active"), ME)["change"] == ""


def test_the_revision_and_the_renewal_reasons_in_french() -> None:
    latest = history_step(step("submission", "revision 2 received"), ME)
    assert latest["action"] == "Dossier soumis (révision 2)" and latest["reason"] == ""
    older = history_step(step("submission", "revision 1 received (not the latest: kept, case unchanged)"), ME)
    assert older["action"] == "Dossier soumis (révision 1)" and older["reason"] == OLDER_REVISION
    assert history_step(step("submission"), ME)["action"] == "Dossier soumis"
    renewed = history_step(step("engagement_renewed", "engagement until 2028-05-01"), ME)
    assert renewed["action"] == "Engagement renouvelé"
    assert renewed["reason"] == "Engagement prolongé jusqu'au 1 mai 2028."
    expired = history_step(step("expired", "information request unanswered for 3 months"), ME)
    assert expired["action"] == "Dossier expiré (pas de réponse sous 3 mois)" and expired["reason"] == ""


def test_the_actors_in_french_the_agent_s_own_steps_marked() -> None:
    assert actor_words(f"dge_agent:{ME}", ME) == "Agent de la DGE (vous)"
    assert actor_words("dge_agent:someone-else", ME) == "Agent de la DGE"
    assert actor_words(f"dge_admin:{ME}", None) == "Administration DGE"
    assert actor_words("applicant:0a1b", ME) == "Demandeur"
    assert actor_words("activator:0a1b", ME) == "Demandeur"
    assert actor_words("registration", ME) == "Plateforme (inscription)"
    assert actor_words("system", ME) == "Plateforme (automatique)"
    assert actor_words("robot:x", ME) == "robot:x"
    assert history_step(step("information_requested", actor=f"dreets_agent:{ME}"), ME)["actor"] == \
        "Agent DREETS (vous)"
