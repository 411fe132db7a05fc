"""The directory's public API: search, profiles, places, open data, member photos' origin aside."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .base import ApiClient, segment


@dataclass(frozen=True)
class Places:
    """Regions and departments as (code, official name), in the directory's order: hashable, so the select
    options built from them are built once."""

    regions: tuple[tuple[str, str], ...]
    departments: tuple[tuple[str, str], ...]

    @classmethod
    def read(cls, answer: Mapping[str, Any]) -> Places:
        def pairs(kind: str) -> tuple[tuple[str, str], ...]:
            return tuple((item["code"], item["name"]) for item in answer[kind])
        return cls(regions=pairs("regions"), departments=pairs("departments"))


class DirectoryClient:
    def __init__(self, api: ApiClient, places_cache_seconds: float) -> None:
        self.api = api
        self._places: tuple[float, Places] | None = None
        self._places_ttl = places_cache_seconds

    async def search(self, criteria: Mapping[str, str | Sequence[str]]) -> dict[str, Any]:
        return await self.api.get_json("/api/v1/activators", params=[
            (key, item) for key, value in criteria.items()
            for item in ([value] if isinstance(value, str) else value)])

    async def profile(self, slug: str) -> dict[str, Any]:
        return await self.api.get_json(f"/api/v1/activators/{segment(slug)}")

    async def places(self) -> Places:
        """Regions and departments with their names (the official COG), kept for a while."""
        now = time.monotonic()
        if self._places is None or now - self._places[0] > self._places_ttl:
            self._places = (now, Places.read(await self.api.get_json("/api/v1/places")))
        return self._places[1]

    async def my_statistics(self, headers: dict[str, str], start: str | None, end: str | None) -> dict[str, Any]:
        """The signed-in activator's structure's figures, by day and by month (`from`/`to`: ISO days, inclusive)."""
        params = {key: value for key, value in (("from", start), ("to", end)) if value}
        return await self.api.get_json("/api/v1/me/statistics", params=params, headers=headers)
