#!/usr/bin/env bash
# Starts the product on this machine: API server on SQLite with demo data (port 8080) and,
# when the client is present, the web client (port 8550). Ctrl-C stops both.
source "$(dirname "$0")/_venv.sh"
export SOTAY_DATA_DIR="${SOTAY_DATA_DIR:-$ROOT/data}"
API_PORT="${API_PORT:-8080}"
WEB_PORT="${WEB_PORT:-8550}"
.venv/bin/python -m server serve --demo --host 127.0.0.1 --port "$API_PORT" &
SERVER=$!
CLIENT=""
cleanup() {
  [ -n "$CLIENT" ] && kill "$CLIENT" 2>/dev/null
  kill "$SERVER" 2>/dev/null
  wait 2>/dev/null
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM
up=""
for _ in $(seq 1 120); do
  if curl -fs "http://127.0.0.1:$API_PORT/api/v1/health" >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$SERVER" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$up" ]; then
  echo "Máy chủ không khởi động được (xem thông báo ở trên)." >&2
  exit 1
fi
echo "API:          http://127.0.0.1:$API_PORT/docs"
echo "Tài khoản mẫu (mật khẩu demo12345): admin, bantochuc, bithu.tcdv, dangvien.tcdv, dangvien.chaunga"
if [ -f client/__main__.py ]; then
  .venv/bin/python -m client --server "http://127.0.0.1:$API_PORT" --port "$WEB_PORT" &
  CLIENT=$!
  echo "Ứng dụng web: http://127.0.0.1:$WEB_PORT"
fi
wait "$SERVER"
