"""The email templates of CONTRACTS.md and, for each, the context fields it is rendered with."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, ConfigDict, Field

from .base import Contract

# Only web links: a `javascript:` or `data:` URL must never reach an email body.
WebUrl = Annotated[str, Field(pattern=r"^https?://")]


class EmailTemplate(StrEnum):
    ACCOUNT_VERIFICATION = "account_verification"
    ACCOUNT_DUPLICATE_REGISTRATION = "account_duplicate_registration"
    MEMBER_INVITATION = "member_invitation"
    DOSSIER_RECEIVED = "dossier_received"
    INFORMATION_REQUESTED = "information_requested"
    INFORMATION_REMINDER = "information_reminder"
    DOSSIER_ACCEPTED = "dossier_accepted"
    DOSSIER_REFUSED = "dossier_refused"
    PROFILE_PUBLISHED = "profile_published"
    ACCOUNT_DELETED = "account_deleted"
    CONTACT_FORWARDED = "contact_forwarded"
    CONTACT_CONFIRMATION = "contact_confirmation"
    CONTACT_ACKNOWLEDGED = "contact_acknowledged"
    CONTACT_ACK_REMINDER = "contact_ack_reminder"
    CONTACT_OVERDUE_ACTIVATOR = "contact_overdue_activator"
    CONTACT_OVERDUE_BUSINESS = "contact_overdue_business"
    CONTACT_REDIRECTED_BUSINESS = "contact_redirected_business"
    CONTACT_REDIRECTED_ACTIVATOR = "contact_redirected_activator"
    ENGAGEMENT_REMINDER = "engagement_reminder"
    ENGAGEMENT_LAPSED = "engagement_lapsed"
    CHARTER_TO_ACCEPT = "charter_to_accept"
    STRUCTURE_SUSPENDED = "structure_suspended"
    STRUCTURE_REINSTATED = "structure_reinstated"
    STRUCTURE_STRUCK_OFF = "structure_struck_off"
    WITHDRAWAL_CONFIRMED = "withdrawal_confirmed"
    QUESTIONNAIRE = "questionnaire"
    PASSWORD_RESET = "password_reset"
    PASSWORD_CHANGED = "password_changed"
    EMAIL_CHANGE_VERIFICATION = "email_change_verification"
    EMAIL_CHANGED = "email_changed"


EMAIL_CONTEXTS: dict[str, type[EmailContext]] = {}


def _example(example: dict[str, Any]) -> ConfigDict:
    """The config every context shares, plus its one documented example."""
    return ConfigDict(frozen=True, extra="ignore", json_schema_extra={"examples": [example]})


class EmailContext(Contract):
    """The variables of one email template; each subclass names its template in `template`."""

    template: ClassVar[EmailTemplate]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        template = cls.__dict__.get("template")
        if not isinstance(template, EmailTemplate):
            raise TypeError(f"{cls.__name__} must set `template` to an EmailTemplate")
        if template.value in EMAIL_CONTEXTS:
            raise TypeError(f"two email contexts claim the template {template.value}")
        EMAIL_CONTEXTS[template.value] = cls


# --- Accounts -------------------------------------------------------------------------------


class AccountVerificationContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.ACCOUNT_VERIFICATION
    model_config = _example(
        {
            "first_name": "Camille",
            "verification_url": "https://activateurs.francenum.gouv.fr/verification?token=eyJhbGciOi.abc",
            "expires_at": "2026-04-09T10:00:00+02:00",
        }
    )

    first_name: str = Field(description="First name of the account owner.")
    verification_url: WebUrl = Field(description="`{PUBLIC_BASE_URL}/verification?token=T`.")
    expires_at: AwareDatetime = Field(description="When the link stops working (48 h after sending).")


class AccountDuplicateRegistrationContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.ACCOUNT_DUPLICATE_REGISTRATION
    model_config = _example(
        {
            "first_name": "Camille",
            "login_url": "https://activateurs.francenum.gouv.fr/connexion",
            "password_reset_url": "https://activateurs.francenum.gouv.fr/mot-de-passe-oublie",
        }
    )

    first_name: str = Field(description="First name of the existing account's owner.")
    login_url: WebUrl = Field(description="The sign-in page.")
    password_reset_url: WebUrl | None = Field(default=None, description="The forgotten-password page, if any.")


class MemberInvitationContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.MEMBER_INVITATION
    model_config = _example(
        {
            "first_name": "Julien",
            "structure_name": "Numérique & Co",
            "referent_name": "Claire Durand",
            "invitation_url": "https://activateurs.francenum.gouv.fr/invitation?token=eyJhbGciOi.def",
            "expires_at": "2026-04-14T10:00:00+02:00",
        }
    )

    first_name: str = Field(description="First name of the invited member.")
    structure_name: str = Field(description="Name of the structure the member is invited to.")
    referent_name: str = Field(description="Full name of the referent who sent the invitation.")
    invitation_url: WebUrl = Field(description="Link to accept the invitation and create the account.")
    expires_at: AwareDatetime = Field(description="When the invitation link stops working.")


class PasswordResetContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.PASSWORD_RESET
    model_config = _example(
        {
            "first_name": "Camille",
            "reset_url": "https://activateurs.francenum.gouv.fr/mot-de-passe/nouveau?token=eyJhbGciOi.ghi",
            "expires_at": "2026-04-07T11:00:00+02:00",
        }
    )

    first_name: str = Field(description="First name of the account owner.")
    reset_url: WebUrl = Field(description="`{PUBLIC_BASE_URL}/mot-de-passe/nouveau?token=T` (single use).")
    expires_at: AwareDatetime = Field(description="When the link stops working (1 h after sending).")


class PasswordChangedContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.PASSWORD_CHANGED
    model_config = _example(
        {
            "first_name": "Camille",
            "changed_at": "2026-04-07T10:12:00+02:00",
            "password_reset_url": "https://activateurs.francenum.gouv.fr/mot-de-passe-oublie",
        }
    )

    first_name: str = Field(description="First name of the account owner.")
    changed_at: AwareDatetime = Field(description="When the password was changed.")
    password_reset_url: WebUrl = Field(description="The forgotten-password page, to take the account back.")


class EmailChangeVerificationContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.EMAIL_CHANGE_VERIFICATION
    model_config = _example(
        {
            "first_name": "Camille",
            "new_email": "camille.martin@numerique-et-co.fr",
            "confirmation_url": "https://activateurs.francenum.gouv.fr/email/confirmation?token=eyJhbGciOi.jkl",
            "expires_at": "2026-04-08T10:00:00+02:00",
        }
    )

    first_name: str = Field(description="First name of the account owner.")
    new_email: str = Field(description="The address to confirm (this email is sent to it).")
    confirmation_url: WebUrl = Field(description="`{PUBLIC_BASE_URL}/email/confirmation?token=T` (single use).")
    expires_at: AwareDatetime = Field(description="When the link stops working.")


class EmailChangedContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.EMAIL_CHANGED
    model_config = _example(
        {
            "first_name": "Camille",
            "new_email": "camille.martin@numerique-et-co.fr",
            "changed_at": "2026-04-07T10:30:00+02:00",
            "login_url": "https://activateurs.francenum.gouv.fr/connexion",
        }
    )

    first_name: str = Field(description="First name of the account owner.")
    new_email: str = Field(description="The account's new address (this email goes to the former one).")
    changed_at: AwareDatetime = Field(description="When the address was replaced.")
    login_url: WebUrl = Field(description="The sign-in page.")


# --- Dossier and validation -----------------------------------------------------------------


class DossierReceivedContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.DOSSIER_RECEIVED
    model_config = _example({"first_name": "Claire", "structure_name": "Numérique & Co", "revision": 1})

    first_name: str = Field(description="First name of the applicant.")
    structure_name: str = Field(description="Name of the structure applying.")
    revision: int = Field(ge=1, description="Number of the submitted revision of the dossier (1 for the first).")


class InformationRequestedContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.INFORMATION_REQUESTED
    model_config = _example(
        {
            "first_name": "Claire",
            "structure_name": "Numérique & Co",
            "message": "Pourriez-vous joindre un extrait Kbis de moins de trois mois ?",
            "respond_by": "2026-07-07T23:59:00+02:00",
            "dossier_url": "https://activateurs.francenum.gouv.fr/mon-dossier",
        }
    )

    first_name: str = Field(description="First name of the applicant.")
    structure_name: str = Field(description="Name of the structure applying.")
    message: str = Field(description="The DGE agent's message, as written.")
    respond_by: AwareDatetime = Field(
        description="Deadline for an answer: 3 months after the request; past it the account is deleted (A3)."
    )
    dossier_url: WebUrl = Field(description="The applicant's dossier page, to answer or resubmit.")


class InformationReminderContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.INFORMATION_REMINDER
    model_config = _example(
        {
            "first_name": "Claire",
            "structure_name": "Numérique & Co",
            "respond_by": "2026-07-07T23:59:00+02:00",
            "dossier_url": "https://activateurs.francenum.gouv.fr/mon-dossier",
            "final": True,
        }
    )

    first_name: str = Field(description="First name of the applicant.")
    structure_name: str = Field(description="Name of the structure applying.")
    respond_by: AwareDatetime = Field(
        description="When the account is deleted without an answer (3 months after the request)."
    )
    dossier_url: WebUrl = Field(description="The applicant's dossier page, to answer or resubmit.")
    final: bool = Field(
        default=False,
        description="False for the reminder one month after the request, true for the one 14 days before deletion.",
    )


class DossierAcceptedContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.DOSSIER_ACCEPTED
    model_config = _example(
        {
            "first_name": "Claire",
            "structure_name": "Numérique & Co",
            "engagement_expires_at": "2028-04-07T10:00:00+02:00",
            "space_url": "https://activateurs.francenum.gouv.fr/espace",
        }
    )

    first_name: str = Field(description="First name of the referent.")
    structure_name: str = Field(description="Name of the accepted structure.")
    engagement_expires_at: AwareDatetime = Field(description="End of the 24-month engagement (A6).")
    space_url: WebUrl = Field(description="The activator's space.")


class DossierRefusedContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.DOSSIER_REFUSED
    model_config = _example(
        {
            "first_name": "Claire",
            "structure_name": "Numérique & Co",
            "reason": "L'activité de la structure n'est pas liée à la transformation numérique des TPE et PME.",
        }
    )

    first_name: str = Field(description="First name of the applicant.")
    structure_name: str = Field(description="Name of the refused structure.")
    reason: str = Field(description="The reason given by the DGE.")


class ProfilePublishedContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.PROFILE_PUBLISHED
    model_config = _example(
        {
            "first_name": "Claire",
            "structure_name": "Numérique & Co",
            "profile_url": "https://activateurs.francenum.gouv.fr/activateurs/numerique-et-co",
        }
    )

    first_name: str = Field(description="First name of the referent.")
    structure_name: str = Field(description="Name of the published structure.")
    profile_url: WebUrl = Field(description="The public profile page.")


DeletionReason = Literal[
    "user_request",
    "structure_deleted",  # a member's account, gone with the structure whose referent deleted theirs
    "information_request_expired",
    "engagement_lapsed",
    "charter_not_accepted",
    "struck_off",
    "never_verified",
]


class AccountDeletedContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.ACCOUNT_DELETED
    model_config = _example({"first_name": "Claire", "reason": "information_request_expired"})

    first_name: str = Field(description="First name of the former account owner.")
    reason: DeletionReason = Field(description="Why the account was deleted; the template words it in French.")


# --- Contact requests -----------------------------------------------------------------------


class ContactForwardedContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.CONTACT_FORWARDED
    model_config = _example(
        {
            "structure_name": "Numérique & Co",
            "company_name": "Boulangerie Martin",
            "contact_name": "Paul Martin",
            "contact_email": "paul.martin@boulangerie-martin.fr",
            "phone": "06 12 34 56 78",
            "siret": "73282932000074",
            "postal_code": "75011",
            "domains": ["Site internet et e-commerce", "Cybersécurité"],
            "message": "Bonjour, nous souhaitons vendre nos gâteaux en ligne. Pouvez-vous nous aider ?",
            "ack_deadline": "2026-04-07T10:00:00+02:00",
            "acknowledgement_url": "https://activateurs.francenum.gouv.fr/contact-requests/3f1c/acknowledgement?token=T1",
        }
    )

    structure_name: str = Field(description="Name of the structure receiving the request.")
    company_name: str = Field(description="Name of the business writing.")
    contact_name: str = Field(description="The business's contact person.")
    contact_email: str = Field(description="Address to answer the business at.")
    phone: str | None = Field(default=None, description="The business's phone number, if given.")
    siret: str | None = Field(default=None, description="The business's SIRET, if given.")
    postal_code: str = Field(description="The business's postal code.")
    domains: list[str] = Field(default_factory=list, description="Domains concerned, as French labels.")
    message: str = Field(description="The business's message, as written.")
    ack_deadline: AwareDatetime = Field(description="Acknowledgement deadline (48 working hours).")
    acknowledgement_url: WebUrl = Field(
        description="`{PUBLIC_BASE_URL}/contact-requests/{id}/acknowledgement?token=T` (one click)."
    )


class ContactConfirmationContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.CONTACT_CONFIRMATION
    model_config = _example(
        {
            "contact_name": "Paul Martin",
            "structure_name": "Numérique & Co",
            "ack_deadline": "2026-04-07T10:00:00+02:00",
        }
    )

    contact_name: str = Field(description="The business's contact person.")
    structure_name: str = Field(description="Name of the structure written to.")
    ack_deadline: AwareDatetime = Field(description="When the structure must have acknowledged the request.")


class ContactAcknowledgedContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.CONTACT_ACKNOWLEDGED
    model_config = _example(
        {
            "contact_name": "Paul Martin",
            "structure_name": "Numérique & Co",
            "profile_url": "https://activateurs.francenum.gouv.fr/activateurs/numerique-et-co",
        }
    )

    contact_name: str = Field(description="The business's contact person.")
    structure_name: str = Field(description="Name of the structure that acknowledged.")
    profile_url: WebUrl = Field(description="The structure's public profile page.")


class ContactAckReminderContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.CONTACT_ACK_REMINDER
    model_config = _example(
        {
            "structure_name": "Numérique & Co",
            "company_name": "Boulangerie Martin",
            "ack_deadline": "2026-04-07T10:00:00+02:00",
            "acknowledgement_url": "https://activateurs.francenum.gouv.fr/contact-requests/3f1c/acknowledgement?token=T1",
        }
    )

    structure_name: str = Field(description="Name of the structure that has not yet acknowledged.")
    company_name: str = Field(description="Name of the business waiting.")
    ack_deadline: AwareDatetime = Field(description="Acknowledgement deadline.")
    acknowledgement_url: WebUrl = Field(description="One-click acknowledgement link.")


class ContactOverdueActivatorContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.CONTACT_OVERDUE_ACTIVATOR
    model_config = _example(
        {
            "structure_name": "Numérique & Co",
            "company_name": "Boulangerie Martin",
            "received_at": "2026-04-02T10:00:00+02:00",
            "ack_deadline": "2026-04-07T10:00:00+02:00",
            "acknowledgement_url": "https://activateurs.francenum.gouv.fr/contact-requests/3f1c/acknowledgement?token=T1",
        }
    )

    structure_name: str = Field(description="Name of the structure that missed the deadline.")
    company_name: str = Field(description="Name of the business that wrote.")
    received_at: AwareDatetime = Field(description="When the request was received.")
    ack_deadline: AwareDatetime = Field(description="The deadline that was missed.")
    acknowledgement_url: WebUrl = Field(description="One-click acknowledgement link, still usable.")


class Alternative(Contract):
    """Another published activator offered to a business whose request went unanswered."""

    name: str = Field(description="Name of the structure.")
    city: str = Field(description="Its city.")
    profile_url: WebUrl = Field(description="Its public profile page.")


class ContactOverdueBusinessContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.CONTACT_OVERDUE_BUSINESS
    model_config = _example(
        {
            "contact_name": "Paul Martin",
            "structure_name": "Numérique & Co",
            "alternatives": [
                {
                    "name": "Web Atelier",
                    "city": "Montreuil",
                    "profile_url": "https://activateurs.francenum.gouv.fr/activateurs/web-atelier",
                },
                {
                    "name": "CCI Paris Île-de-France",
                    "city": "Paris",
                    "profile_url": "https://activateurs.francenum.gouv.fr/activateurs/cci-paris-ile-de-france",
                },
            ],
            "directory_url": "https://activateurs.francenum.gouv.fr/activateurs?postal_code=75011",
        }
    )

    contact_name: str = Field(description="The business's contact person.")
    structure_name: str = Field(description="Name of the structure that did not acknowledge in time.")
    alternatives: list[Alternative] = Field(
        default_factory=list, max_length=3, description="Up to three other activators near the business."
    )
    directory_url: WebUrl | None = Field(default=None, description="A directory search near the business, if any.")


class ContactRedirectedBusinessContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.CONTACT_REDIRECTED_BUSINESS
    model_config = _example(
        {
            "contact_name": "Paul Martin",
            "from_structure_name": "Numérique & Co",
            "to_structure_name": "Web Atelier",
            "to_profile_url": "https://activateurs.francenum.gouv.fr/activateurs/web-atelier",
            "note": "Web Atelier est spécialisé dans les boutiques en ligne des commerces de bouche.",
        }
    )

    contact_name: str = Field(description="The business's contact person.")
    from_structure_name: str = Field(description="Name of the structure that redirected the request.")
    to_structure_name: str = Field(description="Name of the structure now in charge.")
    to_profile_url: WebUrl = Field(description="Public profile page of the structure now in charge.")
    note: str | None = Field(default=None, description="The redirecting structure's note, if any.")


class ContactRedirectedActivatorContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.CONTACT_REDIRECTED_ACTIVATOR
    model_config = _example(
        {
            "structure_name": "Web Atelier",
            "from_structure_name": "Numérique & Co",
            "company_name": "Boulangerie Martin",
            "contact_name": "Paul Martin",
            "contact_email": "paul.martin@boulangerie-martin.fr",
            "phone": "06 12 34 56 78",
            "siret": "73282932000074",
            "postal_code": "75011",
            "domains": ["Site internet et e-commerce"],
            "message": "Bonjour, nous souhaitons vendre nos gâteaux en ligne. Pouvez-vous nous aider ?",
            "note": "Vous connaissez bien les commerces de bouche : cette demande vous correspond mieux.",
            "ack_deadline": "2026-04-09T14:00:00+02:00",
            "acknowledgement_url": "https://activateurs.francenum.gouv.fr/contact-requests/7a2e/acknowledgement?token=T2",
        }
    )

    structure_name: str = Field(description="Name of the structure now receiving the request.")
    from_structure_name: str = Field(description="Name of the structure that redirected it.")
    company_name: str = Field(description="Name of the business writing.")
    contact_name: str = Field(description="The business's contact person.")
    contact_email: str = Field(description="Address to answer the business at.")
    phone: str | None = Field(default=None, description="The business's phone number, if given.")
    siret: str | None = Field(default=None, description="The business's SIRET, if given.")
    postal_code: str = Field(description="The business's postal code.")
    domains: list[str] = Field(default_factory=list, description="Domains concerned, as French labels.")
    message: str = Field(description="The business's message, as written.")
    note: str | None = Field(default=None, description="The redirecting structure's note, if any.")
    ack_deadline: AwareDatetime = Field(description="The new acknowledgement deadline (a fresh 48 working hours).")
    acknowledgement_url: WebUrl = Field(description="One-click acknowledgement link.")


# --- Engagement, charter and sanctions ------------------------------------------------------


class EngagementReminderContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.ENGAGEMENT_REMINDER
    model_config = _example(
        {
            "first_name": "Claire",
            "structure_name": "Numérique & Co",
            "engagement_expires_at": "2028-04-07T10:00:00+02:00",
            "days_left": 30,
            "renewal_url": "https://activateurs.francenum.gouv.fr/espace/engagement",
        }
    )

    first_name: str = Field(description="First name of the referent.")
    structure_name: str = Field(description="Name of the structure.")
    engagement_expires_at: AwareDatetime = Field(description="End of the current engagement.")
    days_left: int = Field(ge=1, description="Days until the end (60, 30 or 7).")
    renewal_url: WebUrl = Field(description="Page where the referent renews the engagement.")


class EngagementLapsedContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.ENGAGEMENT_LAPSED
    model_config = _example({"first_name": "Claire", "structure_name": "Numérique & Co"})

    first_name: str = Field(description="First name of the referent or member.")
    structure_name: str = Field(description="Name of the structure whose engagement ended.")


class CharterToAcceptContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.CHARTER_TO_ACCEPT
    model_config = _example(
        {
            "first_name": "Claire",
            "charter_version": 2,
            "acceptance_deadline": "2026-09-30T23:59:00+02:00",
            "charter_url": "https://activateurs.francenum.gouv.fr/charte",
        }
    )

    first_name: str = Field(description="First name of the referent or member.")
    charter_version: int = Field(ge=1, description="The new charter version number.")
    acceptance_deadline: AwareDatetime = Field(description="Deadline set by the DGE to accept it.")
    charter_url: WebUrl = Field(description="Page showing the new version with its acceptance button.")


class StructureSuspendedContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.STRUCTURE_SUSPENDED
    model_config = _example(
        {
            "first_name": "Claire",
            "structure_name": "Numérique & Co",
            "reason": "Plusieurs entreprises nous ont signalé des démarches commerciales insistantes.",
        }
    )

    first_name: str = Field(description="First name of the referent or member.")
    structure_name: str = Field(description="Name of the suspended structure.")
    reason: str = Field(description="The reason given by the DGE.")


class StructureReinstatedContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.STRUCTURE_REINSTATED
    model_config = _example(
        {
            "first_name": "Claire",
            "structure_name": "Numérique & Co",
            "reason": "Les explications fournies ont été jugées satisfaisantes.",
        }
    )

    first_name: str = Field(description="First name of the referent or member.")
    structure_name: str = Field(description="Name of the reinstated structure.")
    reason: str = Field(description="Why the suspension was lifted.")


class StructureStruckOffContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.STRUCTURE_STRUCK_OFF
    model_config = _example(
        {
            "first_name": "Claire",
            "structure_name": "Numérique & Co",
            "reason": "Manquements répétés aux engagements de la charte (article 4).",
        }
    )

    first_name: str = Field(description="First name of the referent or member.")
    structure_name: str = Field(description="Name of the struck-off structure.")
    reason: str = Field(description="The reason given by the DGE.")


class WithdrawalConfirmedContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.WITHDRAWAL_CONFIRMED
    model_config = _example({"first_name": "Julien", "structure_name": "Numérique & Co", "scope": "member"})

    first_name: str = Field(description="First name of the person who withdrew.")
    structure_name: str = Field(description="Name of the structure concerned.")
    scope: Literal["member", "structure"] = Field(
        description="`member`: this person leaves the structure; `structure`: the whole structure leaves."
    )


class QuestionnaireContext(EmailContext):
    template: ClassVar[EmailTemplate] = EmailTemplate.QUESTIONNAIRE
    model_config = _example(
        {
            "first_name": "Julien",
            "year": 2026,
            "questionnaire_url": "https://questionnaire.francenum.gouv.fr/activateurs-2026",
        }
    )

    first_name: str = Field(description="First name of the member.")
    year: int = Field(ge=2022, description="Year of the satisfaction campaign.")
    questionnaire_url: WebUrl = Field(description="The questionnaire's address.")


# An explicit check rather than `assert`, so that `python -O` cannot skip it.
if set(EMAIL_CONTEXTS) != {t.value for t in EmailTemplate}:
    raise RuntimeError(
        "email templates without a context model: "
        f"{sorted({t.value for t in EmailTemplate} ^ set(EMAIL_CONTEXTS))}"
    )


def context_schemas() -> dict[str, dict[str, Any]]:
    """Each template's context as a self-contained JSON schema (published in the AsyncAPI document)."""
    return {key: _inline_refs(model.model_json_schema()) for key, model in sorted(EMAIL_CONTEXTS.items())}


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"$ref"} and node["$ref"].startswith("#/$defs/"):
                return resolve(definitions[node["$ref"].removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)
