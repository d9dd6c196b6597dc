#!/usr/bin/env bash
# Start Boussole ESS: Telegram when TELEGRAM_BOT_TOKEN is set, otherwise a chat in the terminal.
# Extra arguments go to the command line tool: ./start.sh ask "c'est quoi le DLA ?"
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/setup_env.sh
exec .venv/bin/python -m bot "$@"
