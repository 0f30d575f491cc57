#!/usr/bin/env bash
# Runs the whole test suite: lint (ruff), types (mypy), tests (pytest). Arguments go to pytest.
# PostgreSQL and browser tests skip, saying why, when those are absent (SOTAY_REQUIRE_ALL=1 makes them fail).
source "$(dirname "$0")/_venv.sh"
DIRS=()
for d in server shared client tests bench; do [ -d "$d" ] && DIRS+=("$d"); done
.venv/bin/python -m ruff check "${DIRS[@]}"
.venv/bin/python -m mypy
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure, not a pass" >&2
fi
exit "$rc"
