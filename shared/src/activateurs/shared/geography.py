"""Department, region and time zone from a French postal code (mainland, Corsica 2A/2B, overseas)."""

from __future__ import annotations

import re

# INSEE region code of each department (metropolitan regions since 2016, then overseas).
_REGIONS: dict[str, tuple[str, ...]] = {
    "84": ("01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"),  # Auvergne-Rhône-Alpes
    "27": ("21", "25", "39", "58", "70", "71", "89", "90"),  # Bourgogne-Franche-Comté
    "53": ("22", "29", "35", "56"),  # Bretagne
    "24": ("18", "28", "36", "37", "41", "45"),  # Centre-Val de Loire
    "94": ("2A", "2B"),  # Corse
    "44": ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88"),  # Grand Est
    "32": ("02", "59", "60", "62", "80"),  # Hauts-de-France
    "11": ("75", "77", "78", "91", "92", "93", "94", "95"),  # Île-de-France
    "28": ("14", "27", "50", "61", "76"),  # Normandie
    "75": ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"),  # Nouvelle-Aquitaine
    "76": ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"),  # Occitanie
    "52": ("44", "49", "53", "72", "85"),  # Pays de la Loire
    "93": ("04", "05", "06", "13", "83", "84"),  # Provence-Alpes-Côte d'Azur
    "01": ("971",), "02": ("972",), "03": ("973",), "04": ("974",), "06": ("976",),
    # Overseas collectivities without an INSEE region: their own code stands for the region.
    "975": ("975",), "977": ("977",), "978": ("978",), "986": ("986",), "987": ("987",), "988": ("988",),
}
REGION_OF_DEPARTMENT: dict[str, str] = {dep: region for region, deps in _REGIONS.items() for dep in deps}
DEPARTMENTS: frozenset[str] = frozenset(REGION_OF_DEPARTMENT)

_POSTAL_CODE = re.compile(r"^\d{5}$")


def department_of(postal_code: str) -> str | None:
    """The department of a postal code, or None when no department uses it.

    A derivation, not the La Poste database: a few CEDEX and border codes may map to a
    neighbour; Corsica splits at 20200 (2A below, 2B from there), overseas use three digits.
    """
    if not _POSTAL_CODE.match(postal_code):
        return None
    if postal_code.startswith("20"):
        return "2A" if int(postal_code[2:]) < 200 else "2B"
    if postal_code.startswith(("97", "98")):
        code = postal_code[:3]
        return code if code in DEPARTMENTS else None
    code = postal_code[:2]
    return code if code in DEPARTMENTS else None


def region_of(department: str) -> str | None:
    """The INSEE region code; overseas collectivities (975, 977, 978, 98x) stand as their own region."""
    return REGION_OF_DEPARTMENT.get(department)


_TIMEZONES = {
    "971": "America/Guadeloupe", "972": "America/Martinique", "973": "America/Cayenne", "974": "Indian/Reunion",
    "975": "America/Miquelon", "976": "Indian/Mayotte", "977": "America/St_Barthelemy", "978": "America/Marigot",
    "986": "Pacific/Wallis", "987": "Pacific/Tahiti", "988": "Pacific/Noumea",
}


def timezone_of(department: str) -> str:
    """The IANA time zone a department's working hours are counted in."""
    return _TIMEZONES.get(department, "Europe/Paris")
