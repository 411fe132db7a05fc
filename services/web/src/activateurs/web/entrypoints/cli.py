"""`activateurs-web serve | build-static`."""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from activateurs.shared.logging import configure_logging

from ..app import create_app
from ..config import WebSettings
from ..static_build import build

NODE_MODULES = Path(__file__).resolve().parents[4] / "node_modules"


def main() -> None:
    parser = argparse.ArgumentParser(prog="activateurs-web")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="serve the pages (the five APIs need not be up: pages say 503 until they are)")
    static = commands.add_parser("build-static", help="build the static bundle from node_modules (DSFR) and ours")
    static.add_argument("--node-modules", type=Path, default=NODE_MODULES)
    args = parser.parse_args()
    settings = WebSettings()
    configure_logging("web", settings.log_level)
    if args.command == "build-static":
        print(f"static bundle {build(args.node_modules, settings.static_dir)} in {settings.static_dir}")
        return
    # No access log: query strings carry one-click tokens and searches; counts and latencies are in /metrics.
    uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, log_config=None,
                access_log=False, proxy_headers=True, timeout_graceful_shutdown=20)
