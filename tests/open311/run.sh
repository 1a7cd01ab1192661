#!/usr/bin/env bash
# Open311 GeoReport v2 conformance against a real server, checked by independent clients.
#
# Needs a built binary (cargo build; or FAZHI_BIN=path) and python3 >= 3.10 with venv. It
#   1. creates a throwaway SQLite database and seeds the demo city (fazhi demo --seed-only --light),
#   2. issues an API token with the hotline_intake permission (fazhi admin create-token),
#   3. starts `fazhi serve` on a free loopback port,
#   4. runs conformance.py with the pinned clients of requirements.txt in a venv
#      (kept in target/open311-venv, or OPEN311_VENV),
#   5. stops the server and removes the database. Exits non-zero when any check fails.
# The demo city lies around 32.8°N 119.45°E; the server refuses positions outside it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${FAZHI_BIN:-$root/target/debug/fazhi}"
venv="${OPEN311_VENV:-$root/target/open311-venv}"
if [[ ! -x "$bin" ]]; then
    echo "run.sh: $bin not found; build it first (cargo build)" >&2
    exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/fazhi-open311.XXXXXX")"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# Everything the binary writes goes to the throwaway directory.
export DATABASE_URL="sqlite://$work/fazhi.db"
export FAZHI_FILES_DIR="$work/files"
export FAZHI_JOBS_ENABLED=false
unset FAZHI_DATABASE_URL FAZHI_CONFIG

echo "== seeding the demo city into $work"
if ! (cd "$work" && "$bin" demo --seed-only --light >"$work/seed.log" 2>&1); then
    cat "$work/seed.log" >&2
    exit 1
fi
api_key="$("$bin" admin create-token --name open311-conformance --org D-RX --scope hotline_intake --days 1 | tail -n 1)"
if [[ "$api_key" != fz_* ]]; then
    echo "run.sh: no API token issued" >&2
    exit 1
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
echo "== starting fazhi serve on $base"
FAZHI_SERVER_BIND="127.0.0.1:$port" FAZHI_SERVER_PUBLIC_URL="$base" "$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
ready=""
for _ in $(seq 1 100); do
    if python3 -c "import urllib.request, sys; urllib.request.urlopen('$base/healthz', timeout=1)" 2>/dev/null; then
        ready=1
        break
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        break
    fi
    sleep 0.2
done
if [[ -z "$ready" ]]; then
    echo "run.sh: the server did not start" >&2
    cat "$work/server.log" >&2
    exit 1
fi

if [[ ! -x "$venv/bin/python" ]]; then
    echo "== creating $venv"
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"

echo "== conformance"
status=0
OPEN311_BASE="$base/open311/v2" OPEN311_API_KEY="$api_key" OPEN311_LAT=32.8 OPEN311_LONG=119.45 OPEN311_EXPECT_UPDATES=1 \
    NO_PROXY="127.0.0.1,localhost" "$venv/bin/python" "$here/conformance.py" || status=$?
if [[ $status -ne 0 ]]; then
    echo "== server log (last 40 lines)" >&2
    tail -n 40 "$work/server.log" >&2
fi
exit "$status"
