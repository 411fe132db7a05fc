"""The closed lists of CONTRACTS.md (codes shared by every service), with their French labels."""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A code from a closed list; `label` is the French wording shown to people."""

    @property
    def label(self) -> str:
        return _LABELS[type(self).__name__][self.value]


class StructureType(LabelledEnum):
    AGENCE_COMMUNICATION_MARKETING = "agence_communication_marketing"
    ENTREPRISE_SERVICES_NUMERIQUES = "entreprise_services_numeriques"
    INDEPENDANT = "independant"
    ORGANISME_FORMATION = "organisme_formation"
    CABINET_AVOCAT_EXPERTISE_COMPTABLE = "cabinet_avocat_expertise_comptable"
    EDITEUR_SOLUTION = "editeur_solution"
    CHAMBRE_CONSULAIRE = "chambre_consulaire"
    ASSOCIATION = "association"
    ORGANISME_PUBLIC = "organisme_public"


class Category(LabelledEnum):
    PRIVEE = "privee"
    PUBLIQUE = "publique"


class Domain(LabelledEnum):
    STRATEGIE_NUMERIQUE = "strategie_numerique"
    SITE_INTERNET_ECOMMERCE = "site_internet_ecommerce"
    RESEAUX_SOCIAUX_COMMUNICATION = "reseaux_sociaux_communication"
    GESTION_DONNEES = "gestion_donnees"
    GESTION_INTERNE = "gestion_interne"
    CYBERSECURITE = "cybersecurite"


class Service(LabelledEnum):
    CONSEIL = "conseil"
    ACCOMPAGNEMENT = "accompagnement"
    SOLUTIONS = "solutions"
    FORMATION = "formation"


class HeadcountBand(LabelledEnum):
    ZERO = "0"
    ONE_TWO = "1-2"
    THREE_FIVE = "3-5"
    SIX_NINE = "6-9"
    TEN_NINETEEN = "10-19"
    TWENTY_FORTYNINE = "20-49"
    FIFTY_NINETYNINE = "50-99"
    HUNDRED_199 = "100-199"
    TWOHUNDRED_249 = "200-249"
    TWOHUNDREDFIFTY_499 = "250-499"
    FIVEHUNDRED_999 = "500-999"
    THOUSAND_PLUS = "1000+"


class DocumentKind(LabelledEnum):
    EXTRAIT_IMMATRICULATION = "extrait_immatriculation"
    ATTESTATION_URSSAF = "attestation_urssaf"
    ATTESTATION_FISCALE = "attestation_fiscale"
    REFERENCE_CLIENT = "reference_client"
    JUSTIFICATIF_EXISTENCE = "justificatif_existence"
    PHOTO = "photo"
    AUTRE = "autre"


class ValidationStatus(LabelledEnum):
    TO_REVIEW = "to_review"
    AWAITING_APPLICANT = "awaiting_applicant"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    EXPIRED = "expired"


class StructureStatus(LabelledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    AWAITING_APPLICANT = "awaiting_applicant"
    ACCEPTED = "accepted"
    PUBLISHED = "published"
    REFUSED = "refused"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    STRUCK_OFF = "struck_off"


class ContactRequestStatus(LabelledEnum):
    FORWARDED = "forwarded"
    ACKNOWLEDGED = "acknowledged"
    OVERDUE = "overdue"
    REDIRECTED = "redirected"


class Role(StrEnum):
    ACTIVATOR = "activator"
    DGE_AGENT = "dge_agent"
    DGE_ADMIN = "dge_admin"
    DREETS_AGENT = "dreets_agent"


_LABELS: dict[str, dict[str, str]] = {
    "StructureType": {
        "agence_communication_marketing": "Agence de communication, marketing",
        "entreprise_services_numeriques": "Entreprise de services numériques",
        "independant": "Indépendant",
        "organisme_formation": "Organisme de formation",
        "cabinet_avocat_expertise_comptable": "Cabinet d'avocat, expertise-comptable",
        "editeur_solution": "Éditeur de solution",
        "chambre_consulaire": "Chambre consulaire (CCI, CMA)",
        "association": "Association",
        "organisme_public": "Organisme public",
    },
    "Category": {"privee": "Privée", "publique": "Publique"},
    "Domain": {
        "strategie_numerique": "Stratégie numérique",
        "site_internet_ecommerce": "Site internet et e-commerce",
        "reseaux_sociaux_communication": "Réseaux sociaux et communication en ligne",
        "gestion_donnees": "Gestion des données",
        "gestion_interne": "Numérisation de la gestion interne",
        "cybersecurite": "Cybersécurité",
    },
    "Service": {
        "conseil": "Conseil",
        "accompagnement": "Accompagnement à la mise en œuvre",
        "solutions": "Solutions",
        "formation": "Formation",
    },
    "HeadcountBand": {
        band: ("Aucun salarié" if band == "0" else f"{band} salariés")
        for band in ("0", "1-2", "3-5", "6-9", "10-19", "20-49", "50-99", "100-199",
                     "200-249", "250-499", "500-999", "1000+")
    },
    "DocumentKind": {
        "extrait_immatriculation": "Extrait d'immatriculation (Kbis, répertoire des métiers…)",
        "attestation_urssaf": "Attestation de vigilance URSSAF",
        "attestation_fiscale": "Attestation de régularité fiscale",
        "reference_client": "Référence client",
        "justificatif_existence": "Justificatif d'existence et d'activité (sans SIRET)",
        "photo": "Photo",
        "autre": "Autre document",
    },
    "ValidationStatus": {
        "to_review": "À instruire",
        "awaiting_applicant": "En attente du demandeur",
        "accepted": "Acceptée",
        "refused": "Refusée",
        "expired": "Expirée",
    },
    "StructureStatus": {
        "draft": "Brouillon",
        "submitted": "Soumise",
        "awaiting_applicant": "En attente de compléments",
        "accepted": "Acceptée",
        "published": "Publiée",
        "refused": "Refusée",
        "suspended": "Suspendue",
        "withdrawn": "Retirée",
        "cancelled": "Annulée",
        "struck_off": "Radiée",
    },
    "ContactRequestStatus": {
        "forwarded": "Transmise",
        "acknowledged": "Prise en compte",
        "overdue": "En retard",
        "redirected": "Réorientée",
    },
}
