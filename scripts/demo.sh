#!/usr/bin/env bash
# The main job on the bundled samples, from a fresh clone:
#   1. set up .venv with the project alone (scripts/setup.sh "": no torch);
#   2. fetch the Argos models the samples need, when online (each sample language -> en, en -> uk);
#   3. translate and summarize samples/ into out/ in English and Ukrainian.
# Offline, step 2 says which models to install from .argosmodel files, and step 3 still writes
# detection and source-language summaries for every article (exit code 1: some translations missing).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh "" || exit $?  # the project alone: the main job needs no torch
tp=.venv/bin/translate-pipeline
pairs=("de en" "fr en" "es en" "pl en" "uk en" "en uk")
missing=()
for pair in "${pairs[@]}"; do
  read -r from to <<<"$pair"
  if "$tp" models list --format json | grep -q "\"from\": \"$from\", \"to\": \"$to\""; then
    continue
  fi
  if [ ${#missing[@]} -eq 0 ] && "$tp" models install "$from" "$to"; then
    continue
  fi
  missing+=("$from->$to")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Models not installed: ${missing[*]}." >&2
  echo "Download them where you are online (https://www.argosopentech.com/argospm/index/)" >&2
  echo "and install each with: $tp models install FILE.argosmodel" >&2
  echo "Running anyway: detection and source-language summaries are still written." >&2
fi
"$tp" run samples --to en --to uk --output out
