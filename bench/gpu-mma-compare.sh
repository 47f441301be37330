#!/usr/bin/env bash
# SIMT-only against all tactics (subgroup-matrix tiles included) on the NVIDIA GPU machine
# (issue 14), one command:
#   source .gpu/enter.sh && OUT=/tmp/out bash bench/gpu-mma-compare.sh
# For each full-size model (bench/gpu-models/export_full.py, batch 1) and ResNet-50 at batch 32:
# an fp16 plan built with --tactic-sources simt and one with every tactic (the timer picks; one
# timing cache shared, so the second build times only the new candidates), then
# bench/gpu-models/run-phases.mjs over all the plans in one process: each plan's device time per
# pass (GPU timestamps, paced and in bursts of 10 back to back) and the host phases of a run.
# Plans are timed one after another in one process, so the clock state is alike for all of them
# (clocks.csv: nvidia-smi every 200 ms). Writes to $OUT: phases.txt, builds.txt, clocks.csv,
# export.log, stderr.txt.
source bench/gpu-setup.sh 540
mkdir -p /tmp/nnrt-plans
# $SOURCES: the --tactic-sources of each model's plans; RESNET=0 leaves ResNet-50 out
sources=${SOURCES:-simt simt,subgroup-matrix}
: > "$out/stderr.txt"; : > "$out/builds.txt"
start_clocks
todo=""; for n in $names; do [ -f "$dir/$n/model.onnx" ] || todo="$todo $n"; done
(cd bench/gpu-models && EXPORT_MODELS="$todo" timeout $(( budget > 260 ? budget - 200 : 60 )) python3 export_full.py "$dir") >> "$out/export.log" 2>&1 &
exporter=$!
r50=/tmp/nnrt-r50-b32
first=""
if [ "${RESNET:-1}" = 1 ]; then
  first=resnet50_b32
  [ -f "$r50/model.onnx" ] || timeout 150 python3 .gpu/torch_ref.py export --model resnet50 --batch 32 --out "$r50" >> "$out/export.log" 2>&1
fi
plans=()
for n in $first $names; do
  m="$dir/$n/model.onnx"; [ "$n" = resnet50_b32 ] && m="$r50/model.onnx"
  while [ ! -f "$m" ] && [ "$(left)" -gt 120 ] && kill -0 "$exporter" 2> /dev/null; do sleep 2; done
  [ -f "$m" ] || { echo "$n: not exported" >> "$out/builds.txt"; continue; }
  for src in $sources; do
    [ "$(left)" -lt 100 ] && { echo "$n $src: no time left" >> "$out/builds.txt"; continue; }
    p=/tmp/nnrt-plans/$n.${src/,/+}.plan
    s=$SECONDS
    timeout $(( $(left) - 90 )) "${nnrt[@]}" build "$m" --precision fp16 --tactic-sources "$src" --timing-cache /tmp/nnrt-plans/timing.cache \
      --quiet --out "$p" >> "$out/builds.txt" 2>> "$out/stderr.txt" && plans+=("$p")
    echo "$n $src: build $((SECONDS - s)) s (exit $?)" >> "$out/builds.txt"
  done
done
[ ${#plans[@]} -gt 0 ] && timeout $(( $(left) > 20 ? $(left) : 20 )) node bench/gpu-models/run-phases.mjs "${plans[@]}" --runs 40 > "$out/phases.txt" 2>> "$out/stderr.txt"
[ -n "${clocks:-}" ] && kill "$clocks" 2> /dev/null
exit 0
