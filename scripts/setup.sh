#!/usr/bin/env bash
# Creates .venv (if missing) with schedalg installed in editable mode and every
# dependency of the tests, notebooks and benchmarks. Safe to run again.
# (The demo alone needs much less: scripts/demo.sh sets up .venv-demo.)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    "${PYTHON:-python3}" -m venv .venv
fi
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
# torch first, pinned: it is the CPU build. Installing anything that depends on
# torch before it would make pip resolve a multi-GB CUDA build instead.
"${pip[@]}" torch==2.13.0
"${pip[@]}" -e ".[test,torch]"
