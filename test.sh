#!/usr/bin/env bash
# Run every test: content check, unit, integration and end-to-end tests (the latter need Node).
# Installs what is missing first. Arguments go to pytest: ./test.sh -k territory
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup_env.sh dev
if command -v npm >/dev/null 2>&1 && [ -f tests/e2e/package.json ]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
.venv/bin/python -m bot check
.venv/bin/python -m pytest -q "$@"
