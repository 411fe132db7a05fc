"""Other structures offered to a business whose request went unanswered: chosen in memory for a whole batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from activateurs.shared.contracts.emails import Alternative

from .links import Links

LIMIT = 3


class Alternatives:
    """Online structures of the same department offering one of the requested domains, first by name.

    Built from one read of the batch's candidates (adapters.deadlines.alternative_candidates, in the
    order offered), each answer computed once per (department, structure left out, domains).
    """

    PER_DOMAIN = LIMIT + 1  # candidates needed per (department, domain): the limit, and the one left out

    def __init__(self, candidates: Iterable[Mapping[str, Any]], links: Links) -> None:
        self._links = links
        self._by_department: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        seen: set[UUID] = set()
        for candidate in candidates:
            if candidate["structure_id"] not in seen:  # listed once per domain it offers
                seen.add(candidate["structure_id"])
                self._by_department[candidate["department"]].append(candidate)
        self._answers: dict[tuple[str, UUID, frozenset[str]], list[Alternative]] = {}

    def offered(self, department: str | None, exclude: UUID, domains: Sequence[str]) -> list[Alternative]:
        if not department:
            return []
        key = (department, exclude, frozenset(domains))
        if key not in self._answers:
            wanted = key[2]
            chosen: list[Alternative] = []
            for other in self._by_department.get(department, ()):
                if other["structure_id"] != exclude and not wanted.isdisjoint(other["domains"]):
                    chosen.append(Alternative(name=other["name"] or "", city=other["city"] or "",
                                              profile_url=self._links.profile_url(other["slug"],
                                                                                  other["profile_url"])))
                    if len(chosen) == LIMIT:
                        break
            self._answers[key] = chosen
        return self._answers[key]
