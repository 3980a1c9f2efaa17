#!/usr/bin/env bash
# One command from a fresh clone to a running bot with the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .env ] && set -a && . ./.env && set +a
bash scripts/env.sh
bash scripts/redis.sh
.venv/bin/python -m bot content check
if [ "${NLU:-on}" != "off" ] && [ -f nlu/config.yml ]; then
  if bash scripts/rasa.sh install && bash scripts/rasa.sh train && bash scripts/rasa.sh serve --background; then
    export RASA_URL="${RASA_URL:-http://127.0.0.1:${RASA_PORT:-5005}}"
    export RASA_TOKEN="${RASA_TOKEN:-$(cat .run/rasa-token)}"
  else
    echo "Rasa could not be started: the bot runs without NLU (buttons, numbers, commands and urgent rules work)." >&2
  fi
fi
exec .venv/bin/python -m bot serve
