#!/usr/bin/env bash
# Where the engine's time goes on the NVIDIA GPU machine (issue 14): the full-size transformer-era
# models of bench/gpu-models/export_full.py, each in its own `nnrt bench` process (engine fp16 with
# shader-f16, end to end and device-resident, onnxruntime-web's WebGPU EP beside it, --layer-times),
# benched as soon as its export is written, all within a 9.5-minute budget so that what finished
# comes back when a later model runs out of time. Each row warms up for at least 2 s
# (--warmup-ms): the H100 idles at 345 MHz and needed 0.5-1 s of load to reach its 1,980 MHz.
#
#   source .gpu/enter.sh && OUT=/tmp/out bash bench/gpu-layer-times.sh
#
# $MODELS picks and orders the models; $BENCH_ARGS adds nnrt bench options; $BUDGET (seconds);
# PHASES=0 skips the first model's run-phases split (bench/gpu-models/run-phases.mjs).
# Writes six files under $OUT (the GPU machine returns at most 8 per command): layer-times.txt
# (every model's table and layer times, with the clock), stderr.txt, export.log, json.tgz (each
# model's JSON report), clocks.csv (nvidia-smi's SM clock and power state every 200 ms) and
# torch.txt (PyTorch eager, bench/gpu-models/torch_time.py) when time is left.
set -uo pipefail
out=${OUT:-bench-out}
dir=${MODELS_DIR:-/tmp/nnrt-full}
budget=${BUDGET:-570}
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
export NNRT_GPU_FEATURES=${NNRT_GPU_FEATURES:-f16}
export NNRT_ORT_WEB_DIR=${NNRT_ORT_WEB_DIR:-$PWD/.gpu-peers/onnxruntime-web/dist}
if [ ! -f "$NNRT_ORT_WEB_DIR/ort.min.mjs" ] && [ -f .gpu-peers/ort-web.tar.xz ]; then
  mkdir -p "$NNRT_ORT_WEB_DIR" && tar -C "$NNRT_ORT_WEB_DIR" -xJf .gpu-peers/ort-web.tar.xz
fi
mkdir -p "$out" "$dir"
names=${MODELS:-vit_b16 bert_base convnext_tiny gpt2 whisper_tiny_encoder}
if [ -f dist/cli/main.js ]; then nnrt=(node dist/cli/main.js); else nnrt=(node --import tsx src/cli/main.ts); fi
json=$(mktemp -d)
echo "# $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null)" > "$out/layer-times.txt"
# the GPU's clocks and power state every 200 ms (clocks.csv): a run whose wall time is far above its
# kernels' timestamped time may be running at idle clocks (the GPU is busy a fifth of the time)
if command -v nvidia-smi > /dev/null; then
  nvidia-smi --query-gpu=timestamp,pstate,clocks.sm,clocks.max.sm,utilization.gpu,power.draw --format=csv -lms 200 > "$out/clocks.csv" 2>&1 &
  clocks=$!
fi
: > "$out/stderr.txt"
# exports run in the background (CPU) while earlier models are benched (GPU)
todo=""; for n in $names; do [ -f "$dir/$n/test_data_set_0/output_0.pb" ] || todo="$todo $n"; done
(cd bench/gpu-models && EXPORT_MODELS="$todo" timeout $((budget - 60)) python3 export_full.py "$dir") >> "$out/export.log" 2>&1 &
exporter=$!
for n in $names; do
  # export_full.py writes onnxruntime's outputs last: wait for them
  while [ ! -f "$dir/$n/test_data_set_0/output_0.pb" ] && [ $SECONDS -lt $((budget - 60)) ] && kill -0 "$exporter" 2> /dev/null; do sleep 2; done
  echo "== $n at ${SECONDS} s ($(date -u +%T))" | tee -a "$out/stderr.txt" >> "$out/layer-times.txt"
  [ -f "$dir/$n/test_data_set_0/output_0.pb" ] || { echo "$n: not exported (see export.log)" >> "$out/layer-times.txt"; continue; }
  left=$((budget - SECONDS))
  [ $left -lt 30 ] && { echo "$n: no time left" >> "$out/layer-times.txt"; continue; }
  # the first model also says where one run's wall time goes beside the device's own time
  # (bench/gpu-models/run-phases.mjs over an untimed fp16 plan and a session); PHASES=0 skips it
  if [ "${PHASES:-1}" = 1 ] && [ -z "${phased:-}" ] && [ $left -gt 150 ]; then
    phased=1
    timeout 90 "${nnrt[@]}" build "$dir/$n/model.onnx" --precision fp16 --no-tactics --quiet --out /tmp/nnrt-phases.plan >> "$out/stderr.txt" 2>&1 &&
      timeout 60 node bench/gpu-models/run-phases.mjs /tmp/nnrt-phases.plan "$dir/$n/model.onnx" --runs 30 >> "$out/layer-times.txt" 2>> "$out/stderr.txt"
    left=$((budget - SECONDS))
  fi
  # shellcheck disable=SC2086
  timeout $left "${nnrt[@]}" bench "$dir/$n/model.onnx" --device webgpu --engine webgpu --precision fp16 --mode e2e,resident \
    --peers ort-web-webgpu --layer-times --runs 20 --warmup 3 --warmup-ms 2000 --json "$json/$n.json" ${BENCH_ARGS:-} >> "$out/layer-times.txt" 2>> "$out/stderr.txt"
  echo "exit $? after ${SECONDS} s" >> "$out/layer-times.txt"
  [ -n "$(ls "$json")" ] && tar -C "$json" -czf "$out/json.tgz" .
done
[ -n "${clocks:-}" ] && kill "$clocks" 2> /dev/null
wait
# PyTorch eager on the same GPU, same configs, after nnrt is done with it
left=$((budget - SECONDS))
[ $left -gt 40 ] && timeout $left python3 bench/gpu-models/torch_time.py $names > "$out/torch.txt" 2>> "$out/stderr.txt"
exit 0
