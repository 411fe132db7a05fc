"""`make demo`: plays the platform's whole story against `make run` (localhost:8001–8005), narrating each step."""

from __future__ import annotations

import email
import email.policy
import os
import re
import subprocess
import sys
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from activateurs.registration.domain.example import example_dossier

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy" / "local"))
from run import SERVICES, database_url  # noqa: E402  (make run's own choice of databases)

URLS = {spec.name: f"http://127.0.0.1:{os.environ.get(f'{spec.env_prefix}_HTTP_PORT', spec.port)}"
        for spec in SERVICES}
MAIL_FOLDER = ROOT / "var" / "mail"
MAIL_LISTING = f"http://127.0.0.1:{os.environ.get('MAILSINK_HTTP_PORT', 8025)}"
REGISTRATION_CLI = ROOT / ".venv" / "bin" / "activateurs-registration"
PDF = b"%PDF-1.7\n" + b"0" * 200 + b"\n%%EOF\n"
WAIT_SECONDS = 90


class DemoError(Exception):
    """A step did not go as the story says: stop and explain."""


# --- narration ------------------------------------------------------------------------------------------------------

_step = 0


def step(french: str, english: str) -> None:
    global _step
    _step += 1
    bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("", "")
    print(f"\n{bold}{_step:>2}. {french}{plain}\n    {english}")


def say(text: str) -> None:
    print(f"    → {text}")


def show_mail(mail: EmailMessage) -> None:
    body = mail.get_body(preferencelist=("plain",))
    lines = [line for line in (body.get_content() if body else "").splitlines() if line.strip()]
    print(f"    ✉  à/to {mail['To']} — « {mail['Subject']} » [{mail['X-Activateurs-Template']}]")
    for line in lines[:6]:
        print(f"       │ {line[:110]}")
    if len(lines) > 6:
        print("       │ …")


# --- the services and the mail sink -----------------------------------------------------------------------------


def check_platform_is_up() -> None:
    down = []
    for name, url in URLS.items():
        try:
            if httpx.get(f"{url}/health/ready", timeout=3).status_code != 200:
                down.append(f"{name} ({url}: not ready)")
        except httpx.HTTPError:
            down.append(f"{name} ({url}: no answer)")
    if down:
        raise DemoError("the platform is not running: " + ", ".join(down) + ".\n"
                        "Start it in another terminal with `make run`, wait for « Activateurs is running », "
                        "then run `make demo` again.\n"
                        "La plateforme ne tourne pas : lancez `make run` dans un autre terminal, puis `make demo`.")


