"""The DREETS region scope: the DGE sees every region or the one it asks for; a DREETS agent its own only."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from activateurs.shared.auth import Principal, region_scope
from activateurs.shared.contracts.vocabulary import Role


def reader(*roles: Role, region: str | None = None) -> Principal:
    return Principal(subject="s", roles=frozenset(roles), region=region)


def test_the_dge_sees_every_region_or_the_one_it_asks_for():
    for role in (Role.DGE_AGENT, Role.DGE_ADMIN):
        assert region_scope(reader(role)) is None
        assert region_scope(reader(role), "84") == "84"


def test_a_dreets_agent_sees_its_own_region_asked_or_not_and_is_refused_another():
    dreets = reader(Role.DREETS_AGENT, region="11")
    assert region_scope(dreets) == "11" and region_scope(dreets, "11") == "11"
    with pytest.raises(HTTPException) as refused:
        region_scope(dreets, "84")
    assert refused.value.status_code == 403 and "own region only (11)" in refused.value.detail
    with pytest.raises(HTTPException) as no_region:
        region_scope(reader(Role.DREETS_AGENT))
    assert no_region.value.status_code == 403
