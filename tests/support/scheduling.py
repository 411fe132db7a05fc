"""How `make test` shares the tests between its pytest-xdist workers: by group, the longest groups first.

A group runs whole on one worker, so the expensive fixtures it shares start once per run:
- tests/web: the session-scoped `site` (the five services, the web, two published structures: ~40-60 s), shared by
  the public site's and the extranet's tests, and by the back-office's (their own group, so a site of their own
  when another worker takes them);
- tests/faults: the session-scoped private RabbitMQ node and PostgreSQL cluster (initdb, boot: ~30 s);
- any other module: its module-scoped fixtures (a platform, a fuzzed service, a browser).
xdist's own `--dist loadgroup` reads `xdist_group` marks through the node id attribute pytest 9 no longer
has (`_nodeid`), so it would split modules; this scheduler groups by path instead, which needs no marks
(new test modules under tests/web join the site's group by where they are).
"""

from __future__ import annotations

import pytest
from xdist.scheduler import LoadScopeScheduling

# Longest first. The back-office's browser tests are a group of their own (a second site, started by the worker that
# takes them): together with the rest of tests/web they were the one group the other worker waited for at the end.
SHARED_BY_PREFIX = ("tests/web/test_web_admin", "tests/web/", "tests/faults/")
LONGEST_FIRST = ("tests/web/", "tests/web/test_web_admin", "tests/faults/")  # handed out first, so that no worker is
# left alone with one at the end


def group_of(nodeid: str) -> str:
    for prefix in SHARED_BY_PREFIX:
        if nodeid.startswith(prefix):
            return prefix
    return nodeid.split("::", 1)[0]


def rank_of(nodeid: str) -> int:
    group = group_of(nodeid)
    return LONGEST_FIRST.index(group) if group in LONGEST_FIRST else len(LONGEST_FIRST)


class GroupScheduling(LoadScopeScheduling):
    """LoadScopeScheduling whose scope is `group_of(nodeid)`, in the workers' collection order."""

    def _split_scope(self, nodeid: str) -> str:
        return group_of(nodeid)


def order_for_workers(items: list[pytest.Item]) -> None:
    """The workers' collection order is the order groups are handed out: the longest first (stable sort)."""
    items.sort(key=lambda item: rank_of(item.nodeid))
