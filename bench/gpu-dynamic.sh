#!/usr/bin/env bash
# Dynamic shapes on the NVIDIA GPU machine (issue 17): one engine profile per model, timed at
# several shapes in range beside an engine built for each very shape (`--compare-static`: the
# `vs static` column), device-resident, fp16 with shader-f16.
#   ResNet-50 (torchvision, dynamic batch): profile 1..32 at opt 16; shapes 1, 7, 16, 32.
#   BERT-base (Hugging Face BertModel from its config, dynamic batch × sequence): profile
#   1x16..8x512 at opt 1x128; shapes 1x16, 2x77, 1x128, 4x256, 8x512.
#
#   source .gpu/enter.sh && OUT=/tmp/out bash bench/gpu-dynamic.sh
#
# Needs PyTorch, torchvision, transformers and onnxruntime (Python) there, and the build (dist/).
# $MODELS picks a subset (resnet50_dyn bert_base_dyn); $RESNET_BATCHES and $BERT_SHAPES (BxS) the
# shapes timed; $PRECISION (default fp16); $GPU_FEATURES (default f16; f16,subgroup-matrix adds
# tensor-core tactics); $STEADY_MS (bench --steady-ms, default 0); $BENCH_ARGS adds nnrt bench options. Writes three files
# under $OUT (the GPU machine returns at most 8 per command): dynamic.txt (every table, with the
# clock), dynamic-stderr.txt (the export's log and bench progress) and dynamic-json.tgz.
set -uo pipefail
out=${OUT:-bench-out}
dir=${MODELS_DIR:-/tmp/nnrt-dyn}
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
mkdir -p "$out" "$dir"
names=${MODELS:-resnet50_dyn bert_base_dyn}
if [ -f dist/cli/main.js ]; then nnrt=(node dist/cli/main.js); else nnrt=(node --import tsx src/cli/main.ts); fi
json=$(mktemp -d)
(cd bench/gpu-models && EXPORT_MODELS="$names" timeout "${EXPORT_TIMEOUT:-180}" python3 export_dynamic.py "$dir") > "$out/dynamic-stderr.txt" 2>&1
: > "$out/dynamic.txt"
common=(--device webgpu --engine webgpu --precision "${PRECISION:-fp16}" --mode resident --gpu-features "${GPU_FEATURES:-f16}" --compare-static --no-peers --warmup-ms 2000 --steady-ms "${STEADY_MS:-0}")
for n in $names; do
  f="$dir/$n/model.onnx"
  echo "== $n at ${SECONDS} s ($(date -u +%T))" | tee -a "$out/dynamic-stderr.txt" >> "$out/dynamic.txt"
  [ -f "$f" ] || { echo "$n: not exported (see dynamic-stderr.txt)" >> "$out/dynamic.txt"; continue; }
  case $n in
    resnet50_dyn) shapes=(--min input=1x3x224x224 --opt input=16x3x224x224 --max input=32x3x224x224)
      for b in ${RESNET_BATCHES:-1 7 16 32}; do shapes+=(--shapes "input=${b}x3x224x224"); done;;
    bert_base_dyn) shapes=(--profile "input_ids=1x16:1x128:8x512,attention_mask=1x16:1x128:8x512,token_type_ids=1x16:1x128:8x512")
      for s in ${BERT_SHAPES:-1x16 2x77 1x128 4x256 8x512}; do shapes+=(--shapes "input_ids=$s,attention_mask=$s,token_type_ids=$s"); done;;
  esac
  # shellcheck disable=SC2086
  timeout "${BENCH_TIMEOUT:-240}" "${nnrt[@]}" bench "$f" "${shapes[@]}" "${common[@]}" --json "$json/$n.json" ${BENCH_ARGS:-} >> "$out/dynamic.txt" 2>> "$out/dynamic-stderr.txt"
  echo "exit $? after ${SECONDS} s" >> "$out/dynamic.txt"
  [ -n "$(ls "$json")" ] && tar -C "$json" -czf "$out/dynamic-json.tgz" .
done
