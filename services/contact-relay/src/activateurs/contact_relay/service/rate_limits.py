"""Anti-abuse limits of the public intake, per client address and per business email, shared by all replicas."""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from activateurs.shared.db import Database
from activateurs.shared.messaging.batching import GroupCommitter

from ..adapters import rate_limits as counters
from ..domain.rate_limits import Budget, Window

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refused:
    what: str  # "address" | "email address": the limit that refused
    retry_after: int  # whole seconds, ≥ 1


class RateLimits:
    """At most `per_address` requests per client address and `per_email` per business email in any `window`
    seconds (sliding, approximated: domain/rate_limits.py), counted in the database so N replicas share one
    budget. The address is checked first; a refused request uses up nothing: its hits are given back just
    after (a check meanwhile sees them, so it errs on the strict side, never lets more through).

    Concurrent checks share one statement (group commit): one round trip for both keys of a request, and
    for all the requests that arrive meanwhile. Windows follow the database's clock, so tests can move it.
    """

    def __init__(self, db: Database, secret: str, *, per_address: int, per_email: int, window: float,
                 max_batch: int = 100) -> None:
        self._db = db
        # A key of its own, derived from the service secret: these digests match no other HMAC of the same
        # values (recipient tags, acknowledgement tokens), and the table holds no address or email in clear.
        self._key = hmac.digest(secret.encode(), b"contact-relay:rate-limits", hashlib.sha256)
        self.per_address = per_address
        self.per_email = per_email
        self.window = window
        self._batches: GroupCommitter[tuple[bytes, bytes], Refused | None] = GroupCommitter(
            self._check_batch, max_batch=max_batch)

    def key(self, kind: str, value: str) -> bytes:
        return hmac.digest(self._key, f"{kind}:{value}".encode(), hashlib.sha256)

    async def check(self, address: str, email: str) -> Refused | None:
        """Count one request; None if allowed, else which limit refused it and when to retry."""
        return await self._batches.submit((self.key("address", address), self.key("email", email.strip().lower())))

    async def _check_batch(self, batch: Sequence[tuple[bytes, bytes]]) -> list[Refused | None]:
        window = Window.at(self._db.clock.now(), self.window)
        # Count every hit first, in one statement; then give back what was refused (rare: abuse).
        wanted = Counter(key for pair in batch for key in pair)
        found = await counters.bump(self._db, window.start, window.previous_start, wanted)
        budgets: dict[bytes, Budget] = {}
        for address, email in batch:
            for key, limit in ((address, self.per_address), (email, self.per_email)):
                if key not in budgets:
                    hits, previous = found[key]
                    budgets[key] = Budget(limit, previous, current=hits - wanted[key])
        results: list[Refused | None] = []
        used: Counter[bytes] = Counter()
        for address, email in batch:  # in arrival order, as if one at a time
            if wait := budgets[address].hit(window):
                results.append(Refused("address", wait))
                continue
            used[address] += 1  # an address that passed counts even if the email refuses, as one request
            if wait := budgets[email].hit(window):
                results.append(Refused("email address", wait))
                continue
            used[email] += 1
            results.append(None)
        unused = {key: wanted[key] - used[key] for key in wanted if wanted[key] > used[key]}
        if unused:
            try:
                await counters.refund(self._db, window.start, unused)
            except Exception:  # the answers stand: a refund lost only makes the budget stricter until the window ends
                log.warning("rate limits: could not give back %d refused hits", sum(unused.values()), exc_info=True)
        return results

    async def purge(self, batch: int = 10_000) -> int:
        """Forget the windows no check reads any more (before the previous one), in batches; returns how many."""
        before = Window.at(self._db.clock.now(), self.window).previous_start
        total = 0
        while (done := await counters.purge(self._db, before, batch)):
            total += done
            if done < batch:
                break
        return total
