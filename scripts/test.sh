#!/usr/bin/env bash
# Runs the whole test suite: lint (ruff), types (mypy), tests (pytest). Arguments go to pytest.
# Without arguments the server and client tests run on every core (pytest-xdist), then the browser
# tests, which start servers and Chromium of their own, run one at a time.
# PostgreSQL and browser tests skip, saying why, when those are absent (SOTAY_REQUIRE_ALL=1 makes them fail).
source "$(dirname "$0")/_venv.sh"
DIRS=()
for d in server shared client tests bench; do [ -d "$d" ] && DIRS+=("$d"); done
.venv/bin/python -m ruff check "${DIRS[@]}"
.venv/bin/python -m mypy

run_pytest() {
  set +e
  .venv/bin/python -m pytest "$@"
  local rc=$?
  set -e
  if [ "$rc" -eq 5 ]; then
    echo "pytest collected no tests: that is a failure, not a pass" >&2
  fi
  return "$rc"
}

if [ "$#" -gt 0 ]; then
  run_pytest "$@"
  exit $?
fi
WORKERS="${SOTAY_TEST_WORKERS:-$(nproc)}"
rc=0
run_pytest -n "$WORKERS" --dist loadfile -m "not browser" || rc=$?
run_pytest -m browser || rc=$?
exit "$rc"
