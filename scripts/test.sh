#!/usr/bin/env bash
# make test: install what the tests need, start a throwaway PostgreSQL on loopback, run the whole
# suite (SQLite and PostgreSQL variants, Spark, Chromium), stop the server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

ensure_uv
"${UV[@]}" sync --locked
for oracle in tests/engines/consent/oracle; do
  if [ -f "$oracle/package-lock.json" ]; then
    (cd "$oracle" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

# A throwaway PostgreSQL: initdb + pg_ctl in a temp dir, as the postgres user when run as root.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_dir=$(mktemp -d /tmp/steward-pg.XXXXXX)
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$pg_dir"
  as_pg=(runuser -u postgres --)
fi
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stop_pg() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_pg EXIT
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres --no-sync >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w start -o \
  "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null
echo "PostgreSQL $(basename "$(dirname "$pg_bin")") on 127.0.0.1:$pg_port" >&2

export STEWARD_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$pg_port/postgres"
export STEWARD_REQUIRE_POSTGRES=1
export SPARK_LOCAL_IP=127.0.0.1
export DO_NOT_TRACK=1
# Two workers (one per core), each test file on one worker. pytest exits 5 when it collected no
# tests: that is a failure here, as is any other non-zero code.
workers=(-n "${STEWARD_TEST_WORKERS:-2}" --dist loadfile)
[ "$#" -gt 0 ] && workers=()
# The whole suite also audits the locked dependencies (skipped, saying so, where PyPI's
# vulnerability API is unreachable).
[ "$#" -eq 0 ] && bash scripts/audit_dependencies.sh
"${UV[@]}" run --no-sync pytest -p no:cacheprovider "${workers[@]}" "$@"
