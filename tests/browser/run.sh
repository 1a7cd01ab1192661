#!/usr/bin/env bash
# Browser tests: start the demo city (light history) on a fresh database and drive headless
# Chromium through the user journeys. Needs target/debug/fazhi built, Debian's chromium and
# chromium-driver, and Python 3. Screenshots go to target/browser-shots/. BROWSER_TESTS=test_x.py
# runs one file of journeys.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${FAZHI_BIN:-$root/target/debug/fazhi}"
work="$(mktemp -d)"
venv="${BROWSER_VENV:-$root/target/browser-venv}"
port="${BROWSER_PORT:-18190}"
# A venv left half-made (no pip) by an interrupted run is made again.
if [ ! -x "$venv/bin/python" ] || [ ! -x "$venv/bin/pip" ]; then rm -rf "$venv"; python3 -m venv "$venv"; fi
"$venv/bin/pip" install -q -r "$root/tests/browser/requirements.txt"
mkdir -p "$root/target/browser-shots"
export DATABASE_URL="sqlite://$work/demo.db"
export FAZHI_FILES_DIR="$work/files"
export FAZHI_JOBS_ENABLED=false
"$bin" demo --light --bind "127.0.0.1:$port" > "$work/server.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$work/server.log"; echo "server died"; exit 1; fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/server.log"; echo "server did not start"; exit 1; }
export BASE_URL="http://127.0.0.1:$port"
export SHOTS="$root/target/browser-shots"
export DB_PATH="$work/demo.db"
cd "$root/tests/browser"
if ! "$venv/bin/python" -m unittest discover -s . -p "${BROWSER_TESTS:-test_*.py}" -v; then
  echo "--- server log (tail) ---"; tail -n 60 "$work/server.log"; exit 1
fi
