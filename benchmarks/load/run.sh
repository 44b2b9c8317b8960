#!/usr/bin/env bash
# The load benchmark: a throwaway PostgreSQL, the demo organisation, `steward serve` with
# several workers, and the loopback client of run.py. Usage: bash benchmarks/load/run.sh [WORKERS]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/common.sh
ensure_uv
workers=${1:-4}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_dir=$(mktemp -d /tmp/steward-load.XXXXXX)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then chown postgres "$pg_dir"; as_pg=(runuser -u postgres --); fi
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
app_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c max_connections=200" >/dev/null
export STEWARD_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$pg_port/postgres"
export STEWARD_ENVIRONMENT=production STEWARD_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
export STEWARD_DATA_DIR="$pg_dir/data-dir" STEWARD_LOG_LEVEL=warning
"${UV[@]}" run --no-sync steward demo --no-serve >/dev/null
token=$("${UV[@]}" run --no-sync steward tokens create admin 2>/dev/null | tail -n 1)
"${UV[@]}" run --no-sync steward serve --port "$app_port" --workers "$workers" >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$app_port/readyz" >/dev/null && break; sleep 1; done
echo "PostgreSQL on $pg_port; steward serve --workers $workers on $app_port; $(nproc) cores"
"${UV[@]}" run --no-sync python benchmarks/load/run.py --base "http://127.0.0.1:$app_port" \
  --token "$token" "${@:2}"
