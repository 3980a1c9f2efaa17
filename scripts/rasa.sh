#!/usr/bin/env bash
# Rasa Open Source 3.6 in its own Python 3.10 environment (.rasa-venv): install | train | serve [--background] | stop
set -euo pipefail
cd "$(dirname "$0")/.."
# Rasa's environment and trained models are cached outside the clone, keyed by version and by a
# hash of data + config, so every clone on a machine shares them and nothing is redone needlessly.
CACHE="${SEGUROS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/seguros-bot}"
VENV="${RASA_VENV:-$CACHE/rasa-3.6.21}"
PORT="${RASA_PORT:-5005}"
mkdir -p .run nlu/models "$CACHE/models"

python310() {
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/3.10*/bin/python; do
      [ -x "$candidate" ] && { echo "$candidate"; return 0; }
    done
  fi
  command -v python3.10 >/dev/null 2>&1 && { command -v python3.10; return 0; }
  if command -v uv >/dev/null 2>&1; then uv python install 3.10 >/dev/null && uv python find 3.10 && return 0; fi
  echo "Python 3.10 is needed for Rasa 3.6: install it with 'uv python install 3.10' or pyenv." >&2
  return 1
}

model_name() {  # the model is named by a hash of its data and config: unchanged data is not retrained
  cat nlu/config.yml nlu/domain.yml nlu/data/*.yml | sha256sum | cut -c1-12
}

case "${1:-}" in
  install)
    if [ -x "$VENV/bin/rasa" ] && [ -f "$VENV/.installed" ]; then exit 0; fi
    echo "Installing Rasa 3.6 in $VENV (a few minutes, about 2.7 GB)…"
    "$(python310)" -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --upgrade "pip<24.1" >/dev/null
    "$VENV/bin/python" -m pip install -q "rasa==3.6.21" 2>&1 | grep -v "^WARNING: Location" || true
    "$VENV/bin/rasa" --version >/dev/null
    touch "$VENV/.installed"
    ;;
  train)
    name="nlu-$(model_name)"
    if [ ! -f "nlu/models/$name.tar.gz" ] && [ -f "$CACHE/models/$name.tar.gz" ]; then
      cp "$CACHE/models/$name.tar.gz" "nlu/models/$name.tar.gz"
    fi
    if [ -f "nlu/models/$name.tar.gz" ]; then echo "Rasa model $name is up to date."; exit 0; fi
    echo "Training Rasa model $name…"
    (cd nlu && "$VENV/bin/rasa" train nlu --config config.yml --nlu data --out models \
        --fixed-model-name "$name" --quiet) > .run/rasa-train.log 2>&1 || { tail -20 .run/rasa-train.log >&2; exit 1; }
    cp "nlu/models/$name.tar.gz" "$CACHE/models/"
    ls -t nlu/models/nlu-*.tar.gz | tail -n +4 | xargs -r rm -f   # keep the three newest
    ls -t "$CACHE"/models/nlu-*.tar.gz | tail -n +6 | xargs -r rm -f
    ;;
  serve)
    name="nlu-$(model_name)"
    [ -f .run/rasa-token ] || python3 -c 'import secrets; print(secrets.token_urlsafe(24))' > .run/rasa-token
    token="$(cat .run/rasa-token)"
    if curl -sf "http://127.0.0.1:$PORT/status?token=$token" 2>/dev/null | grep -q "$name"; then
      echo "Rasa already serving $name on 127.0.0.1:$PORT."; exit 0
    fi
    bash "$0" stop >/dev/null 2>&1 || true
    "$VENV/bin/rasa" run --enable-api --auth-token "$token" -i 127.0.0.1 -p "$PORT" \
        -m "nlu/models/$name.tar.gz" > .run/rasa.log 2>&1 &
    echo $! > .run/rasa.pid
    for _ in $(seq 1 120); do
      if curl -sf "http://127.0.0.1:$PORT/status?token=$token" >/dev/null 2>&1; then
        curl -sf -X POST "http://127.0.0.1:$PORT/model/parse?token=$token" -d '{"text":"hola"}' >/dev/null
        echo "Rasa serving $name on http://127.0.0.1:$PORT"
        if [ "${2:-}" != "--background" ]; then wait "$(cat .run/rasa.pid)"; fi
        exit 0
      fi
      kill -0 "$(cat .run/rasa.pid)" 2>/dev/null || { tail -20 .run/rasa.log >&2; exit 1; }
      sleep 1
    done
    echo "Rasa did not answer within 120 s; see .run/rasa.log" >&2; exit 1
    ;;
  stop)
    [ -f .run/rasa.pid ] && kill "$(cat .run/rasa.pid)" 2>/dev/null || true
    rm -f .run/rasa.pid
    ;;
  *) echo "usage: scripts/rasa.sh install | train | serve [--background] | stop" >&2; exit 2 ;;
esac
