#!/usr/bin/env bash
# Starts the product on this machine: API server on SQLite with demo data (port 8080) and,
# when the client is present, the web client (port 8550). Ctrl-C stops both.
source "$(dirname "$0")/_venv.sh"
export SOTAY_DATA_DIR="${SOTAY_DATA_DIR:-$ROOT/data}"
API_PORT="${API_PORT:-8080}"
WEB_PORT="${WEB_PORT:-8550}"
.venv/bin/python -m server serve --demo --host 127.0.0.1 --port "$API_PORT" &
SERVER=$!
trap 'kill $SERVER ${CLIENT:-} 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 60); do
  curl -fs "http://127.0.0.1:$API_PORT/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.5
done
echo "API:        http://127.0.0.1:$API_PORT/docs"
if [ -f client/__main__.py ]; then
  .venv/bin/python -m client --server "http://127.0.0.1:$API_PORT" --port "$WEB_PORT" &
  CLIENT=$!
  echo "Ứng dụng web: http://127.0.0.1:$WEB_PORT"
fi
wait $SERVER
