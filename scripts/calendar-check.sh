#!/usr/bin/env bash
# Runs the tests that read the clock at each of the calendar's awkward instants (tests/clock.py INSTANTS:
# 1st of a month, the 20th, the last day, 31 Dec 23:59 -> 1 Jan, quarter turn, Asia/Ho_Chi_Minh).
# Arguments replace the default test paths. Browser tests are left out: the browser keeps the real clock.
source "$(dirname "$0")/_venv.sh"
PATHS=("$@")
[ ${#PATHS[@]} -eq 0 ] && PATHS=(tests/server tests/client)
INSTANTS=$(.venv/bin/python -c "from tests.clock import INSTANTS; print(' '.join(INSTANTS))")
rc=0
for instant in $INSTANTS; do
  echo "== clock at $instant"
  SOTAY_TEST_NOW="$instant" .venv/bin/python -m pytest "${PATHS[@]}" -q -m "not browser" || rc=1
done
exit "$rc"
