"""Builds the directory's compact geography file from the official COG data on the npm registry.

Source: the npm package `@etalab/decoupage-administratif` (data: Code Officiel Géographique of
INSEE and the La Poste postal codes, Licence Ouverte / Etalab). Usage, from the repository root:

    .venv/bin/python services/directory/scripts/build_geography.py [--version 6.0.0] [--tarball FILE]

It downloads the package tarball from the registry (or reads `--tarball`), then writes
`src/activateurs/directory/data/geography.json.gz`:

    {"source": ..., "version": ..., "sha512": ..., "regions": {code: name},
     "departments": {code: [name, region code]},
     "postal_codes": {postal code: [[commune name, department code], ...]}}

Current communes, plus Paris/Lyon/Marseille municipal districts; delegated and associated
communes only add postal codes no current commune carries. Overseas departments (971-976) and
overseas collectivities (975, 977, 978, 984, 986-989) are included, Corsica as 2A/2B.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import tarfile
import urllib.request
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif"
REGISTRY = "https://registry.npmjs.org"
OUTPUT = Path(__file__).resolve().parents[1] / "src" / "activateurs" / "directory" / "data" / "geography.json.gz"


def fetch_tarball(version: str | None) -> tuple[bytes, str, str]:
    """The package tarball, its version and its registry integrity string."""
    with urllib.request.urlopen(f"{REGISTRY}/{PACKAGE.replace('/', '%2F')}", timeout=60) as response:
        meta = json.load(response)
    version = version or meta["dist-tags"]["latest"]
    dist = meta["versions"][version]["dist"]
    with urllib.request.urlopen(dist["tarball"], timeout=120) as response:
        return response.read(), version, dist.get("integrity", "")


def read_member(archive: tarfile.TarFile, name: str) -> object:
    member = archive.extractfile(f"package/data/{name}")
    assert member is not None, name
    return json.load(member)


def build(tarball: bytes, version: str, integrity: str) -> dict[str, object]:
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        package_json = json.load(archive.extractfile("package/package.json"))  # type: ignore[arg-type]
        communes = read_member(archive, "communes.json")
        departments = read_member(archive, "departements.json")
        regions = read_member(archive, "regions.json")
    assert package_json["version"] == version or not version, "tarball/version mismatch"
    postal: dict[str, list[list[str]]] = {}

    def add(code: str, name: str, department: str) -> None:
        entries = postal.setdefault(code, [])
        if [name, department] not in entries:
            entries.append([name, department])

    for commune in communes:  # type: ignore[union-attr]
        if commune["type"] in ("commune-actuelle", "arrondissement-municipal"):
            for code in commune.get("codesPostaux", []):
                add(code, commune["nom"], commune["departement"])
    for commune in communes:  # type: ignore[union-attr]
        if commune["type"] in ("commune-deleguee", "commune-associee"):
            for code in commune.get("codesPostaux", []):
                if code not in postal and commune.get("departement"):
                    add(code, commune["nom"], commune["departement"])
    return {
        "source": f"npm {PACKAGE}@{package_json['version']} (COG INSEE + La Poste postal codes, Licence Ouverte)",
        "version": package_json["version"],
        "integrity": integrity,
        "regions": {region["code"]: region["nom"] for region in regions},  # type: ignore[union-attr]
        "departments": {dep["code"]: [dep["nom"], dep["region"]] for dep in departments},  # type: ignore[union-attr]
        "postal_codes": dict(sorted(postal.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", help="package version (default: the registry's latest)")
    parser.add_argument("--tarball", type=Path, help="a tarball already fetched (e.g. by `npm pack`)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    if args.tarball:
        tarball, version, integrity = args.tarball.read_bytes(), args.version or "", ""
    else:
        tarball, version, integrity = fetch_tarball(args.version)
    data = build(tarball, version, integrity)
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    # mtime=0: the same data gives the same bytes, so a rebuild without change is no diff.
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(args.output, "wb", mtime=0) as out:
        out.write(payload)
    print(f"{args.output}: version {data['version']}, {len(data['postal_codes'])} postal codes, "
          f"{len(data['departments'])} departments, {len(data['regions'])} regions")


if __name__ == "__main__":
    main()
