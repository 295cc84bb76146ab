#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine with Python 3.11:
#   1. a virtual environment .venv with the project and its dev extra,
#   2. as root: a real single-node SLURM on localhost for the `slurm` tests
#      (slurm/local/; without root those tests are skipped, with the reason),
#   3. pytest over everything, slow and slurm tests included.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'

if [ "$(id -u)" = 0 ] && [ "${REPRODUCE_SKIP_SLURM:-0}" != 1 ]; then
  bash slurm/local/install.sh
  RUNDIR=$(mktemp -d /tmp/reproduce-slurm.XXXXXX)
  trap 'bash slurm/local/stop.sh "$RUNDIR" || true' EXIT
  bash slurm/local/start.sh "$RUNDIR"
  export REPRODUCE_SLURM_RUNDIR="$RUNDIR"
fi

.venv/bin/python -m ruff check .
.venv/bin/python -m pytest -v --durations=15 "$@"
