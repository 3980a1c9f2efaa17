#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests (Playwright drives it; no browser download),
# and axe-core from npm for their accessibility audit (injected into the page by Playwright).
set -euo pipefail
if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "Installing Chromium from the OS packages for the browser test…"
    apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null
  else
    echo "The browser test needs Chromium at /usr/bin/chromium: 'sudo apt-get install chromium'." >&2
    exit 1
  fi
fi
AXE_VERSION=4.10.3
AXE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/seguros-bot/axe-core-$AXE_VERSION"
if [ ! -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "The accessibility audit needs npm (Node.js) to install axe-core: 'sudo apt-get install npm'." >&2
    exit 1
  fi
  echo "Installing axe-core $AXE_VERSION from npm for the accessibility audit…"
  mkdir -p "$AXE_DIR"
  npm install --silent --no-audit --no-fund --prefix "$AXE_DIR" "axe-core@$AXE_VERSION" >/dev/null
fi
