#!/usr/bin/env bash
# Sets up .venv-demo with only what the demo needs (schedalg, torch, tqdm,
# matplotlib), then runs the end-to-end demo. Safe to run again.
#   bash scripts/demo.sh            # about half a minute of training on 2 CPU cores
#   bash scripts/demo.sh --quick    # a few seconds
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-demo/bin/python ]; then
    "${PYTHON:-python3}" -m venv .venv-demo
fi
pip=(.venv-demo/bin/python -m pip install --quiet --disable-pip-version-check)
# torch first, pinned: it is the CPU build. Letting pip resolve torch as a
# dependency of the demo extra would fetch a multi-GB CUDA build instead.
"${pip[@]}" torch==2.13.0
"${pip[@]}" -e ".[demo]"
exec .venv-demo/bin/python -m schedalg demo "$@"
