#!/usr/bin/env bash
# Stoplight Prism (a local Twilio that validates requests against Twilio's OpenAPI spec), for tests.
#   scripts/prism.sh install   install once into ~/.cache/seguros-bot/prism (needs Node.js and npm)
#   scripts/prism.sh path      print the prism binary's path
set -euo pipefail
DIR="${SEGUROS_CACHE:-$HOME/.cache/seguros-bot}/prism"
BIN="$DIR/node_modules/.bin/prism"
case "${1:-install}" in
  install)
    if [ -x "$BIN" ]; then exit 0; fi
    if ! command -v npm >/dev/null 2>&1; then
      if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "Installing Node.js and npm from the OS packages (for the Prism mock of Twilio)…"
        apt-get update -qq >/dev/null && apt-get install -y -qq nodejs npm >/dev/null
      else
        echo "The WhatsApp tests need Node.js and npm for Prism: 'sudo apt-get install nodejs npm'." >&2
        exit 1
      fi
    fi
    echo "Installing Stoplight Prism 5 in $DIR…"
    mkdir -p "$DIR"
    (cd "$DIR" && npm install --silent --no-audit --no-fund @stoplight/prism-cli@5 >/dev/null)
    ;;
  path) echo "$BIN" ;;
  *) echo "usage: $0 install|path" >&2; exit 2 ;;
esac
