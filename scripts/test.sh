#!/usr/bin/env bash
# The whole suite: static checks, content check, unit and integration tests on real services.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/env.sh
bash scripts/redis.sh
bash scripts/redis_cluster.sh install  # tests/test_redis_cluster.py starts three local cluster nodes
bash scripts/media.sh  # ffmpeg (audio-convert test) and espeak-ng
bash scripts/browser.sh
bash scripts/prism.sh install
export PRISM_BIN="$(bash scripts/prism.sh path)"
echo "== ruff"; .venv/bin/ruff check .
echo "== mypy (strict on bot/)"; .venv/bin/mypy
echo "== import layers (pyproject.toml [tool.importlinter])"; .venv/bin/lint-imports
echo "== content check (warnings fail)"; .venv/bin/python -m bot content check --strict
if [ "${NLU:-on}" != "off" ] && [ -f nlu/config.yml ]; then
  echo "== Rasa: install, train, serve"
  bash scripts/rasa.sh install
  bash scripts/rasa.sh train
  bash scripts/rasa.sh serve --background
  trap 'bash scripts/rasa.sh stop' EXIT
  export RASA_URL="http://127.0.0.1:${RASA_PORT:-5005}" RASA_TOKEN="$(cat .run/rasa-token)"
fi
echo "== pytest"
# Bounded as a whole too: on a hang after the last test, SIGABRT makes faulthandler print every thread's stack.
timeout --signal=ABRT --kill-after=60 "${PYTEST_TIME_LIMIT:-1800}" \
  .venv/bin/python -X faulthandler -m pytest -q -p no:cacheprovider --durations=10 "$@"
