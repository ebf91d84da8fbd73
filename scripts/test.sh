#!/usr/bin/env bash
# Sets everything up, then runs the full test suite (unit, law, oracle and doc tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
