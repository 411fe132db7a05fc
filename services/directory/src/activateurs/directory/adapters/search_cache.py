"""Search pages and totals kept per process, valid while the search generation has not moved (exact)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Page:
    structure_ids: list[UUID]
    items_json: str  # the items, rendered and joined: `{…},{…}`
    total: int
    total_capped: bool  # more results than the count's cap: `total` is the cap

    @property
    def size(self) -> int:
        return len(self.items_json) + 64 * len(self.structure_ids) + 200


class PageCache:
    """Least recently used pages, within a byte budget.

    An entry carries the search generation it was read at; it is served only to a request that
    read the same generation, i.e. when no publication change committed since: the answer is the
    one the database would give. A budget of 0 disables the cache.
    """

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[Hashable, tuple[int, Page]] = OrderedDict()

    def get(self, key: Hashable, generation: int) -> Page | None:
        found = self._entries.get(key)
        if found is None or found[0] != generation:
            return None
        self._entries.move_to_end(key)
        return found[1]

    def put(self, key: Hashable, generation: int, page: Page) -> None:
        if page.size > self._max_bytes:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old[1].size
        self._entries[key] = (generation, page)
        self._bytes += page.size
        while self._bytes > self._max_bytes:
            _, (_, evicted) = self._entries.popitem(last=False)
            self._bytes -= evicted.size

    def __len__(self) -> int:
        return len(self._entries)
