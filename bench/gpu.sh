#!/usr/bin/env bash
# nnrt bench on the NVIDIA GPU machine: ResNet-18 and ResNet-50 (torchvision ONNX exports, random
# seeded weights) at batch 1 and 32; nnrt's framework on webgpu (and the engine, fp32 and fp16)
# next to onnxruntime-web's WebGPU EP (JSEP build), same models, same inputs, same process.
#
#   source .gpu/enter.sh && bash bench/gpu.sh
#
# Needs there: PyTorch (.gpu/torch_ref.py exports the models), the build (dist/; falls back to
# tsx when only sources exist) and onnxruntime-web's files ort.min.mjs and
# ort-wasm-simd-threaded.jsep.{mjs,wasm} in $NNRT_ORT_WEB_DIR (default .gpu-peers/onnxruntime-web/dist;
# only production node_modules exist there). Writes gpu-bench.{json,svg,txt} under $OUT (default
# ./bench-out). Extra `nnrt bench` options go in $BENCH_ARGS (e.g. "--runs 50").
set -euo pipefail
out=${OUT:-bench-out}
models=${MODELS_DIR:-/tmp/nnrt-gpu-models}
export NNRT_ORT_WEB_DIR=${NNRT_ORT_WEB_DIR:-$PWD/.gpu-peers/onnxruntime-web/dist}
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
mkdir -p "$out" "$models"

files=()
for m in resnet18 resnet50; do
  for b in 1 32; do
    d="$models/$m-b$b"   # the folder names the table row: resnet18-b1, ...
    [ -f "$d/model.onnx" ] || python3 .gpu/torch_ref.py export --model "$m" --batch "$b" --out "$d" >&2
    files+=("$d/model.onnx")
  done
done

if [ -f dist/cli/main.js ]; then nnrt=(node dist/cli/main.js); else nnrt=(node --import tsx src/cli/main.ts); fi
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > "$out/gpu.txt" 2>/dev/null || true

# the baseline is onnxruntime-web's WebGPU EP: the "vs ort-web-webgpu" column says how many times
# faster or slower each row is; --mode e2e,resident adds the on-device figures (PyTorch's way)
status=0
# shellcheck disable=SC2086
"${nnrt[@]}" bench "${files[@]}" --device webgpu --engine none,webgpu --precision fp32,fp16 \
  --mode e2e,resident --gpu-features f16 --peers ort-web-webgpu --baseline ort-web-webgpu \
  --json "$out/gpu-bench.json" --chart "$out/gpu-bench.svg" ${BENCH_ARGS:-} | tee "$out/gpu-bench.txt" || status=$?
echo "gpu.sh: nnrt bench exited $status (1: some outputs disagree or nothing ran; 2: bad usage)" >&2
exit "$status"
