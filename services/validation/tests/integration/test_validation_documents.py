"""A submitted document, fetched from registration's store with the caller's token, exactly as submitted."""

from __future__ import annotations

import hashlib
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from activateurs.validation.adapters.documents import DocumentUnavailable, fetch_document
from tests.support.smtp import free_port
from tests.support.waiting import eventually

from ..conftest import submitted

KBIS = b"%PDF-1.7 extrait Kbis"


@pytest.fixture
def store():
    """A stand-in for registration's document store: serves files by id to a bearer token."""
    files: dict[str, bytes] = {}
    seen_tokens: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            seen_tokens.append(self.headers.get("Authorization", ""))
            body = files.get(self.path.rsplit("/", 1)[-1])
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/pdf")
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/v1/dossier/documents/{{document_id}}", files, seen_tokens
    server.shutdown()
    server.server_close()


async def test_documents_are_served_as_submitted(start_validation, amqp, issuer, store):
    url, files, seen_tokens = store
    validation = await start_validation(document_url=url)
    kbis = {"id": str(uuid.uuid4()), "kind": "extrait_immatriculation", "sha256": hashlib.sha256(KBIS).hexdigest()}
    altered = {"id": str(uuid.uuid4()), "kind": "attestation_urssaf", "sha256": hashlib.sha256(b"original").hexdigest()}
    lost = {"id": str(uuid.uuid4()), "kind": "attestation_fiscale", "sha256": "0" * 64}
    files.update({kbis["id"]: KBIS, altered["id"]: b"tampered"})
    event = submitted(documents=[kbis, altered, lost])
    await amqp.publish_event(event)
    dge = issuer.headers("dge_agent")
    base = f"/api/v1/dossiers/{event.data.dossier_id}/documents"

    async def stored():
        return (await validation.http.get(f"/api/v1/dossiers/{event.data.dossier_id}", headers=dge)).status_code == 200

    await eventually(stored, what="the case")
    got = await validation.http.get(f"{base}/{kbis['id']}", headers=dge)
    assert got.status_code == 200 and got.content == KBIS
    assert got.headers["content-type"] == "application/pdf" and got.headers["x-content-type-options"] == "nosniff"
    assert seen_tokens == [dge["Authorization"]]  # the store checks the caller's rights too

    mismatch = await validation.http.get(f"{base}/{altered['id']}", headers=dge)
    assert mismatch.status_code == 502 and "SHA-256" in mismatch.json()["detail"]
    assert (await validation.http.get(f"{base}/{lost['id']}", headers=dge)).status_code == 404
    assert (await validation.http.get(f"{base}/{uuid.uuid4()}", headers=dge)).status_code == 404  # not this dossier
    other_region = issuer.headers("dreets_agent", region="84")
    assert (await validation.http.get(f"{base}/{kbis['id']}", headers=other_region)).status_code == 404
    assert (await validation.http.get(f"{base}/{kbis['id']}",
                                      headers=issuer.headers("activator"))).status_code == 403

    with pytest.raises(DocumentUnavailable, match="unreachable"):
        await fetch_document(f"http://127.0.0.1:{free_port()}/{{document_id}}", uuid.uuid4(), kbis["sha256"],
                             authorization=dge["Authorization"], timeout=2.0)
