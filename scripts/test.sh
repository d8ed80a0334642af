#!/usr/bin/env bash
# Set up everything (Python and Node packages) and run the whole test suite: lint, types, tests.
# The suite starts its own throwaway PostgreSQL and local Bluesky network on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --for-tests
echo "== ruff"; .venv/bin/ruff check livepost tests bench
echo "== ruff format"; .venv/bin/ruff format --check livepost tests bench
echo "== mypy"; .venv/bin/mypy
echo "== import contract"; .venv/bin/lint-imports --no-cache
echo "== pytest"; .venv/bin/pytest "$@"
