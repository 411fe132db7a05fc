"""The optional website fetch (off by default): a legal-notice link found or not, bounded in time, never a failure."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from activateurs.validation.adapters.website import website_probe
from tests.support.smtp import free_port

PAGES = {
    "/with": b'<html><a href="/mentions-legales">Mentions l\xc3\xa9gales</a></html>',
    "/without": b"<html><p>Bienvenue</p></html>",
}


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/with")
            self.end_headers()
            return
        body = PAGES.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_the_website_hint(site):
    probe = website_probe(timeout=2.0, allow_private=True)  # the test site is on loopback
    assert (await probe(f"{site}/with")).legal_notice_found
    without = await probe(f"{site}/without")
    assert not without.legal_notice_found and "no legal-notice" in without.detail
    assert "404" in (await probe(f"{site}/missing")).detail
    down = await probe(f"http://127.0.0.1:{free_port()}/")
    assert not down.legal_notice_found and "not reachable" in down.detail
    assert "not fetched" in (await probe("ftp://example.fr")).detail
    redirect = await probe(f"{site}/redirect")
    assert redirect.legal_notice_found  # followed, hop by hop
    # By default an address on our own network is never fetched (an applicant's URL must not probe it).
    guarded = await website_probe(timeout=2.0)(f"{site}/with")
    assert not guarded.legal_notice_found and "not a public" in guarded.detail
