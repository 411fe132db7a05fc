#!/usr/bin/env bash
# Debian's Chromium for the browser tests: Playwright drives it by its path (no browser download is reachable).
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  exit 0
fi
echo "Chromium is missing at $CHROMIUM: install Debian's package (sudo apt-get install chromium) or set CHROMIUM_PATH" >&2
exit 1
