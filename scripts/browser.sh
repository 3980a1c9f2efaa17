#!/usr/bin/env bash
# Debian's Chromium for the console's browser test (Playwright drives it; no browser download).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing Chromium from the OS packages for the browser test…"
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null
else
  echo "The browser test needs Chromium at /usr/bin/chromium: 'sudo apt-get install chromium'." >&2
  exit 1
fi
