#!/usr/bin/env bash
# Create .venv and install the project (with the given extras) when pyproject.toml changed.
# Sourced by start.sh and test.sh; needs only python3 >= 3.11.
set -euo pipefail
extras="${1:-}"
python_bin="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python_bin" -m venv .venv
fi
# The tests of the Redis store run a real redis-server on 127.0.0.1 (tests/redis_server.py).
if [ "$extras" = "dev" ] && ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server; } \
      >/tmp/boussole-redis-install.log 2>&1 \
      || { cat /tmp/boussole-redis-install.log >&2; echo "redis-server could not be installed" >&2; }
  else
    echo "redis-server is missing (apt-get install redis-server): the Redis tests will not run" >&2
  fi
fi
stamp=".venv/.installed${extras:+-$extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  # Quiet unless it fails: the build backend's warnings are noise for an operator.
  log=.venv/install.log
  if ! { .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip \
         && .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras:+[$extras]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "Installation failed (log: $log)" >&2
    exit 1
  fi
  touch "$stamp"
fi
