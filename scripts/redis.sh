#!/usr/bin/env bash
# Make sure a Redis answers at REDIS_URL's host and port; start or install one if not.
set -euo pipefail
cd "$(dirname "$0")/.."
url="${REDIS_URL:-redis://127.0.0.1:6379/0}"
hostport="${url#*://}"; hostport="${hostport%%/*}"; hostport="${hostport##*@}"
host="${hostport%%:*}"; port="${hostport##*:}"; [ "$port" = "$host" ] && port=6379

ping() { .venv/bin/python - "$host" "$port" <<'PY' 2>/dev/null
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1)
s.sendall(b"PING\r\n"); sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
PY
}

if ping; then exit 0; fi
if [ "$host" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then
  echo "Redis at $host:$port does not answer. Start it or set REDIS_URL in .env." >&2; exit 1
fi
if ! command -v redis-server >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "Installing redis-server from the OS packages…"
    apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
  else
    echo "Redis is not installed. Install it: 'sudo apt-get install redis-server' (Debian/Ubuntu)," >&2
    echo "'brew install redis' (macOS), or run 'docker compose up -d redis'." >&2
    exit 1
  fi
fi
mkdir -p .run/redis
echo "Starting redis-server on 127.0.0.1:$port (append-only file in .run/redis)…"
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --appendonly yes --appendfsync everysec \
  --dir "$PWD/.run/redis" --logfile "$PWD/.run/redis/redis.log"
for _ in $(seq 1 50); do ping && exit 0; sleep 0.1; done
echo "redis-server did not start; see .run/redis/redis.log" >&2; exit 1
