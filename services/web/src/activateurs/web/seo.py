"""What search engines read: a profile's description and its schema.org Organization."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from .rendering import label


def profile_description(profile: dict[str, Any]) -> str:
    """One sentence of at most ~160 characters: who, what kind, where, about what."""
    domains = ", ".join(label(code, "domain").lower() for code in profile.get("domains", [])[:3])
    text = (f"{profile['name']}, {label(profile['structure_type'], 'structure_type').lower()} à "
            f"{profile['city']} ({profile['postal_code']}), activateur France Num : {domains}.")
    return text if len(text) <= 160 else text[:157].rstrip() + "…"


def organization_json_ld(profile: dict[str, Any], url: str) -> Markup:
    """schema.org JSON-LD; `</` escaped so no text of the profile can end the script block."""
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Organization", "name": profile["name"], "url": url,
        "description": profile.get("description") or "",
        "address": {"@type": "PostalAddress", "postalCode": profile["postal_code"],
                    "addressLocality": profile["city"], "addressCountry": "FR"},
        "knowsAbout": [label(code, "domain") for code in profile.get("domains", [])],
    }
    if profile.get("website"):
        data["sameAs"] = [profile["website"], *profile.get("social_links", [])]
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "<\\!--")
    return Markup(text)  # noqa: S704  # JSON with the only sequences that could close the block escaped
