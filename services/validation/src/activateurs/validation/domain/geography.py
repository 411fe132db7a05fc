"""Postal code → department → region (INSEE codes), enough to route a case to its regional directorate."""

from __future__ import annotations

_REGIONS: dict[str, tuple[str, ...]] = {
    "01": ("971",), "02": ("972",), "03": ("973",), "04": ("974",), "06": ("976",),
    "11": ("75", "77", "78", "91", "92", "93", "94", "95"),
    "24": ("18", "28", "36", "37", "41", "45"),
    "27": ("21", "25", "39", "58", "70", "71", "89", "90"),
    "28": ("14", "27", "50", "61", "76"),
    "32": ("02", "59", "60", "62", "80"),
    "44": ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88"),
    "52": ("44", "49", "53", "72", "85"),
    "53": ("22", "29", "35", "56"),
    "75": ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"),
    "76": ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"),
    "84": ("01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"),
    "93": ("04", "05", "06", "13", "83", "84"),
    "94": ("2A", "2B"),
}
REGION_OF_DEPARTMENT = {department: region for region, departments in _REGIONS.items() for department in departments}


def department_of(postal_code: str) -> str:
    """'75011' → '75', '20090' → '2A', '20200' → '2B', '97110' → '971', '98714' → '987'."""
    code = postal_code.strip()
    if code.startswith(("97", "98")):
        return code[:3]
    if code.startswith("20"):
        # Corsica: Corse-du-Sud's postal codes are 200xx–201xx, Haute-Corse's 202xx–206xx.
        return "2A" if code < "20200" else "2B"
    return code[:2]


def region_of(department: str) -> str:
    """The INSEE region code; overseas collectivities (975, 977, 978, 98x) stand as their own region."""
    return REGION_OF_DEPARTMENT.get(department, department)


_TIMEZONES = {
    "971": "America/Guadeloupe", "972": "America/Martinique", "973": "America/Cayenne", "974": "Indian/Reunion",
    "975": "America/Miquelon", "976": "Indian/Mayotte", "977": "America/St_Barthelemy", "978": "America/Marigot",
    "986": "Pacific/Wallis", "987": "Pacific/Tahiti", "988": "Pacific/Noumea",
}


def timezone_of(department: str) -> str:
    return _TIMEZONES.get(department, "Europe/Paris")
