#!/usr/bin/env bash
# Runs the whole test suite (PostgreSQL and browser tests skip, saying why, when those are absent).
source "$(dirname "$0")/_venv.sh"
.venv/bin/python -m ruff check server shared client tests
.venv/bin/python -m mypy
exec .venv/bin/python -m pytest "$@"
