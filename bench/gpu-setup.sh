# Sourced by the GPU scripts over the full-size models (gpu-issue14.sh, gpu-mma-check.sh,
# gpu-mma-compare.sh) as `source bench/gpu-setup.sh DEFAULT_BUDGET`: sets $out, $dir, $budget,
# $names (default the five models of bench/gpu-models/export_full.py), nnrt and left() (seconds of
# the budget left); asks Dawn for shader-f16 and subgroup matrices; unpacks onnxruntime-web from
# .gpu-peers; start_clocks records nvidia-smi's clock and power every 200 ms into $out/clocks.csv
# (its pid in $clocks).
set -uo pipefail
out=${OUT:-bench-out}
dir=${MODELS_DIR:-/tmp/nnrt-full}
budget=${BUDGET:-$1}
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
export NNRT_GPU_FEATURES=f16,subgroup-matrix
export NNRT_ORT_WEB_DIR=${NNRT_ORT_WEB_DIR:-$PWD/.gpu-peers/onnxruntime-web/dist}
if [ ! -f "$NNRT_ORT_WEB_DIR/ort.min.mjs" ] && [ -f .gpu-peers/ort-web.tar.xz ]; then
  mkdir -p "$NNRT_ORT_WEB_DIR" && tar -C "$NNRT_ORT_WEB_DIR" -xJf .gpu-peers/ort-web.tar.xz
fi
mkdir -p "$out" "$dir"
names=${MODELS:-vit_b16 bert_base whisper_tiny_encoder convnext_tiny gpt2}
nnrt=(node dist/cli/main.js)
left() { echo $((budget - SECONDS)); }
start_clocks() {
  if command -v nvidia-smi > /dev/null; then
    nvidia-smi --query-gpu=timestamp,pstate,clocks.sm,utilization.gpu,power.draw --format=csv -lms 200 > "$out/clocks.csv" 2>&1 &
    clocks=$!
  fi
}
