#!/usr/bin/env bash
# Every attention tactic's time on the NVIDIA GPU machine: each model of $MODELS (default Whisper-tiny
# encoder, BERT-base seq 128, ViT-B/16; bench/gpu-models/export_full.py) built in fp16 with
# f16 and subgroup matrices and --verbose, keeping the first attention layer's line (the chosen
# tactic, then every candidate with its median time), and the build time.
#
#   source .gpu/enter.sh && OUT=/tmp/out bash bench/gpu-attention-tactics.sh
#
# Writes $OUT/attention-tactics.txt. About 40 s a model (export and build).
set -uo pipefail
out=${OUT:-bench-out}; dir=${MODELS_DIR:-/tmp/nnrt-full}; mkdir -p "$out" "$dir"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp} NNRT_GPU_FEATURES=${NNRT_GPU_FEATURES:-f16,subgroup-matrix}
for n in ${MODELS:-whisper_tiny_encoder bert_base vit_b16}; do
  [ -f "$dir/$n/model.onnx" ] || (cd bench/gpu-models && EXPORT_MODELS=$n timeout 100 python3 export_full.py "$dir") > /dev/null 2>&1
  echo "== $n" >> "$out/attention-tactics.txt"
  log=$(mktemp)
  timeout 120 node dist/cli/main.js build "$dir/$n/model.onnx" --precision fp16 --verbose --quiet --out "/tmp/$n.fp16.plan" > "$log" 2>&1
  { grep -m1 '(attention ←' "$log" | sed 's/(attention ← [^)]*)//'; grep -E '^built|rror' "$log"; } >> "$out/attention-tactics.txt"
done
