"""The account on the site: sign-up to sign-in, the session cookie and its refresh, sign-out, the forgotten
password, the account's own settings — through the web, against the real services."""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlsplit

import jwt

from activateurs.web.session import SESSION_COOKIE
from tests.e2e.journeys import Person, case, dge_agent, open_account, registration_status, submit_dossier

from .extranet import Visitor, csrf_of, signed_in_applicant, text


async def test_sign_up_verify_and_sign_in_on_the_site(site) -> None:
    person = Person.unusual()
    async with Visitor(site) as visitor:
        created = await visitor.submit("/inscription", "/inscription", {
            "first_name": person.first_name, "last_name": person.last_name, "email": person.email,
            "password": person.password, "password_confirmation": person.password})
        assert created.status_code == 303 and created.headers["location"] == "/inscription/envoyee"
        assert "Vérifiez votre adresse" in text(await visitor.get("/inscription/envoyee"))
        link = site.link(await site.platform.mail(person.email, "account_verification"), "/verification")
        page = await visitor.get(link)
        verified = await visitor.http.post("/verification", data={
            "csrf_token": csrf_of(page.text), "token": parse_qs(urlsplit(link).query)["token"][0]})
        assert verified.status_code == 303

        signed = await visitor.sign_in(person, suite="/espace/compte")
        assert signed.headers["location"] == "/espace/compte", "back where the person was going"
        cookie = signed.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
        space = await visitor.get("/espace")
        assert space.status_code == 200 and f"Bonjour {person.first_name}" in text(space)
        assert visitor.session.access_token not in text(space), "the token never reaches the page"
        assert "Se déconnecter" in text(space)


async def test_sign_up_errors_are_beside_their_fields_and_passwords_are_not_given_back(site) -> None:
    async with Visitor(site) as visitor:
        answer = await visitor.submit("/inscription", "/inscription", {
            "first_name": "", "last_name": "Martin", "email": "pas-une-adresse", "password": "court",
            "password_confirmation": "court"})
        assert answer.status_code == 422
        for message in ("Indiquez votre prénom.", "Cette adresse électronique n'est pas valide",
                        "12 caractères au moins (5 saisis)."):
            assert message in text(answer)
        assert 'value="court"' not in text(answer) and 'value="Martin"' in text(answer)
        mismatch = await visitor.submit("/inscription", "/inscription", {
            "first_name": "Anne", "last_name": "Martin", "email": "anne@exemple.fr",
            "password": "une phrase assez longue", "password_confirmation": "une autre phrase longue"})
        assert mismatch.status_code == 422 and "ne sont pas identiques" in text(mismatch)


async def test_a_page_of_the_space_asks_to_sign_in_first_and_never_redirects_elsewhere(site) -> None:
    async with Visitor(site) as visitor:
        answer = await visitor.get("/espace/compte")
        assert answer.status_code == 303 and answer.headers["location"] == "/connexion?suite=%2Fespace%2Fcompte"
        person = Person.unusual()
        await open_account(site.platform, person)
        elsewhere = await visitor.sign_in(person, suite="//evil.example/phish")
        assert elsewhere.headers["location"] == "/espace", "another site is never where sign-in leads"


async def test_wrong_credentials_say_so_and_keep_the_address(site) -> None:
    async with Visitor(site) as visitor:
        person = Person.unusual()
        answer = await visitor.submit("/connexion", "/connexion", {"email": person.email, "password": "faux faux faux"})
        assert answer.status_code == 401
        assert "Adresse électronique ou mot de passe incorrect" in text(answer)
        assert f'value="{person.email}"' in text(answer) and "faux faux faux" not in text(answer)
        assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")


async def test_sign_out_ends_the_session_for_good(site) -> None:
    async with Visitor(site) as visitor:
        await signed_in_applicant(site, visitor)
        kept = visitor.session
        page = await visitor.get("/espace")
        out = await visitor.http.post("/deconnexion", data={"csrf_token": csrf_of(page.text)})
        assert out.status_code == 303 and out.headers["location"] == "/"
        assert "Vous êtes déconnecté." in text(await visitor.get("/"))
        assert visitor.session is None, "the cookie is cleared"
        visitor.set_session(kept)  # a copy of the cookie taken before signing out
        replayed = await visitor.get("/espace")
        assert replayed.status_code == 303 and replayed.headers["location"].startswith("/connexion")


async def test_an_expiring_access_token_is_refreshed_and_the_old_refresh_token_is_spent(site) -> None:
    async with Visitor(site) as visitor:
        await signed_in_applicant(site, visitor)
        first = visitor.session
        visitor.set_session(dataclasses.replace(first, expires_at=0))  # as if 15 minutes had gone by
        page = await visitor.get("/espace")
        assert page.status_code == 200
        assert SESSION_COOKIE in page.headers.get("set-cookie", ""), "the new tokens are stored"
        renewed = visitor.session
        assert renewed.refresh_token != first.refresh_token and renewed.expires_at > first.expires_at
        spent = await site.platform.registration.post("/api/v1/accounts/session/refresh",
                                                      json={"refresh_token": first.refresh_token})
        assert spent.status_code == 401, "a refresh token works once"


