"""Builds the static bundle: the DSFR's dist files and ours, under one content hash, each text file pre-compressed."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path

# What the pages use of @gouvfr/dsfr/dist, kept in its own layout: the CSS finds its fonts and
# icons by relative URLs (../fonts/…, ../../icons/…), which the bundle's folders keep valid.
DSFR_FILES = ("dsfr.min.css", "dsfr.module.min.js", "dsfr.nomodule.min.js", "utility/icons/icons.min.css")
DSFR_FOLDERS = ("fonts", "icons", "favicon", "artwork")
COMPRESSIBLE = {".css", ".js", ".svg", ".json", ".webmanifest", ".txt", ".ico"}
OWN_STATIC = Path(__file__).resolve().parent / "static"
MANIFEST = "manifest.json"


def build(node_modules: Path, out: Path, own: Path = OWN_STATIC) -> str:
    """Writes the bundle into `out` (replaced whole) and returns its hash, also in `out/manifest.json`."""
    dist = node_modules / "@gouvfr" / "dsfr" / "dist"
    if not dist.is_dir():
        raise SystemExit(f"{dist} is missing: run `npm ci` in services/web first (make web-assets does)")
    staging = out.with_name(out.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    for name in DSFR_FILES:
        target = staging / "dsfr" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dist / name, target)
    for folder in DSFR_FOLDERS:
        shutil.copytree(dist / folder, staging / "dsfr" / folder,
                        ignore=shutil.ignore_patterns("*.map", "*.md"))
    for path in own.iterdir():
        if path.is_file():
            shutil.copyfile(path, staging / path.name)
    files = sorted(p for p in staging.rglob("*") if p.is_file())
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(staging)).encode() + b"\0" + path.read_bytes())
    bundle = digest.hexdigest()[:16]
    for path in files:
        if path.suffix in COMPRESSIBLE:
            # mtime=0: the same input gives the same bytes, so rebuilding changes nothing.
            path.with_name(path.name + ".gz").write_bytes(gzip.compress(path.read_bytes(), 9, mtime=0))
    (staging / MANIFEST).write_text(json.dumps({"bundle": bundle, "files": len(files)}))
    (staging / ".built").touch()
    shutil.rmtree(out, ignore_errors=True)
    staging.rename(out)
    return bundle
