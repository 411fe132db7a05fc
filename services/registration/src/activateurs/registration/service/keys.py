"""The token issuer's key ring: signing keys (first signs, all verify), their JWKS, and signing/verifying."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy.dialects.postgresql import insert

from activateurs.shared.auth import InvalidToken
from activateurs.shared.db import Database

from ..adapters.tables import signing_keys

_PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.+?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL)
GENERATED_KEY_NAME = "generated-1"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    private_key: Any
    public_jwk: dict[str, Any]


def load_key(pem: str) -> SigningKey:
    private_key = serialization.load_pem_private_key(pem.encode(), password=None)
    if isinstance(private_key, rsa.RSAPrivateKey):
        if private_key.key_size < 2048:
            raise ValueError("RSA signing keys need at least 2048 bits")
        algorithm, jwk = "RS256", json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
        thumb = {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}
    elif isinstance(private_key, ec.EllipticCurvePrivateKey) and isinstance(private_key.curve, ec.SECP256R1):
        algorithm, jwk = "ES256", json.loads(jwt.algorithms.ECAlgorithm.to_jwk(private_key.public_key()))
        thumb = {"crv": jwk["crv"], "kty": "EC", "x": jwk["x"], "y": jwk["y"]}
    else:
        raise ValueError("signing keys must be RSA (RS256) or EC P-256 (ES256)")
    # RFC 7638 thumbprint: the same key gets the same `kid` on every replica.
    digest = hashlib.sha256(json.dumps(thumb, separators=(",", ":"), sort_keys=True).encode()).digest()
    kid = base64.urlsafe_b64encode(digest).decode().rstrip("=")[:16]
    return SigningKey(kid, algorithm, private_key, {**jwk, "kid": kid, "use": "sig", "alg": algorithm})


def parse_pem_keys(text: str) -> list[SigningKey]:
    blocks = _PEM_BLOCK.findall(text.replace("\\n", "\n"))
    if text.strip() and not blocks:
        raise ValueError("REGISTRATION_SIGNING_KEYS holds no PEM private key")
    return [load_key(block) for block in blocks]


def generate_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


class KeyRing:
    """Configured keys, or (development/test) one generated at first start and shared through the database."""

    def __init__(self, db: Database, configured_pem: str, *, issuer: str, audience: str) -> None:
        self._db = db
        self._keys = parse_pem_keys(configured_pem)  # fails fast on a bad configuration
        self._issuer = issuer
        self._audience = audience
        self._lock = asyncio.Lock()

    async def load(self) -> list[SigningKey]:
        if self._keys:
            return self._keys
        async with self._lock:
            if not self._keys:
                async with self._db.uow() as uow:
                    # Replicas racing at first start: one insert wins, everyone reads the winner.
                    await uow.session.execute(insert(signing_keys).values(
                        name=GENERATED_KEY_NAME, private_pem=generate_pem(), created_at=self._db.clock.now(),
                    ).on_conflict_do_nothing())
                    pems = (await uow.session.execute(
                        sa.select(signing_keys.c.private_pem).order_by(signing_keys.c.created_at.desc()))).scalars()
                    self._keys = [load_key(pem) for pem in pems]
                    await uow.commit()
        return self._keys

    async def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk for key in await self.load()]}

    async def sign(self, claims: dict[str, Any], now: datetime, ttl_seconds: int, *,
                   audience: str | None = None) -> str:
        key = (await self.load())[0]
        issued = int(now.timestamp())
        payload = {"iss": self._issuer, "aud": audience or self._audience, "iat": issued,
                   "exp": issued + ttl_seconds, **claims}
        return jwt.encode(payload, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid})

    async def decode(self, token: str, now: datetime, *, audience: str | None = None) -> dict[str, Any]:
        """Claims of a token signed by one of our keys, for `audience`, not expired at `now`."""
        keys = {key.kid: key for key in await self.load()}
        try:
            key = keys.get(jwt.get_unverified_header(token).get("kid"))
            if key is None:
                raise InvalidToken("token signed by an unknown key")
            claims = jwt.decode(token, key.private_key.public_key(), algorithms=[key.algorithm],
                                audience=audience or self._audience, issuer=self._issuer,
                                options={"require": ["exp", "iat", "sub", "iss", "aud"], "verify_exp": False,
                                         "verify_iat": False, "verify_nbf": False})
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        # The injectable clock decides, not the wall clock (tests move time).
        if claims["exp"] <= now.timestamp() or claims["iat"] > now.timestamp() + 30:
            raise InvalidToken("token expired")
        return claims