async def test_the_session_follows_the_account_after_acceptance(site) -> None:
    """The referent signed in before the DGE's decision: the next page knows the structure, no new sign-in."""
    async with Visitor(site) as visitor:
        person = await signed_in_applicant(site, visitor)
        assert "structure_id" not in jwt.decode(visitor.session.access_token, options={"verify_signature": False})
        dossier_id = await submit_dossier(site.platform, person, "Structure Suivie " + person.last_name)
        dge = await dge_agent(site.platform)
        await case(site.platform, dge, dossier_id, "to_review")
        decided = await site.platform.validation.post(f"/api/v1/dossiers/{dossier_id}/decision", headers=dge,
                                                      json={"decision": "accepted", "reason": "Dossier complet."})
        assert decided.status_code == 200, decided.text
        me = await registration_status(site.platform, person, "published")
        page = await visitor.get("/espace")
        assert page.status_code == 200 and "Mon engagement" in text(page)
        claims = jwt.decode(visitor.session.access_token, options={"verify_signature": False})
        assert claims["structure_id"] == me["structure"]["structure_id"]


async def test_forgotten_password_end_to_end_and_the_old_session_refused(site) -> None:
    async with Visitor(site) as old, Visitor(site) as visitor:
        person = await signed_in_applicant(site, old)
        asked = await visitor.submit("/mot-de-passe-oublie", "/mot-de-passe-oublie", {"email": person.email})
        assert asked.status_code == 303
        assert "un lien pour choisir un nouveau mot de passe" in text(await visitor.get("/mot-de-passe-oublie"))
        link = site.link(await site.platform.mail(person.email, "password_reset"), "/mot-de-passe/nouveau")
        page = await visitor.get(link)
        assert page.status_code == 200 and "Choisir un nouveau mot de passe" in text(page)
        token = parse_qs(urlsplit(link).query)["token"][0]
        short = await visitor.http.post("/mot-de-passe/nouveau", data={
            "csrf_token": csrf_of(page.text), "token": token, "password": "court", "password_confirmation": "court"})
        assert short.status_code == 422 and "12 caractères au moins" in text(short)
        new = "un tout nouveau mot de passe"
        done = await visitor.http.post("/mot-de-passe/nouveau", data={
            "csrf_token": csrf_of(page.text), "token": token, "password": new, "password_confirmation": new})
        assert done.status_code == 303 and done.headers["location"] == "/connexion"
        assert "Votre mot de passe est changé" in text(await visitor.get("/connexion"))
        again = await visitor.http.post("/mot-de-passe/nouveau", data={
            "csrf_token": csrf_of(page.text), "token": token, "password": new, "password_confirmation": new})
        assert again.status_code == 400, "the link works once"
        refused = await old.get("/espace")
        assert refused.status_code == 303 and refused.headers["location"].startswith("/connexion"), \
            "the session opened before the reset is over"
        await visitor.sign_in(dataclasses.replace(person, password=new))
        assert (await visitor.get("/espace")).status_code == 200
        await site.platform.mail(person.email, "password_changed")


async def test_change_password_and_address_from_the_account_page(site) -> None:
    async with Visitor(site) as visitor:
        person = await signed_in_applicant(site, visitor)
        wrong = await visitor.submit("/espace/compte", "/espace/compte/mot-de-passe", {
            "current_password": "pas le bon du tout", "password": "nouveau mot de passe 1",
            "password_confirmation": "nouveau mot de passe 1"})
        assert wrong.status_code == 422 and "Ce n'est pas votre mot de passe actuel." in text(wrong)
        changed = await visitor.submit("/espace/compte", "/espace/compte/mot-de-passe", {
            "current_password": person.password, "password": "nouveau mot de passe 1",
            "password_confirmation": "nouveau mot de passe 1"})
        assert changed.status_code == 303
        page = await visitor.get("/espace/compte")
        assert page.status_code == 200 and "Votre mot de passe est changé" in text(page), "this session goes on"
        taken = await visitor.submit("/espace/compte", "/espace/compte/adresse", {
            "new_email": site.referents[next(iter(site.referents))].email, "email_password": "nouveau mot de passe 1"})
        assert taken.status_code == 422 and "déjà celle de votre compte ou d'un autre" in text(taken)
        new_email = "autre-" + person.email
        asked = await visitor.submit("/espace/compte", "/espace/compte/adresse", {
            "new_email": new_email, "email_password": "nouveau mot de passe 1"})
        assert asked.status_code == 303
        assert "Un lien de confirmation a été envoyé" in text(await visitor.get("/espace/compte"))
        await site.platform.mail(new_email, "email_change_verification")
