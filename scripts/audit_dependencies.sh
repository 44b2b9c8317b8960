#!/usr/bin/env bash
# pip-audit of the locked dependencies (every group), exactly as pinned in uv.lock: no resolving,
# no installing. Exits 1 when a known vulnerability affects a pinned version. pip-audit asks
# PyPI's JSON API for advisories; where that API cannot be reached (an offline build machine
# behind a package mirror) the audit says so on one line and is skipped, never silently passed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/common.sh
ensure_uv

probe="https://pypi.org/pypi/pip/24.0/json"  # pip-audit asks per pinned version
if ! python3 - "$probe" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as reply:
        sys.exit(0 if b'"vulnerabilities"' in reply.read() else 1)
except Exception:
    sys.exit(1)
PY
then
  echo "dependency audit skipped: PyPI's vulnerability API ($probe) is unreachable from here" >&2
  exit 0
fi
requirements="$(mktemp)"
trap 'rm -f "$requirements"' EXIT
"${UV[@]}" export --frozen --no-hashes --no-emit-project --all-groups --format requirements-txt \
  > "$requirements"
"${UV[@]}" run --no-sync pip-audit --strict --no-deps --disable-pip --progress-spinner off \
  --requirement "$requirements"
