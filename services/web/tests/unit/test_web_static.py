"""The static bundle: one hash for all of it, immutable caching, gzip when accepted, nothing outside it served."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from activateurs.web.static_build import build
from activateurs.web.static_files import IMMUTABLE, StaticBundle


def fake_dsfr(root: Path, css: str = "body{}") -> Path:
    """A node_modules with the files the build copies (the real package is 88 MB)."""
    dist = root / "node_modules" / "@gouvfr" / "dsfr" / "dist"
    for name in ("dsfr.min.css", "dsfr.module.min.js", "dsfr.nomodule.min.js", "utility/icons/icons.min.css"):
        (dist / name).parent.mkdir(parents=True, exist_ok=True)
        (dist / name).write_text(css if name.endswith(".css") else "export{}")
    for folder in ("fonts", "icons", "favicon", "artwork"):
        (dist / folder).mkdir(parents=True, exist_ok=True)
        (dist / folder / "a.svg").write_text("<svg/>" * 50)
    (dist / "fonts" / "a.woff2.map").write_text("{}")
    return root / "node_modules"


def test_the_hash_follows_the_content(tmp_path: Path) -> None:
    modules = fake_dsfr(tmp_path)
    first = build(modules, tmp_path / "out")
    assert build(modules, tmp_path / "out") == first, "the same files give the same bundle"
    (modules / "@gouvfr/dsfr/dist/dsfr.min.css").write_text("body{color:red}")
    assert build(modules, tmp_path / "out") != first
    assert not (tmp_path / "out" / "dsfr" / "fonts" / "a.woff2.map").exists(), "source maps are not shipped"


def test_files_are_immutable_gzipped_and_confined(tmp_path: Path) -> None:
    build(fake_dsfr(tmp_path), tmp_path / "out")
    bundle = StaticBundle(tmp_path / "out")
    app = FastAPI()
    app.include_router(bundle.router())
    client = TestClient(app)
    plain = client.get(bundle.url("dsfr/dsfr.min.css"), headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and plain.headers["cache-control"] == IMMUTABLE
    assert "content-encoding" not in plain.headers and plain.headers["content-type"].startswith("text/css")
    packed = client.get(bundle.url("dsfr/icons/a.svg"), headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["content-encoding"] == "gzip" and packed.text == "<svg/>" * 50
    assert client.get(bundle.url("app.css")).status_code == 200
    for path in ("/static/0000000000000000/app.css", bundle.url("manifest.json"), bundle.url("app.css.gz"),
                 bundle.url("../../etc/passwd"), bundle.url("dsfr/nothing.css")):
        assert client.get(path).status_code == 404, path
