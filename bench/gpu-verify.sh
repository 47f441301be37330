#!/usr/bin/env bash
# Correctness and build figures on the NVIDIA GPU machine, one command:
#   source .gpu/enter.sh && bash bench/gpu-verify.sh
# 1. torchvision exports (resnet18, resnet50, mobilenet_v2; batch 1) with onnxruntime references;
# 2. `nnrt verify` of those and of the shared models (carried as .gpu-models/): framework on
#    webgpu, engine fp32 (fp32 tolerance), engine fp16 (stated tolerance; top-1 checked separately);
# 3. ResNet-50 engine build: cold with tactic timing, warm with the timing cache, plan load.
# Results under $OUT (default ./gpu-out).
set -uo pipefail
out=${OUT:-gpu-out}
models=${MODELS_DIR:-/tmp/nnrt-gpu-models}
mkdir -p "$out" "$models"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
nnrt=(node dist/cli/main.js)
for m in resnet18 resnet50 mobilenet_v2; do
  [ -f "$models/$m/model.onnx" ] || python3 .gpu/torch_ref.py export --model "$m" --batch 1 --out "$models/$m" >&2
done
list=()
for d in .gpu-models/*/ "$models"/*/; do list+=("${d%/}"); done
for d in "${list[@]}"; do
  name=$(basename "$d")
  for mode in "--device webgpu" "--engine webgpu" "--engine webgpu --precision fp16 --atol 0.05 --rtol 0.05"; do
    echo "== $name $mode"
    # shellcheck disable=SC2086
    "${nnrt[@]}" verify "$d/model.onnx" $mode --quiet --json > "$out/verify-$name-$(echo $mode | tr -dc 'a-z0-9').json" 2>>"$out/stderr.txt"
    echo "exit $?"
    node scripts/verify-summary.mjs "$out/verify-$name-$(echo $mode | tr -dc 'a-z0-9').json" || true
  done
done 2>&1 | tee "$out/verify.txt"
# fp16 top-1 against the reference, per model
for d in "${list[@]}"; do node scripts/top1.mjs "$d" fp16; done 2>&1 | tee "$out/top1.txt"
# build times
r50="$models/resnet50/model.onnx"
rm -f /tmp/tc.json
{ /usr/bin/time -f "cold build with tactic timing: %e s" "${nnrt[@]}" build "$r50" --timing-cache /tmp/tc.json --out /tmp/r50.plan --quiet
  /usr/bin/time -f "warm build (timing cache): %e s" "${nnrt[@]}" build "$r50" --timing-cache /tmp/tc.json --out /tmp/r50.plan --quiet
  node scripts/plan-load-time.mjs /tmp/r50.plan
  "${nnrt[@]}" build "$r50" --timing-cache /tmp/tc.json --out /tmp/r50.plan --verbose --quiet 2> "$out/resnet50-build-log.txt" >/dev/null
  "${nnrt[@]}" verify /tmp/r50.plan "$models/resnet50/test_data_set_0"
} 2>&1 | tee "$out/build.txt"
