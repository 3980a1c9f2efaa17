#!/usr/bin/env bash
# Make sure ffmpeg (audio-convert, duration checks in tests) and espeak-ng (the synthetic Spanish
# placeholder recordings) are installed from the OS packages; idempotent.
set -euo pipefail
missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
[ ${#missing[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "Installing ${missing[*]} from the OS packages…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing: ${missing[*]}. Install them: 'sudo apt-get install ${missing[*]}' (Debian/Ubuntu)," >&2
  echo "or 'brew install ffmpeg espeak-ng' (macOS)." >&2
  exit 1
fi
