"""Loads the geography data file built by scripts/build_geography.py (once per process)."""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources

from ..domain.geography import Geography


@functools.cache
def load_geography() -> Geography:
    raw = json.loads(gzip.decompress(resources.files("activateurs.directory").joinpath(
        "data/geography.json.gz").read_bytes()))
    return Geography(
        version=raw["version"], source=raw["source"], regions=dict(raw["regions"]),
        departments={code: (name, region) for code, (name, region) in raw["departments"].items()},
        postal_codes={code: tuple((name, dep) for name, dep in entries)
                      for code, entries in raw["postal_codes"].items()},
    )
