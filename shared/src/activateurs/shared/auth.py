"""Bearer-token verification against the issuer's JWKS (registration, or any OIDC issuer), and role checks."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import httpx
import jwt
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .contracts.vocabulary import Role

ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "EdDSA")


class InvalidToken(Exception):
    """The token is missing, malformed, expired, or not signed by a known key of the issuer."""


@dataclass(frozen=True)
class Principal:
    """Who calls: claims `sub`, `roles`, and `structure_id` (activators) or `region` (DREETS agents)."""

    subject: str
    roles: frozenset[Role]
    structure_id: UUID | None = None
    region: str | None = None

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        raw_roles = claims.get("roles", [])
        if isinstance(raw_roles, str):
            raw_roles = raw_roles.split()
        roles = frozenset(Role(r) for r in raw_roles if r in Role._value2member_map_)
        structure_id = claims.get("structure_id")
        try:
            return cls(
                subject=str(claims["sub"]),
                roles=roles,
                structure_id=UUID(str(structure_id)) if structure_id else None,
                region=claims.get("region"),
            )
        except (KeyError, ValueError) as error:
            raise InvalidToken(f"malformed claims: {type(error).__name__}") from error

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


class JwksVerifier:
    """Verifies tokens offline with the issuer's public keys, fetched from its JWKS and cached.

    An unknown `kid` triggers one refresh (key rotation), at most every `min_refresh` seconds so a
    flood of forged tokens cannot turn into a flood of JWKS requests.
    """

    def __init__(self, jwks_url: str, *, issuer: str, audience: str, cache_seconds: float = 300.0,
                 min_refresh: float = 10.0, leeway: float = 30.0) -> None:
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._audience = audience
        self._cache_seconds = cache_seconds
        self._min_refresh = min_refresh
        self._leeway = leeway
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise InvalidToken("malformed token") from error
        key = await self._key_for(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=[key.algorithm_name] if key.algorithm_name in ALGORITHMS else list(ALGORITHMS),
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        return Principal.from_claims(claims)

    async def _key_for(self, kid: str | None) -> jwt.PyJWK:
        now = time.monotonic()
        stale = now - self._fetched_at > self._cache_seconds
        unknown = kid not in self._keys and now - self._fetched_at > self._min_refresh
        if stale or unknown:
            async with self._lock:
                if time.monotonic() - self._fetched_at > self._min_refresh or not self._keys:
                    await self._refresh()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        if kid not in self._keys:
            raise InvalidToken("token signed by an unknown key")
        return self._keys[kid]

    async def _refresh(self) -> None:
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.get(self._jwks_url)
                response.raise_for_status()
            key_set = jwt.PyJWKSet.from_dict(response.json())
        except (httpx.HTTPError, jwt.PyJWTError, ValueError) as error:
            if not self._keys:
                raise InvalidToken("the token issuer's keys are unavailable") from error
            return  # keep serving with the keys we have
        self._keys = {key.key_id or "": key for key in key_set.keys}
        self._fetched_at = time.monotonic()


_bearer = HTTPBearer(auto_error=False)


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "authentication required",
                            headers={"WWW-Authenticate": "Bearer"})
    verifier: JwksVerifier = request.app.state.verifier
    try:
        return await verifier.verify(credentials.credentials)
    except InvalidToken as error:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid token: {error}",
                            headers={"WWW-Authenticate": "Bearer"}) from error


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Any:
    """A dependency answering 403 unless the caller holds one of `roles`."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(*roles):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this action needs one of the roles: "
                                + ", ".join(r.value for r in roles))
        return principal

    return Depends(check)


DGE_ROLES = (Role.DGE_AGENT, Role.DGE_ADMIN)
DgePrincipal = Annotated[Principal, require_roles(*DGE_ROLES)]


def region_scope(principal: Principal, asked: str | None = None) -> str | None:
    """The regions a reader sees: for the DGE the region it `asked` for (None: every region); for a DREETS agent its
    own, which its token must carry (403 otherwise: a regional agent without a region sees nothing rather than
    everything). A DREETS agent asking for another region is refused (403), not shown an empty answer."""
    if principal.has_any(*DGE_ROLES):
        return asked
    if not principal.region:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a regional agent's token must name its region")
    if asked is not None and asked != principal.region:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"a regional agent reads its own region only ({principal.region}), not region {asked}")
    return principal.region
