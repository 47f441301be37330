#!/usr/bin/env bash
# Subgroup-matrix (tensor-core) tactics on the NVIDIA GPU machine (issue 14), one command:
#   source .gpu/enter.sh && OUT=/tmp/out bash bench/gpu-mma-check.sh
# 1. correctness: `nnrt verify` of the full-size transformer-era models (bench/gpu-models/export_full.py,
#    onnxruntime's outputs as reference) with the engine in fp16 limited to subgroup-matrix tactics
#    (--tactic-sources subgroup-matrix --no-tactics: every matrix layer takes its first subgroup-matrix
#    tile), and how many layers took one (from the --verbose build log);
# 2. speed: `nnrt bench` of each model with every tactic (the timer picks), end to end and on
#    device, onnxruntime-web's WebGPU EP beside it, --layer-times, each row warmed up for 4 s (the
#    H100 idles at 345 MHz and needs seconds of load to reach 1,980 MHz);
# 3. ResNet-50 batch 32, fp16, on device, every tactic.
# Writes to $OUT: mma-verify.txt, bench.txt, json.tgz (bench reports), logs.tgz (verify reports and
# build logs), resnet50-b32.txt, clocks.csv, stderr.txt, export.log. Every step is bounded by what
# is left of a 9-minute budget.
source bench/gpu-setup.sh 540
simt_only=""
t() { local left=$((budget - SECONDS)); if [ "$left" -lt "$1" ]; then echo $((left > 5 ? left : 5)); else echo "$1"; fi; }
: > "$out/stderr.txt"
todo=""; for n in $names; do [ -f "$dir/$n/test_data_set_0/output_0.pb" ] || todo="$todo $n"; done
(cd bench/gpu-models && EXPORT_MODELS="$todo" timeout $((budget - 120)) python3 export_full.py "$dir") >> "$out/export.log" 2>&1 &
exporter=$!
r50=/tmp/nnrt-r50-b32
[ -f "$r50/model.onnx" ] || (timeout 200 python3 .gpu/torch_ref.py export --model resnet50 --batch 32 --out "$r50" >> "$out/export.log" 2>&1 &)
for n in $names; do
  while [ ! -f "$dir/$n/test_data_set_0/output_0.pb" ] && [ $SECONDS -lt $((budget - 60)) ] && kill -0 "$exporter" 2> /dev/null; do sleep 2; done
  [ -f "$dir/$n/test_data_set_0/output_0.pb" ] || { echo "$n: not exported (export.log)" >> "$out/mma-verify.txt"; continue; }
  echo "== $n at ${SECONDS} s" >> "$out/mma-verify.txt"
  timeout "$(t 120)" "${nnrt[@]}" verify "$dir/$n/model.onnx" --engine webgpu --precision fp16 --no-tactics --tactic-sources subgroup-matrix \
    --atol 0.05 --rtol 0.05 --verbose --json > "$out/verify-$n.json" 2> "$out/build-$n.log"
  echo "exit $?" >> "$out/mma-verify.txt"
  summary=$(node scripts/verify-summary.mjs "$out/verify-$n.json" 2>&1); echo "$summary" >> "$out/mma-verify.txt"
  # a model whose subgroup-matrix build disagrees with onnxruntime is benched on SIMT tactics only
  case "$summary" in pass*) ;; *) simt_only="$simt_only $n" ;; esac
  echo "layers on subgroup-matrix tiles: $(grep -c -- '-mma' "$out/build-$n.log"); other matrix tiles: $(grep -E 'gemm|conv-igemm|matmul-' "$out/build-$n.log" | grep -vc -- '-mma')" >> "$out/mma-verify.txt"
done
logs=$(mktemp -d); mv "$out"/verify-*.json "$out"/build-*.log "$logs"/ 2> /dev/null; tar -C "$logs" -czf "$out/logs.tgz" .
start_clocks
json=$(mktemp -d)
for n in $names; do
  [ -f "$dir/$n/model.onnx" ] && [ $((budget - SECONDS)) -gt 90 ] || continue
  sources=(); case " $simt_only " in *" $n "*) sources=(--tactic-sources simt) ;; esac
  echo "== $n at ${SECONDS} s ($(date -u +%T)) ${sources[*]}" >> "$out/bench.txt"
  timeout "$(t 120)" "${nnrt[@]}" bench "$dir/$n/model.onnx" --device webgpu --engine webgpu --precision fp16 --mode e2e,resident "${sources[@]}" \
    --peers ort-web-webgpu --layer-times --runs 30 --warmup 3 --warmup-ms 4000 --quiet --json "$json/$n.json" >> "$out/bench.txt" 2>> "$out/stderr.txt"
  echo "exit $? after ${SECONDS} s" >> "$out/bench.txt"
  tar -C "$json" -czf "$out/json.tgz" .
done
if [ -f "$r50/model.onnx" ] && [ $((budget - SECONDS)) -gt 40 ]; then
  echo "== resnet50 batch 32 at ${SECONDS} s ($(date -u +%T))" >> "$out/resnet50-b32.txt"
  timeout "$(t 150)" "${nnrt[@]}" bench "$r50/model.onnx" --device webgpu --engine webgpu --precision fp16 --mode resident \
    --runs 100 --warmup-ms 4000 --quiet >> "$out/resnet50-b32.txt" 2>> "$out/stderr.txt"
fi
[ -n "${clocks:-}" ] && kill "$clocks" 2> /dev/null
wait
exit 0
