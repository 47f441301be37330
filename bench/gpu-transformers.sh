#!/usr/bin/env bash
# Transformer-era models on the NVIDIA GPU machine (issue 14): ViT-B/16, BERT-base (seq 128),
# GPT-2 (seq 64), Whisper-tiny's encoder and ConvNeXt-T at full size with seeded random weights
# (bench/gpu-models/export_full.py), through nnrt's framework and engine (fp32, fp16) on webgpu
# beside onnxruntime-web's WebGPU EP in the same process, end to end and device-resident.
#
#   source .gpu/enter.sh && OUT=/tmp/out bash bench/gpu-transformers.sh
#
# Also writes each model's `nnrt verify` report with the engine (coverage, transfers, agreement
# with onnxruntime's CPU output). Needs what bench/gpu.sh needs. $MODELS picks a subset,
# $VERIFY_PRECISIONS and $BENCH_PRECISIONS the engine precisions (default fp16), $ENGINES the bench's
# engines (default none,webgpu), BENCH=0 skips the bench; NNRT_GPU_FEATURES=f16 asks Dawn for shader-f16 on NVIDIA.
set -uo pipefail
out=${OUT:-bench-out}
dir=${MODELS_DIR:-/tmp/nnrt-full}
export NNRT_ORT_WEB_DIR=${NNRT_ORT_WEB_DIR:-$PWD/.gpu-peers/onnxruntime-web/dist}
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
mkdir -p "$out" "$dir"
names=${MODELS:-vit_b16 bert_base gpt2 whisper_tiny_encoder convnext_tiny}
[ -f "$dir/vit_b16/model.onnx" ] || (cd bench/gpu-models && python3 export_full.py "$dir") > "$out/export.log" 2>&1
if [ -f dist/cli/main.js ]; then nnrt=(node dist/cli/main.js); else nnrt=(node --import tsx src/cli/main.ts); fi
files=()
for n in $names; do
  [ -f "$dir/$n/model.onnx" ] || { echo "$n: not exported (see export.log)" >> "$out/verify.txt"; continue; }
  files+=("$dir/$n/model.onnx")
  for p in ${VERIFY_PRECISIONS-fp16}; do
    tol=""; [ $p = fp16 ] && tol="--atol 0.05 --rtol 0.05"
    echo "== $n engine webgpu $p" >> "$out/verify.txt"
    # shellcheck disable=SC2086
    timeout 240 "${nnrt[@]}" verify "$dir/$n/model.onnx" --device webgpu --engine webgpu --precision $p --no-tactics --quiet $tol \
      2>&1 | grep -v "^  pass" | tail -25 >> "$out/verify.txt"
  done
done
# shellcheck disable=SC2086
[ "${BENCH:-1}" = 1 ] && "${nnrt[@]}" bench "${files[@]}" --device webgpu --engine ${ENGINES:-none,webgpu} --precision ${BENCH_PRECISIONS:-fp16} --mode e2e,resident \
  --peers ort-web-webgpu --json "$out/transformers.json" ${BENCH_ARGS:-} > "$out/transformers.txt" 2> "$out/bench-stderr.txt"
