#!/usr/bin/env bash
# A throwaway local Redis Cluster: three `redis-server --cluster-enabled yes` nodes on free ports.
#
#   scripts/redis_cluster.sh install     make sure redis-server and redis-cli are installed
#   scripts/redis_cluster.sh start DIR   start the nodes (data, logs, pids in DIR), create the cluster,
#                                        print its URL (redis+cluster://127.0.0.1:<port>) when it serves
#   scripts/redis_cluster.sh stop DIR    stop the nodes started in DIR
#
# tests/test_redis_cluster.py runs it; docs/REDIS.md says what the cluster tests cover.
set -euo pipefail
cd "$(dirname "$0")/.."

install() {
  if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then return 0; fi
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "Installing redis-server from the OS packages…" >&2
    apt-get update -qq && apt-get install -y -qq redis-server >/dev/null
  else
    echo "Redis is not installed. Install it: 'sudo apt-get install redis-server' (Debian/Ubuntu)" >&2
    echo "or 'brew install redis' (macOS)." >&2
    exit 1
  fi
}

free_ports() {  # three ports whose cluster bus port (port + 10000) is free too
  python3 - <<'PY'
import random, socket
def free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
ports = []
while len(ports) < 3:
    port = random.randint(20000, 30000)
    if port not in ports and free(port) and free(port + 10000):
        ports.append(port)
print(*ports)
PY
}

start() {
  local dir="$1"
  install
  mkdir -p "$dir"
  local ports
  read -r -a ports <<<"$(free_ports)"
  for port in "${ports[@]}"; do
    mkdir -p "$dir/$port"
    redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$dir/$port/nodes.conf" \
      --cluster-node-timeout 2000 --appendonly no --save '' --dir "$dir/$port" --daemonize yes \
      --pidfile "$dir/$port/redis.pid" --logfile "$dir/$port/redis.log"
  done
  for port in "${ports[@]}"; do
    for _ in $(seq 1 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  done
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${ports[@]}") --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1 \
    || { echo "redis-cli --cluster create failed; see $dir/create.log" >&2; stop "$dir"; exit 1; }
  for _ in $(seq 1 100); do  # every node must see the whole cluster before a client asks any of them
    local ok=0
    for port in "${ports[@]}"; do
      redis-cli -p "$port" cluster info 2>/dev/null | grep -q 'cluster_state:ok' && ok=$((ok + 1))
    done
    if [ "$ok" = 3 ]; then echo "redis+cluster://127.0.0.1:${ports[0]}"; return 0; fi
    sleep 0.1
  done
  echo "the cluster did not reach cluster_state:ok; see $dir/*/redis.log" >&2; stop "$dir"; exit 1
}

stop() {
  local dir="$1"
  for pidfile in "$dir"/*/redis.pid; do
    [ -f "$pidfile" ] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
  done
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?usage: $0 start DIR}" ;;
  stop) stop "${2:?usage: $0 stop DIR}" ;;
  *) echo "usage: $0 install | start DIR | stop DIR" >&2; exit 2 ;;
esac