class Mailbox:
    """The mails `make run`'s sink wrote to var/mail/*.eml since the demo started."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.seen = {path.name for path in folder.glob("*.eml")} if folder.exists() else set()

    def wait(self, to: str, template: str) -> EmailMessage:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            for path in sorted(self.folder.glob("*.eml")) if self.folder.exists() else []:
                if path.name in self.seen:
                    continue
                mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                if to.lower() in str(mail["To"]).lower() and mail["X-Activateurs-Template"] == template:
                    self.seen.add(path.name)
                    return mail  # type: ignore[return-value]
            time.sleep(0.3)
        raise DemoError(f"no « {template} » mail to {to} in {self.folder} after {WAIT_SECONDS} s. Is `make run` "
                        "using its own mail sink (no SMTP_HOST set)? Look at its output and at "
                        f"{MAIL_LISTING}.")


def link(mail: EmailMessage, path: str) -> str:
    body = mail.get_body(preferencelist=("plain",))
    found = re.search(r"https?://\S*" + re.escape(path) + r"\S*", body.get_content() if body else "")
    if not found:
        raise DemoError(f"no {path} link in « {mail['Subject']} »")
    return found.group(0)


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def expect(answer: httpx.Response, status: int, what: str) -> Any:
    if answer.status_code != status:
        raise DemoError(f"{what}: expected HTTP {status}, got {answer.status_code} {answer.text[:500]}")
    return answer.json() if answer.content else None


def poll(check: Any, what: str) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.3)
    raise DemoError(f"waited {WAIT_SECONDS} s for {what}")


def create_dge_account(email_address: str, password: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url(SERVICES[0])}
    done = subprocess.run([str(REGISTRATION_CLI), "create-dge-account", "--email", email_address],
                          input=password + "\n", capture_output=True, text=True, env=env, timeout=120, check=False)
    if done.returncode != 0:
        raise DemoError(f"create-dge-account failed: {done.stderr.strip() or done.stdout.strip()}")


# --- the story ----------------------------------------------------------------------------------------------------


def story() -> None:
    tag = uuid.uuid4().hex[:6]
    applicant = {"email": f"claire.durand.{tag}@numerique-et-co.example", "password": "demo password 2026!",
                 "first_name": "Claire", "last_name": "Durand"}
    structure_name = f"Numérique et Cie {tag}"
    company = {"company_name": f"Boulangerie Martin {tag}", "contact_name": "Paul Martin",
               "email": f"paul.martin.{tag}@boulangerie.example", "phone": "+33 1 40 00 00 00",
               "postal_code": "75011", "domains": ["site_internet_ecommerce"],
               "message": "Bonjour, nous voulons vendre nos pains en ligne. Pouvez-vous nous accompagner ?"}
    http = {name: httpx.Client(base_url=url, timeout=30) for name, url in URLS.items()}
    registration, validation, directory, relay = (http["registration"], http["validation"], http["directory"],
                                                  http["contact-relay"])
    mailbox = Mailbox(MAIL_FOLDER)

    print("Activateurs France Num — démonstration / demo")
    print("Une structure rejoint le programme, une TPE la trouve et la contacte.")
    print("A provider joins the programme; a small business finds it and writes to it.")
    for name, url in URLS.items():
        print(f"    {name:<13} {url}")

    step("Un agent de la DGE est créé en ligne de commande (jamais par l'API)",
         "A DGE agent is created with registration's command line (never through the API)")
    agent_email, agent_password = f"agent.{tag}@dge.gouv.fr", f"demo agent password {tag}"
    create_dge_account(agent_email, agent_password)
    dge = login(registration, agent_email, agent_password)
    roles = expect(registration.get("/api/v1/me", headers=dge), 200, "the agent's account")["roles"]
    say(f"{agent_email} signed in, roles: {', '.join(roles)}")

    step("Claire crée son compte ; un lien de vérification lui est envoyé",
         "Claire creates her account (registration); a verification link is mailed to her (notifier)")
    expect(registration.post("/api/v1/accounts", json=applicant), 202, "account creation")
    mail = mailbox.wait(applicant["email"], "account_verification")
    show_mail(mail)
    expect(registration.post("/api/v1/accounts/verification", json={"token": token_of(link(mail, "/verification"))}),
           200, "verification")
    claire = login(registration, applicant["email"], applicant["password"])
    say("the link's token was posted to /api/v1/accounts/verification: the address is verified, Claire signs in")

    step("Claire remplit son dossier, joint son extrait Kbis et soumet en acceptant la charte",
         "Claire fills in her dossier, uploads her registration extract, accepts the charter and submits")
    draft = expect(registration.put("/api/v1/dossier", headers=claire, json=dossier(structure_name, applicant)),
                   200, "dossier draft")
    missing = ", ".join(problem["message"] for problem in draft["problems"]) or "nothing"
    say(f"draft saved; still missing: {missing}")
    expect(registration.post("/api/v1/dossier/documents", headers=claire, data={"kind": "extrait_immatriculation"},
                             files={"file": ("kbis.pdf", PDF, "application/pdf")}), 201, "document upload")
    charter = expect(registration.get("/api/v1/charter"), 200, "charter")
    submitted = expect(registration.post("/api/v1/dossier/submission", headers=claire, json={
        "charter_version": charter["version"], "accept_charter": True}), 202, "submission")
    dossier_id = submitted["dossier_id"]
    say(f"dossier {dossier_id} submitted (charter version {charter['version']}); "
        "registration.dossier.submitted.v1 goes to validation")
    show_mail(mailbox.wait(applicant["email"], "dossier_received"))

    step("La DGE examine le dossier et demande une précision",
         "The DGE reviews the case (validation) and asks for more information")
    case = poll(lambda: _case(validation, dge, dossier_id, "to_review"), "the case in validation")
    checks = case.get("prechecks") or []
    summary = ", ".join(f"{check['code']}={check['outcome']}" for check in checks[:6])
    say(f"automatic pre-checks: {summary}{' …' if len(checks) > 6 else ''}")
    expect(validation.post(f"/api/v1/dossiers/{dossier_id}/messages", headers=dge, json={
        "body": "Pouvez-vous citer une référence récente en cybersécurité ?", "requests_information": True}),
        201, "information request")
    show_mail(mailbox.wait(applicant["email"], "information_requested"))

    step("Claire répond dans le fil de discussion ; le dossier revient à la DGE",
         "Claire answers in the thread; the case goes back to review")
    expect(validation.post("/api/v1/my-dossier/messages", headers=claire, json={
        "body": "Audit de sécurité du site de la boulangerie Martin, 2024."}), 201, "reply")
    poll(lambda: _case(validation, dge, dossier_id, "to_review"), "the case back to review")
    say("status to_review")

    step("La DGE accepte le dossier ; la fiche est publiée dans l'annuaire",
         "The DGE accepts; directory publishes the profile, contact-relay learns where to route requests")
    expect(validation.post(f"/api/v1/dossiers/{dossier_id}/decision", headers=dge, json={
        "decision": "accepted", "reason": "Dossier complet et références vérifiées."}), 200, "decision")
    show_mail(mailbox.wait(applicant["email"], "dossier_accepted"))
    slug = poll(lambda: _search(directory, structure_name), "the profile in the directory search")
    profile = expect(directory.get(f"/api/v1/activators/{slug}"), 200, "public profile")
    say(f"search « {structure_name} » finds it: {URLS['directory']}/api/v1/activators/{slug}")
    say(f"{profile['name']} — {', '.join(profile.get('domains', []))}")
    claire = login(registration, applicant["email"], applicant["password"])  # the new token carries the structure

    step("Une boulangerie envoie une demande de contact à la structure",
         "A bakery sends a contact request (contact-relay): a confirmation to it, the request to Claire")
    request_id = expect(relay.post("/api/v1/contact-requests", json={**company, "activator_slug": slug}),
                        202, "contact request")["id"]
    show_mail(mailbox.wait(company["email"], "contact_confirmation"))
    forwarded = mailbox.wait(applicant["email"], "contact_forwarded")
    show_mail(forwarded)

    step("Claire accuse réception en un clic depuis le courriel (délai : 48 h ouvrées)",
         "Claire acknowledges with one click from the mail (deadline: 48 working hours); the bakery is told")
    ack_link = link(forwarded, f"/contact-requests/{request_id}/acknowledgement")
    done = expect(relay.post(f"/api/v1/contact-requests/{request_id}/acknowledgement",
                             params={"token": token_of(ack_link)}), 200, "acknowledgement")
    say(f"request {request_id}: {done['status']} at {done['acknowledged_at']}")
    show_mail(mailbox.wait(company["email"], "contact_acknowledged"))

    step("Claire consulte ses statistiques (vues, apparitions, contacts, accusés de réception)",
         "Claire looks at her statistics (directory): views, search appearances, contacts, acknowledgements")
    totals = poll(lambda: _statistics(directory, claire), "the contact in the statistics")
    say(f"views {totals['views']}, search appearances {totals['search_appearances']}, "
        f"contacts {totals['contacts_received']}, acknowledged {totals['acknowledged']} "
        f"(rate {totals['acknowledgement_rate']:.0%}, median {totals['median_ack_seconds']:.0f} s)")

    print("\nFin de la démonstration / end of the demo. "
          f"Every mail: {MAIL_LISTING} (files in {MAIL_FOLDER}). Re-run `make demo` any time: new names each run.")


def login(registration: httpx.Client, username: str, password: str) -> dict[str, str]:
    token = expect(registration.post("/api/v1/auth/token", data={"username": username, "password": password}),
                   200, f"sign-in of {username}")
    return {"Authorization": f"Bearer {token['access_token']}"}


def _case(validation: httpx.Client, dge: dict[str, str], dossier_id: str, status: str) -> dict[str, Any] | None:
    answer = validation.get(f"/api/v1/dossiers/{dossier_id}", headers=dge)
    return answer.json() if answer.status_code == 200 and answer.json()["status"] == status else None


def _search(directory: httpx.Client, name: str) -> str | None:
    items = expect(directory.get("/api/v1/activators", params={"q": name}), 200, "search")["items"]
    return next((item["slug"] for item in items if item["name"] == name), None)


def _statistics(directory: httpx.Client, headers: dict[str, str]) -> dict[str, Any] | None:
    totals = expect(directory.get("/api/v1/me/statistics", headers=headers), 200, "statistics")["totals"]
    # Views and search appearances are counted in memory and written every few seconds: wait for them too.
    return totals if totals["contacts_received"] >= 1 and totals["acknowledged"] >= 1 and totals["views"] >= 1 \
        and totals["search_appearances"] >= 1 else None


def dossier(structure_name: str, applicant: dict[str, str]) -> dict[str, Any]:
    """The API's documented example dossier, for this run's structure and applicant."""
    return example_dossier(name=structure_name,
                           head=(applicant["first_name"], applicant["last_name"], applicant["email"]))


def main() -> int:
    try:
        check_platform_is_up()
        story()
    except DemoError as error:
        print(f"\ndemo stopped: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
