"""A token issuer for tests: an RSA key, its JWKS served over HTTP on loopback, and signed tokens."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://issuer.test.activateurs"
AUDIENCE = "activateurs"


class TokenIssuer:
    def __init__(self) -> None:
        self.kid = uuid.uuid4().hex[:12]
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        self._jwks = json.dumps({"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}).encode()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.jwks_url = f"http://127.0.0.1:{self._server.server_address[1]}/.well-known/jwks.json"
        self.issuer = ISSUER
        self.audience = AUDIENCE

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        body = self._jwks

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def token(self, *roles: str, subject: str | None = None, ttl: int = 300, key: Any = None,
              **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": self.issuer, "aud": self.audience, "sub": subject or str(uuid.uuid4()),
                   "iat": now, "exp": now + ttl, "roles": list(roles), **claims}
        return jwt.encode(payload, key or self._key, algorithm="RS256", headers={"kid": self.kid})

    def headers(self, *roles: str, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*roles, **claims)}"}
