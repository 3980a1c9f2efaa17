#!/usr/bin/env bash
# Create .venv (Python >= 3.11) and install the bot with its dev tools; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  if command -v uv >/dev/null 2>&1; then
    uv python install 3.11 >/dev/null && uv python find 3.11 && return 0
  fi
  echo "No Python 3.11+ found. Install it (e.g. 'apt-get install python3.11' or 'uv python install 3.11')." >&2
  return 1
}

stamp=.venv/.installed
if [ ! -x .venv/bin/python ]; then
  "$(find_python)" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  touch "$stamp"
fi
