#!/usr/bin/env bash
# Create .venv and install translate-pipeline.
#   bash scripts/setup.sh            # with the test extra (what the tests and .ci/run need)
#   bash scripts/setup.sh ""         # the project alone: no argostranslate, so no torch
#   bash scripts/setup.sh dask,test  # any extras, comma-separated
# The test and argos extras pull argostranslate, which depends on stanza, which depends on
# torch: the CPU build of torch is installed first so pip does not pull a multi-GB CUDA build.
# Set TORCH_SPEC to choose another (e.g. TORCH_SPEC="torch --index-url
# https://download.pytorch.org/whl/cpu").
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
EXTRAS=${1-test}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
case ",$EXTRAS," in
  *,test,*|*,argos,*)
    if ! .venv/bin/python -c "import torch" 2>/dev/null; then
      # shellcheck disable=SC2086
      .venv/bin/python -m pip install -q ${TORCH_SPEC:-torch==2.13.0}
    fi ;;
esac
if [ -n "$EXTRAS" ]; then
  .venv/bin/python -m pip install -q -e ".[$EXTRAS]"
else
  .venv/bin/python -m pip install -q -e .
fi
