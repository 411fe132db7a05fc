"""Postal code → communes → department → region, from the official COG data (pure lookups)."""

from __future__ import annotations

import re
from dataclasses import dataclass

POSTAL_CODE = re.compile(r"^\d{5}$")
DEPARTMENT_CODE = re.compile(r"^(\d{2}|2[AB]|\d{3})$")
REGION_CODE = re.compile(r"^\d{2,3}$")


@dataclass(frozen=True)
class Place:
    postal_code: str
    communes: tuple[str, ...]
    department: str
    region: str


@dataclass(frozen=True)
class Geography:
    version: str
    source: str
    regions: dict[str, str]                      # code -> name
    departments: dict[str, tuple[str, str]]      # code -> (name, region code)
    postal_codes: dict[str, tuple[tuple[str, str], ...]]  # postal code -> ((commune, department), ...)

    def place(self, postal_code: str) -> Place | None:
        """Where a postal code is; a code shared by two departments resolves to its first commune's."""
        entries = self.postal_codes.get(postal_code)
        if not entries:
            return None
        department = entries[0][1]
        return Place(postal_code, tuple(name for name, dep in entries if dep == department), department,
                     self.departments[department][1])

    def region_of(self, department: str) -> str | None:
        found = self.departments.get(department)
        return found[1] if found else None

    def departments_of(self, region: str) -> list[str]:
        return [code for code, (_, reg) in self.departments.items() if reg == region]

    def department_name(self, code: str) -> str | None:
        found = self.departments.get(code)
        return found[0] if found else None

    def region_name(self, code: str) -> str | None:
        return self.regions.get(code)
