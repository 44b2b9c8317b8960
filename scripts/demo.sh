#!/usr/bin/env bash
# make demo: install what the app needs, load the demo organisation into SQLite, serve it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
ensure_uv
"${UV[@]}" sync --locked --inexact --no-dev
exec "${UV[@]}" run --no-sync steward demo "$@"
