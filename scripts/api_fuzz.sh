#!/usr/bin/env bash
# Fuzz the REST API with schemathesis (configured by schemathesis.toml): a live server on
# 127.0.0.1 serves the demo data from a fresh database, and the run authenticates as the
# demo convener, then as the demo sponsor (read-only). It fails on any 5xx and on any
# response that does not match the OpenAPI schema (body, status code, content type).
#
#   scripts/api_fuzz.sh                   both personas, API_FUZZ_EXAMPLES examples/operation
#   API_FUZZ_EXAMPLES=50 scripts/api_fuzz.sh
#   API_FUZZ_PERSONAS=sponsor scripts/api_fuzz.sh
#   API_FUZZ_PHASES=coverage,fuzzing,stateful scripts/api_fuzz.sh   (slow: every boundary)
#
# With DATABASE_URL set, the run gets its own database beside it (<name>_apifuzz, dropped
# and created anew: the fuzzer writes); without it, the embedded server's database is used.
# Nothing is sent anywhere but 127.0.0.1: e-mail goes to memory, tasks run in-process.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
EXAMPLES="${API_FUZZ_EXAMPLES:-10}"
PHASES="${API_FUZZ_PHASES:-fuzzing,stateful}"
SEED="${API_FUZZ_SEED:-20}"  # fixed, so CI is reproducible; vary it locally to look further
# The sponsor first: the convener's run may change roles (the sponsor's included).
PERSONAS="${API_FUZZ_PERSONAS:-sponsor convener}"
REPORTS="${API_FUZZ_REPORTS:-.data/api-fuzz}"

export DJANGO_SETTINGS_MODULE=copcore.settings.development
export DEBUG=False EMAIL_URL="memorymail://" LOG_LEVEL=WARNING
unset REDIS_URL
mkdir -p "$REPORTS"
export MEDIA_ROOT="$(mktemp -d)"

if [ -n "${DATABASE_URL:-}" ]; then
  server_url="${DATABASE_URL%/*}"
  database="${DATABASE_URL##*/}_apifuzz"
  psql "$server_url/postgres" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)"
  psql "$server_url/postgres" -qc "CREATE DATABASE $database"
  export DATABASE_URL="$server_url/$database"
fi

echo "Database and demo data"
$PY manage.py migrate --noinput -v 0
$PY manage.py seed_demo >/dev/null

port="$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
.venv/bin/gunicorn copcore.wsgi:application --bind "127.0.0.1:$port" --workers 2 --threads 4 \
  --timeout 120 --access-logfile - --error-logfile - >"$REPORTS/server.log" 2>&1 &
server_pid=$!
cleanup() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$MEDIA_ROOT"; }
trap cleanup EXIT
# One request at a time (a long timeout): the schema is slow to build the first time.
for _ in $(seq 1 60); do
  if $PY -c "import urllib.request as u; u.urlopen('$base/api/schema/', timeout=120)" 2>/dev/null; then
    break
  fi
  sleep 1
done

status=0
for persona in $PERSONAS; do
  echo "Fuzzing the API as the demo $persona ($EXAMPLES examples per operation)"
  token="$($PY manage.py shell -v 0 -c "
from django_scopes import scopes_disabled
from copcore.models import User
from copcore.services import api_token_replace
with scopes_disabled():
    print(api_token_replace(user=User.objects.get(email='$persona@example.org')).key)
")"
  API_FUZZ_TOKEN="$token" .venv/bin/schemathesis --config-file schemathesis.toml run \
    "$base/api/schema/" --url "$base" --max-examples "$EXAMPLES" --phases "$PHASES" --seed "$SEED" \
    --report junit --report-dir "$REPORTS/$persona" || status=1
done
if [ "$status" -ne 0 ]; then
  echo "Server errors are in $REPORTS/server.log"
fi
exit "$status"
