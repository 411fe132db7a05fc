"""Once accepted, on the site: the referent edits the public profile and invites members; the invited person joins
from the mail's link, signs in at once and fills their member card — through the web, against the real services."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.e2e.journeys import Person
from tests.support.waiting import eventually

from .extranet import Visitor, csrf_of, text
from .members import INVITATION_MAIL, joined_member, own_structure, png


def profile_fields(dossier: dict[str, Any], **changes: str) -> dict[str, Any]:
    """The profile form as the page fills it from the structure's information, with `changes` typed over it."""
    s, card = dossier["structure"], dossier["referent_card"]
    fields: dict[str, Any] = {
        "description": s["description"] or "", "pricing": s["pricing"] or "", "domains": s["domains"],
        "services": s["services"], "headcount_band": s["headcount_band"], "street": s["address"]["street"],
        "postal_code": s["address"]["postal_code"], "city": s["address"]["city"],
        "departments": ", ".join(s["intervention_area"]["departments"]), "website": s["website"] or "",
        "social_links": "\n".join(s["social_links"]), "client_references": "\n".join(s["client_references"]),
        "networks": "\n".join(s["networks"]), "certifications": "\n".join(s["certifications"]),
        "card_phone": card["phone"] or "", "card_presentation": card["presentation"] or "",
        "card_references": "\n".join(card["references"])}
    if s["intervention_area"]["national"]:
        fields["national"] = "oui"
    return {**fields, **changes}


async def followed(visitor: Visitor, answer: httpx.Response) -> httpx.Response:
    assert answer.status_code == 303, answer.text[-2000:]
    return await visitor.get(answer.headers["location"])


def invalid_fields(answer: httpx.Response) -> list[str]:
    return sorted(re.findall(r'name="([a-z_]+)"[^>]*aria-invalid="true"', answer.text))


async def test_the_referent_edits_the_profile_and_the_public_page_shows_it(site) -> None:
    referent, name, slug = await own_structure(site)
    dossier = (await site.platform.registration.get("/api/v1/dossier", headers=referent.headers)).json()
    async with Visitor(site) as visitor:
        await visitor.sign_in(referent)
        page = await visitor.get("/espace/fiche")
        assert page.status_code == 200 and f'href="/activateurs/{slug}"' in page.text, "the link to the profile online"
        assert "Ma fiche" in text(page) and "Membres" in text(page), "the side menu of an accepted referent"
        assert dossier["structure"]["description"] in text(page), "the form shows the current profile"

        wrong = await visitor.submit("/espace/fiche", "/espace/fiche", profile_fields(
            dossier, description="", postal_code="7501", website="exemple sans lien"))
        assert wrong.status_code == 422
        assert invalid_fields(wrong) == ["description", "postal_code", "website"]
        assert "3 informations sont à corriger" in text(wrong) and 'value="7501"' in wrong.text, "typed, given back"

        description = f"Ateliers numériques pour les artisans du quartier {slug[-6:]}, diagnostic compris."
        saved = await visitor.submit("/espace/fiche", "/espace/fiche", profile_fields(
            dossier, description=description, pricing="Premier rendez-vous offert."))
        after = await followed(visitor, saved)
        assert "Votre fiche est republiée dans l'annuaire. Modifié : Description de l'activité, Tarifs." in text(after)
        assert description in text(after)

        unchanged = await followed(visitor, await visitor.submit("/espace/fiche", "/espace/fiche", profile_fields(
            (await site.platform.registration.get("/api/v1/dossier", headers=referent.headers)).json())))
        assert "rien n'y a changé" in text(unchanged)

    async def republished() -> bool:
        return description in text(await site.web.get(f"/activateurs/{slug}"))
    await eventually(republished, timeout=30, interval=0.3, what="the new description on the public profile")


