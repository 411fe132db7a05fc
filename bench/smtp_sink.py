"""A standalone SMTP server for benchmarks: accepts and discards, in its own process (own CPU, own GIL)."""

import asyncio
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink


def main() -> None:
    port = int(sys.argv[1])
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
