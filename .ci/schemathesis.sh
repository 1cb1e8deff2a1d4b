#!/usr/bin/env bash
# A bounded schemathesis pass over the JSON API (/api/v1) against the app on SQLite
# (or, with SCHEMATHESIS_POSTGRES=1, on a fresh PostgreSQL database at 127.0.0.1:5432):
# fails on any server error (5xx) or answer that breaks the OpenAPI document (status,
# content type, body schema).  Time budget: SCHEMATHESIS_MAX_TIME seconds (default 180).
# DELETE /api/v1/tokens/{id} is left out: it would revoke the run's own token (it has
# its own tests in tests/test_hardening_sessions.py).
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
port="${SCHEMATHESIS_PORT:-5817}"
server=""
pg_name=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
  if [ -n "$pg_name" ]; then
    python - "$pg_admin" "$pg_name" <<'PY' || true
import sys

import psycopg

with psycopg.connect(sys.argv[1].replace("+psycopg", ""), autocommit=True, connect_timeout=5) as conn:
    conn.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
PY
  fi
}
trap cleanup EXIT

export WORKSHOP_ENV=development
export WORKSHOP_INSTANCE_PATH="$work"
export DATABASE_URL="sqlite:///$work/schemathesis.db"
if [ "${SCHEMATHESIS_POSTGRES:-0}" = "1" ]; then
  pg_admin="${TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/test}"
  pg_name="schemathesis_$$"
  python - "$pg_admin" "$pg_name" <<'PY'
import sys

import psycopg

with psycopg.connect(sys.argv[1].replace("+psycopg", ""), autocommit=True, connect_timeout=5) as conn:
    conn.execute(f'CREATE DATABASE "{sys.argv[2]}"')
PY
  export DATABASE_URL="${pg_admin%/*}/$pg_name"
fi
export SECRET_KEY="schemathesis-only"
export TRACK_RATE_LIMIT="100000 per minute"
export HOST=127.0.0.1 PORT="$port"

echo "== schemathesis: seeding a demo database and serving it on :$port"
python run.py >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then cat "$work/server.log"; echo "the app did not start"; exit 1; fi
  sleep 0.5
done
token="$(flask --app run users token manager | tail -n 1)"

status=0
schemathesis run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --include-path-regex '^/api/v1/' \
  --exclude-path '/api/v1/tokens/{token_id}' \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" \
  --max-time "${SCHEMATHESIS_MAX_TIME:-180}" \
  --request-timeout 20 \
  --workers 1 \
  --suppress-health-check all \
  --no-color || status=$?
if [ "$status" -ne 0 ]; then
  echo "== server log (last 80 lines)"
  tail -n 80 "$work/server.log"
fi
exit "$status"