async def test_an_invited_person_joins_from_the_mail_and_fills_a_card_with_a_photo(site) -> None:
    referent, name, slug = await own_structure(site)
    invitee = Person.unusual()
    async with Visitor(site) as visitor:
        await visitor.sign_in(referent)
        empty = await visitor.get("/espace/membres")
        assert empty.status_code == 200 and "Vous n'avez encore invité personne" in text(empty)
        wrong = await visitor.submit("/espace/membres", "/espace/membres", {
            "first_name": "", "last_name": invitee.last_name, "email": "pas-une-adresse"})
        assert wrong.status_code == 422 and invalid_fields(wrong) == ["email", "first_name"]
        own = await visitor.submit("/espace/membres", "/espace/membres", {
            "first_name": "Moi", "last_name": "Même", "email": referent.email})
        assert own.status_code == 409 and "C'est votre propre adresse" in text(own)
        person = {"first_name": invitee.first_name, "last_name": invitee.last_name, "email": invitee.email}
        sent = await followed(visitor, await visitor.submit("/espace/membres", "/espace/membres", person))
        assert f"Invitation envoyée à {invitee.first_name} {invitee.last_name}" in text(sent)
        assert "Invitation envoyée" in text(sent) and invitee.email in text(sent), "the list shows the invitation"
        again = await visitor.submit("/espace/membres", "/espace/membres", person)
        assert again.status_code == 409 and "déjà invitée" in text(again)

        link = site.link(await site.platform.mail(invitee.email, INVITATION_MAIL), "/invitation")
        async with Visitor(site) as guest:  # the invited person's own browser
            landing = await guest.get(link)
            assert landing.status_code == 200 and "Créer mon compte et rejoindre la structure" in text(landing)
            token = re.search(r'name="token" value="([^"]+)"', landing.text).group(1)
            version = re.search(r'name="charter_version" value="(\d+)"', landing.text).group(1)
            fields = {"token": token, "charter_version": version, "email": invitee.email,
                      "password": invitee.password, "password_confirmation": invitee.password}
            refused = await guest.submit(link, "/invitation", fields)
            assert refused.status_code == 422 and invalid_fields(refused) == ["accept_charter"]
            assert invitee.password not in refused.text
            joined = await guest.submit(link, "/invitation", {**fields, "accept_charter": "oui"})
            assert joined.status_code == 303 and joined.headers["location"] == "/espace/carte"
            card_page = await guest.get("/espace/carte")
            assert card_page.status_code == 200 and f"vous êtes membre de {name}" in text(card_page)
            assert "Ma carte de membre" in text(card_page) and "Membres</a>" not in card_page.text
            used = await guest.submit(link, "/invitation", {**fields, "accept_charter": "oui"})
            assert used.status_code == 400 and "Ce lien d'invitation n'est pas valide" in text(used)

            space = await guest.get("/espace")
            assert space.status_code == 200 and name in text(space), "the space shows the structure at once"

            wrong_file = await guest.http.post("/espace/carte", data={
                "csrf_token": csrf_of(card_page.text), "picture": "photo", "phone": "pas un numéro"},
                files={"photo": ("photo.png", b"not an image at all", "image/png")})
            assert wrong_file.status_code == 422 and invalid_fields(wrong_file) == ["phone", "photo"]
            assert "Ce fichier n'est pas une image PNG ou JPEG." in text(wrong_file)
            presentation = f"Formatrice au numérique depuis dix ans ({invitee.last_name})."
            saved = await guest.http.post("/espace/carte", data={
                "csrf_token": csrf_of(card_page.text), "picture": "photo", "presentation": presentation,
                "references": "Mairie de Quimper\nBoulangerie Martin", "receive_contact_requests": "oui"},
                files={"photo": ("moi.png", png(), "image/png")})
            card = await followed(guest, saved)
            assert "Votre carte de membre est enregistrée" in text(card) and presentation in text(card)
            photo = re.search(r'<img class="act-photo" src="(/photos/[^"]+)"', card.text)
            assert photo, "the card shows the photo"
            assert (await guest.get(photo.group(1))).content == png()

            read_only = await guest.get("/espace/fiche")
            assert read_only.status_code == 200 and "Seul(e) le ou la référent(e) modifie la fiche" in text(read_only)
            assert (await guest.submit("/espace/fiche", "/espace/fiche", {})).status_code == 403
            assert (await guest.get("/espace/membres")).status_code == 403

        listed = await visitor.get("/espace/membres")
        assert f"{invitee.first_name} {invitee.last_name}" in text(listed) and "1 membre à ce jour" in text(listed)

    async def on_the_profile() -> bool:
        return presentation in text(await site.web.get(f"/activateurs/{slug}"))
    await eventually(on_the_profile, timeout=30, interval=0.3, what="the member's card on the public profile")


async def test_an_invited_person_who_types_another_address_signs_in_after_joining(site) -> None:
    referent, name, _ = await own_structure(site)
    invitee = Person.unusual()
    invited = await site.platform.registration.post("/api/v1/structure/members", headers=referent.headers, json={
        "email": invitee.email, "first_name": invitee.first_name, "last_name": invitee.last_name})
    assert invited.status_code == 201
    link = site.link(await site.platform.mail(invitee.email, INVITATION_MAIL), "/invitation")
    async with Visitor(site) as guest:
        landing = await guest.get(link)
        fields = {"token": re.search(r'name="token" value="([^"]+)"', landing.text).group(1),
                  "charter_version": re.search(r'name="charter_version" value="(\d+)"', landing.text).group(1),
                  "email": "une.autre.adresse@exemple.fr", "password": invitee.password,
                  "password_confirmation": invitee.password, "accept_charter": "oui"}
        joined = await guest.submit(link, "/invitation", fields)
        assert joined.status_code == 303 and joined.headers["location"] == "/connexion?suite=/espace/carte"
        assert "Votre compte de membre est créé" in text(await guest.get(joined.headers["location"]))
        signed = await guest.sign_in(invitee, suite="/espace/carte")
        assert signed.headers["location"] == "/espace/carte"
        assert name in text(await guest.get("/espace"))


async def test_a_member_made_through_the_api_sees_the_structure_in_the_space(site) -> None:
    referent, name, _ = await own_structure(site)
    member = await joined_member(site, referent)
    async with Visitor(site) as visitor:
        await visitor.sign_in(member)
        space = await visitor.get("/espace")
        assert name in text(space) and "Ma carte de membre" in text(space)
        card = await visitor.get("/espace/carte")
        assert card.status_code == 200 and "Vos initiales sont sur la carte." in text(card)
