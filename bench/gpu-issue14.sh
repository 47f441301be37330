#!/usr/bin/env bash
# Issue 14's figures on the NVIDIA GPU machine, one command:
#   source .gpu/enter.sh && OUT=/tmp/out bash bench/gpu-issue14.sh
# Each full-size model (bench/gpu-models/export_full.py, batch 1; benched as soon as its export is
# written) through `nnrt bench`: the engine in fp16 with every tactic source (f16 and subgroup
# matrices asked of Dawn), end to end and device-resident, beside onnxruntime-web's WebGPU EP in the
# same process. Every row warms up until its runs settle (--steady-ms). Then ResNet-50 at batch 32
# device-resident, and ViT-B again without pre-encoding (--no-pre-encode) to show what it saves.
# $MODELS picks the models, $BUDGET the seconds, $BENCH_ARGS adds bench options; VERIFY=1 adds
# `nnrt verify` of each model (verify.txt: max errors and cosine similarity per output). Writes to $OUT:
# bench.txt (every table), json.tgz, clocks.csv (nvidia-smi every 200 ms), export.log, stderr.txt.
source bench/gpu-setup.sh 570
json=$(mktemp -d)
: > "$out/stderr.txt"; : > "$out/bench.txt"
start_clocks
todo=""; for n in $names; do [ -f "$dir/$n/test_data_set_0/output_0.pb" ] || todo="$todo $n"; done
(cd bench/gpu-models && EXPORT_MODELS="$todo" timeout $(( budget > 300 ? 240 : 120 )) python3 export_full.py "$dir") >> "$out/export.log" 2>&1 &
exporter=$!
r50=/tmp/nnrt-r50-b32
args=(--device webgpu --engine webgpu --precision fp16 --warmup 3 --warmup-ms 2000 --steady-ms 8000 --runs 30 --quiet)
for n in $names; do
  m=$dir/$n/model.onnx
  while [ ! -f "$dir/$n/test_data_set_0/output_0.pb" ] && [ "$(left)" -gt 60 ] && kill -0 "$exporter" 2> /dev/null; do sleep 2; done
  [ -f "$m" ] || { echo "$n: not exported" >> "$out/bench.txt"; continue; }
  [ "$(left)" -lt 60 ] && { echo "$n: no time left" >> "$out/bench.txt"; continue; }
  echo "== $n at ${SECONDS} s ($(date -u +%T))" >> "$out/bench.txt"
  # shellcheck disable=SC2086
  timeout $(( $(left) - 20 )) "${nnrt[@]}" bench "$m" "${args[@]}" --mode e2e,resident --peers ort-web-webgpu --json "$json/$n.json" ${BENCH_ARGS:-} >> "$out/bench.txt" 2>> "$out/stderr.txt"
  tar -C "$json" -czf "$out/json.tgz" .
  # VERIFY=1: also each output's agreement with onnxruntime's CPU output, cosine similarity included
  if [ "${VERIFY:-0}" = 1 ] && [ "$(left)" -gt 60 ]; then
    timeout 60 "${nnrt[@]}" verify "$m" --engine webgpu --precision fp16 --atol 0.05 --rtol 0.05 --quiet >> "$out/verify.txt" 2>> "$out/stderr.txt"
  fi
done
if [ "${RESNET:-1}" = 1 ] && [ "$(left)" -gt 90 ]; then
  [ -f "$r50/model.onnx" ] || timeout 120 python3 .gpu/torch_ref.py export --model resnet50 --batch 32 --out "$r50" >> "$out/export.log" 2>&1
  echo "== resnet50 batch 32 at ${SECONDS} s" >> "$out/bench.txt"
  timeout $(( $(left) - 10 )) "${nnrt[@]}" bench "$r50/model.onnx" "${args[@]}" --mode resident --no-peers --json "$json/resnet50_b32.json" >> "$out/bench.txt" 2>> "$out/stderr.txt"
  tar -C "$json" -czf "$out/json.tgz" .
fi
if [ "$(left)" -gt 60 ] && [ -f "$dir/vit_b16/model.onnx" ]; then
  echo "== vit_b16 without pre-encoding at ${SECONDS} s" >> "$out/bench.txt"
  timeout $(( $(left) - 5 )) "${nnrt[@]}" bench "$dir/vit_b16/model.onnx" "${args[@]}" --mode e2e --no-peers --no-pre-encode >> "$out/bench.txt" 2>> "$out/stderr.txt"
fi
[ -n "${clocks:-}" ] && kill "$clocks" 2> /dev/null
exit 0
