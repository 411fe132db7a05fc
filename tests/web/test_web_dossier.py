"""Steps 3 and 4 on the site: the dossier's sections filled through the forms (errors beside their fields), the
documents and the photo, the charter and the submission; then the status page as the DGE decides."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.e2e.journeys import PDF, case, dge_agent, dge_asks, published_slug, registration_status, submit_dossier

from .extranet import Visitor, csrf_of, signed_in_applicant, text

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def beside(answer: httpx.Response, field: str) -> str:
    """The error message the page shows beside `field` (its fr-message)."""
    found = re.search(rf'<p class="fr-message fr-message--error" id="{re.escape(field)}-error">([^<]*)</p>',
                      answer.text)
    assert found, f"no error beside {field}"
    return text(httpx.Response(200, text=found.group(1)))


async def upload(visitor: Visitor, page: str, action: str, fields: dict[str, str],
                 file: tuple[str, bytes, str]) -> httpx.Response:
    opened = await visitor.get(page)
    assert opened.status_code == 200, opened.status_code
    return await visitor.http.post(action, data={"csrf_token": csrf_of(opened.text), **fields}, files={"file": file})


def sections(name: str, email: str) -> dict[str, dict[str, object]]:
    return {
        "structure": {"name": name, "structure_type": "entreprise_services_numeriques", "category": "privee",
                      "headcount_band": "3-5", "created_on": "2016-09-01",
                      "description": "Sites, cybersécurité et formation des commerçants au numérique.",
                      "website": "https://www.exemple-activateur.fr",
                      "social_links": "https://www.linkedin.com/company/exemple-activateur\n"},
        "identification": {"siret": "732 829 320 00074", "no_siret_reason": ""},
        "adresse": {"street": "5 rue des Lilas", "postal_code": "75020", "city": "Paris",
                    "departments": ["75", "93"]},
        "offre": {"domains": ["cybersecurite", "site_internet_ecommerce"], "services": ["conseil", "formation"],
                  "pricing": "Diagnostic offert, puis 500 € HT par jour.",
                  "client_references": "Boulangerie du Fournil\nGarage Martin", "networks": "", "certifications": ""},
        "direction": {"head_first_name": "Claire", "head_last_name": "Durand", "head_email": email,
                      "registration_number": "", "obligations_up_to_date": "true", "heads_agreement": "true",
                      "website_legal_compliance": "true"},
        "referent": {"phone": "01 23 45 67 89", "presentation": "Consultante numérique depuis 12 ans.",
                     "references": "Site de la boulangerie du Fournil"},
    }


async def test_an_applicant_fills_the_dossier_on_the_site_submits_it_and_sees_it_accepted_then_online(site) -> None:
    name = f"Atelier Zéphyr {uuid.uuid4().hex[:6]}"
    async with Visitor(site) as visitor:
        person = await signed_in_applicant(site, visitor)
        start = await visitor.get("/mon-dossier")
        assert start.status_code == 200 and "Étape 3 sur 4" in text(start) and "à compléter" in text(start)
        filled = sections(name, person.email)

        # One section first sent with errors: registration's problems beside their fields, what was typed kept.
        wrong = {**filled["structure"], "structure_type": "", "website": "www.sans-protocole", "description": ""}
        answer = await visitor.submit("/mon-dossier/structure", "/mon-dossier/structure", wrong)
        assert answer.status_code == 422
        assert beside(answer, "structure_type") == "Type de structure : à renseigner."
        assert beside(answer, "description") == "Description de l'activité : à renseigner."
        assert beside(answer, "website") == "L'adresse du site doit commencer par https://."
        assert f'value="{name}"' in text(answer) and 'value="www.sans-protocole"' in text(answer)
        assert "3 informations sont à corriger" in text(answer) and "Brouillon enregistré" in text(answer)
        resumed = await visitor.get("/mon-dossier/structure")
        assert f'value="{name}"' in text(resumed), "the draft was saved: the section resumes where it stopped"
        # A date that is not one is refused here, before anything is saved.
        bad_date = await visitor.submit("/mon-dossier/structure", "/mon-dossier/structure",
                                        {**filled["structure"], "created_on": "31/02/2016"})
        assert bad_date.status_code == 422 and beside(bad_date, "created_on").startswith("Cette date n'est pas valide")

        for slug, fields in filled.items():
            answer = await visitor.submit(f"/mon-dossier/{slug}", f"/mon-dossier/{slug}", fields)
            if slug == "identification":  # saved, but the registration extract is still missing
                assert answer.status_code == 422
                assert beside(answer, "file").startswith("Joindre un extrait d'immatriculation")
                continue
            assert answer.status_code == 303, (slug, text(answer)[-3000:])

        # The registration extract: a wrong type explained beside the field, then the PDF.
        refused = await upload(visitor, "/mon-dossier/identification", "/mon-dossier/identification/pieces",
                               {"kind": "extrait_immatriculation"}, ("extrait.txt", b"pas un PDF", "text/plain"))
        assert refused.status_code == 422 and beside(refused, "file").startswith("Ce fichier n'est pas accepté")
        sent = await upload(visitor, "/mon-dossier/identification", "/mon-dossier/identification/pieces",
                            {"kind": "extrait_immatriculation"}, ("extrait-kbis.pdf", PDF, "application/pdf"))
        assert sent.status_code == 303 and sent.headers["location"] == "/mon-dossier/identification#pieces"
        pieces = await visitor.get("/mon-dossier/identification")
        assert "extrait-kbis.pdf" in text(pieces) and "Extrait" in text(pieces)
        link = re.search(r'href="(/mon-dossier/pieces/[0-9a-f-]+)"', pieces.text).group(1)
        downloaded = await visitor.get(link)
        assert downloaded.content == PDF and downloaded.headers["content-disposition"] == "attachment"

        # The referent's photo: initials first, then the photo through this site.
        card = await visitor.get("/mon-dossier/referent")
        assert f">{person.first_name[0]}{person.last_name[0]}</span>".upper() in card.text.upper()
        photo = await upload(visitor, "/mon-dossier/referent", "/mon-dossier/referent/photo", {},
                             ("portrait.png", PNG, "image/png"))
        assert photo.status_code == 303, text(photo)[-2000:]
        card = await visitor.get("/mon-dossier/referent")
        shown = re.search(r'<img class="act-photo" src="(/mon-dossier/pieces/[0-9a-f-]+)"', card.text).group(1)
        image = await visitor.get(shown)
        assert image.content == PNG and image.headers["content-type"] == "image/png"

        summary = await visitor.get("/mon-dossier")
        assert "à compléter" not in text(summary) and text(summary).count("complet") == 6
        draft = (await site.platform.registration.get("/api/v1/dossier", headers=person.headers)).json()
        assert draft["problems"] == [] and draft["structure"]["name"] == name
        assert draft["structure"]["siret"] == "732 829 320 00074"
        assert draft["structure"]["intervention_area"] == {"departments": ["75", "93"], "national": False}
        assert draft["structure"]["client_references"] == ["Boulangerie du Fournil", "Garage Martin"]
        assert draft["referent_card"]["photo_document_id"] == shown.rsplit("/", 1)[-1]

        # Step 4: the charter in full, the box to tick, the submission.
        charter = (await site.platform.registration.get("/api/v1/charter")).json()
        step = await visitor.get("/mon-dossier/charte")
        assert "Étape 4 sur 4" in text(step) and charter["text"].split("\n\n")[-1].strip() in text(step)
        unticked = await visitor.submit("/mon-dossier/charte", "/mon-dossier/soumission",
                                        {"charter_version": str(charter["version"])})
        assert unticked.status_code == 422 and beside(unticked, "accept_charter").startswith("Cochez cette case")
        submitted = await visitor.submit("/mon-dossier/charte", "/mon-dossier/soumission",
                                         {"charter_version": str(charter["version"]), "accept_charter": "true"})
        assert submitted.status_code == 303 and submitted.headers["location"] == "/mon-dossier"
        me = await registration_status(site.platform, person, "submitted")
        dge = await dge_agent(site.platform)
        dossier_id = me["structure"]["dossier_id"]
        reviewed = await case(site.platform, dge, dossier_id, "to_review")
        assert reviewed["dossier_id"] == dossier_id
        status = await visitor.get("/mon-dossier")
        assert "Dossier soumis : la DGE l'instruit" in text(status)
        assert "Votre dossier est soumis à la DGE" in text(status), "the notice after the submission"
        assert (await visitor.get("/mon-dossier/offre")).status_code == 303, "no change while the DGE reads it"

        decided = await site.platform.validation.post(f"/api/v1/dossiers/{dossier_id}/decision", headers=dge,
                                                      json={"decision": "accepted", "reason": "Dossier complet."})
        assert decided.status_code == 200, decided.text
        slug = await published_slug(site.platform, name)
        await registration_status(site.platform, person, "published")
        status = await visitor.get("/mon-dossier")
        assert "Dossier accepté" in text(status) and "Votre fiche est en ligne" in text(status)
        space = await visitor.get("/espace")
        assert "fait partie des activateurs France Num" in text(space)
        profile = await visitor.get(f"/activateurs/{slug}")
        assert profile.status_code == 200 and name in text(profile) and person.first_name in text(profile)


async def test_the_status_page_shows_the_dge_request_then_the_refusal_and_its_reason(site) -> None:
    async with Visitor(site) as visitor:
        person = await signed_in_applicant(site, visitor)
        dossier_id = await submit_dossier(site.platform, person, f"Refusée {uuid.uuid4().hex[:6]}")
        dge = await dge_agent(site.platform)
        await case(site.platform, dge, dossier_id, "to_review")
        await dge_asks(site.platform, dge, person, dossier_id, "Merci de préciser vos références clients.")
        waiting = await visitor.get("/mon-dossier")
        assert "La DGE attend votre réponse" in text(waiting)
        assert "Merci de préciser vos références clients." in text(waiting)
        assert 'href="/mon-dossier/echanges"' in waiting.text

        reason = "Votre activité ne concerne pas l'accompagnement des TPE et PME."
        refused = await site.platform.validation.post(f"/api/v1/dossiers/{dossier_id}/decision", headers=dge,
                                                      json={"decision": "refused", "reason": reason})
        assert refused.status_code == 200, refused.text
        await registration_status(site.platform, person, "refused")
        status = await visitor.get("/mon-dossier")
        assert status.status_code == 200 and "Dossier refusé par la DGE" in text(status)
        assert f"Motif : {reason}" in text(status)


async def test_a_file_above_registrations_limit_is_refused_before_it_is_read(site) -> None:
    async with Visitor(site) as visitor:
        await signed_in_applicant(site, visitor)
        huge = b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024 + 100 * 1024)
        answer = await upload(visitor, "/mon-dossier/identification", "/mon-dossier/identification/pieces",
                              {"kind": "extrait_immatriculation"}, ("gros.pdf", huge, "application/pdf"))
        assert answer.status_code == 413 and beside(answer, "file").startswith("Ce fichier dépasse 10 Mo")
        documents = await visitor.get("/mon-dossier/identification")
        assert "gros.pdf" not in text(documents)
