#!/usr/bin/env bash
# The engine's --device cuda path on a machine with an NVIDIA GPU (not a test: CI has no GPU).
#
#   bash benchmarks/gpu_check.sh [WORK]      # WORK defaults to a new temporary folder
#
# Needs translate-pipeline importable by `python3` (installed, or PYTHONPATH=repo).
# It builds a small random de->en Argos package, installs it through the CLI, and runs `run`
# on the bundled samples (--from de) with --device cpu, cuda and auto; then, when CTranslate2
# cannot load CUDA 12's cuBLAS here (PyPI's CTranslate2 4.x needs libcublas.so.12; a machine
# with only CUDA 13 lacks it), it says so and repeats the cuda runs with CUDA 13's cuBLAS under
# CUDA 12's name (LD_LIBRARY_PATH), which is a check of our engine, not a setup to recommend.
# Last (unless SKIP_SPEED=1), benchmarks/translate_speed.py --skip-argos --device cuda on the
# realistic package (ARTICLES=100 articles).
set -u
W=${1:-$(mktemp -d)}
mkdir -p "$W"
rm -rf "$W/cpu" "$W/cpu32" "$W/cuda" "$W/cuda32" "$W/auto"  # outputs of an earlier check
export XDG_DATA_HOME=$W/xdg XDG_CACHE_HOME=$W/cache XDG_CONFIG_HOME=$W/config
export ARGOS_PACKAGES_DIR=$W/argos TRANSLATE_PIPELINE_HOME=$W/home
ROOT=$(cd "$(dirname "$0")/.." && pwd)
tp() { python3 -m translate_pipeline "$@"; }
step() { printf '\n=== %s\n' "$*"; }
same() {  # same OUT1 OUT2: the two output folders hold the same files with the same bytes
    if [ ! -d "$1" ] || [ ! -d "$2" ]; then echo "missing: $1 or $2"; return; fi
    local d; d=$(diff -r -q -x errors.jsonl -x .translate-pipeline.lock "$1" "$2" | wc -l)
    if [ "$d" = 0 ]; then echo "identical: $1 $2"; else echo "DIFFERENT: $1 $2 ($d files)"; fi
}

step machine
nvidia-smi -L || true
python3 -c "import sys, ctranslate2 as c; print(sys.version.split()[0], 'ctranslate2', c.__version__, \
'cuda devices', c.get_cuda_device_count(), 'cuda types', sorted(c.get_supported_compute_types('cuda')))"

step package
PYTHONPATH="$ROOT/tests" python3 -m support.testmodel "$W/pkg" de en || exit 1
tp models install "$W"/pkg/*.argosmodel || exit 1
RUN=(run "$ROOT/samples" --from de --to en --no-cache --quiet)

step "A: as installed"
python3 -c "from translate_pipeline.translation.engine import cuda_problem; print('cuda_problem:', cuda_problem())"
tp "${RUN[@]}" -o "$W/cpu" --device cpu; echo "cpu rc=$?"
tp "${RUN[@]}" -o "$W/cpu32" --device cpu --compute-type float32; echo "cpu float32 rc=$?"
tp "${RUN[@]}" -o "$W/cuda" --device cuda; echo "cuda rc=$?"
tp "${RUN[@]}" -o "$W/auto" --device auto; echo "auto rc=$?"
same "$W/cpu" "$W/auto"

if [ -n "$(python3 -c 'from translate_pipeline.translation.engine import cuda_problem; print(cuda_problem() or "")')" ]; then
    step "B: CUDA 13's cuBLAS under CUDA 12's name"
    lib=$(find /opt /usr -name 'libcublas.so.13*' 2>/dev/null | head -1)
    echo "found: ${lib:-none}"
    if [ -n "$lib" ]; then
        mkdir -p "$W/cu12"
        ln -sf "$lib" "$W/cu12/libcublas.so.12"
        ln -sf "$(dirname "$lib")"/libcublasLt.so.13 "$W/cu12/libcublasLt.so.12"
        export LD_LIBRARY_PATH=$W/cu12:${LD_LIBRARY_PATH:-}
        python3 -c "from translate_pipeline.translation.engine import cuda_problem; print('cuda_problem:', cuda_problem())"
        rm -rf "$W/cuda" "$W/auto"
    fi
fi
tp "${RUN[@]}" -o "$W/cuda" --device cuda; echo "cuda rc=$?"
tp "${RUN[@]}" -o "$W/cuda32" --device cuda --compute-type float32; echo "cuda float32 rc=$?"
tp -v "${RUN[@]}" -o "$W/auto" --device auto 2>&1 | grep -i -E "device|cuda|gpu" | head -5
same "$W/cpu" "$W/cuda"
same "$W/cpu32" "$W/cuda32"
same "$W/cuda" "$W/auto"
head -c 600 "$W/cuda/"*berlin*.en.md 2>/dev/null; echo

[ -n "${SKIP_SPEED:-}" ] && exit 0
step "speed (realistic random package)"
python3 "$ROOT/benchmarks/translate_speed.py" --skip-argos --device cuda --articles "${ARTICLES:-100}" \
    --work "$W/bench"
echo "gpu_check done"
