#!/usr/bin/env bash
# Where an engine build's time goes on the NVIDIA GPU machine: each model built four times in a row
# with `nnrt build --verbose` (fp16, shader-f16):
#   cold      a fresh machine: the driver's shader cache holds none of the engine's kernels yet
#   warm      the same build again: every candidate kernel is in the driver's cache now
#   cached    again with the timing cache the warm build wrote: no tactic is timed
#   untimed   --no-tactics (each layer's first candidate; compiles only those)
# Each line gives the wall time and the build log's own split (passes, tactics, assembly).
#
#   source .gpu/enter.sh && OUT=/tmp/out bash bench/gpu-build-time.sh
#
# $MODELS: torchvision names (exported with .gpu/torch_ref.py) or bench/gpu-models/export_full.py
# names (vit_b16, bert_base, ...); $KINDS which builds (default all four, in that order); $BUDGET
# seconds for all builds. Writes $OUT/build-time.txt and build-logs.tgz (every build's log); the
# last build's plan stays at /tmp/nnrt-MODEL.plan.
set -uo pipefail
out=${OUT:-bench-out}
dir=${MODELS_DIR:-/tmp/nnrt-full}
budget=${BUDGET:-300}
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
export NNRT_GPU_FEATURES=${NNRT_GPU_FEATURES:-f16}
# the NVIDIA driver's shader disk cache, kept whole (its default cap could evict a big build's kernels)
export __GL_SHADER_DISK_CACHE_PATH=${__GL_SHADER_DISK_CACHE_PATH:-/tmp/nv-shader-cache}
export __GL_SHADER_DISK_CACHE_SIZE=${__GL_SHADER_DISK_CACHE_SIZE:-8000000000}
export __GL_SHADER_DISK_CACHE_SKIP_CLEANUP=1
mkdir -p "$out" "$dir" "$__GL_SHADER_DISK_CACHE_PATH"
names=${MODELS:-resnet50 vit_b16}
if [ -f dist/cli/main.js ]; then nnrt=(node dist/cli/main.js); else nnrt=(node --import tsx src/cli/main.ts); fi
log="$out/build-time.txt"
echo "# $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null); $(date -u +%FT%TZ)" >> "$log"
full=" vit_b16 bert_base gpt2 whisper_tiny_encoder convnext_tiny swin_tiny "
for n in $names; do
  [ -f "$dir/$n/model.onnx" ] && continue
  if [[ "$full" == *" $n "* ]]; then
    (cd bench/gpu-models && EXPORT_MODELS="$n" python3 export_full.py "$dir") >> "$out/export.log" 2>&1
  else
    python3 .gpu/torch_ref.py export --model "$n" --batch 1 --out "$dir/$n" >> "$out/export.log" 2>&1
  fi
done
for n in $names; do
  m="$dir/$n/model.onnx"
  [ -f "$m" ] || { echo "$n: not exported" >> "$log"; continue; }
  tc="/tmp/nnrt-tc-$n.json"; rm -f "$tc"
  for kind in ${KINDS:-cold warm cached untimed}; do
    left=$((budget - SECONDS))
    [ $left -lt 10 ] && { echo "$n $kind: no time left" >> "$log"; continue; }
    args=(--precision fp16 --verbose --quiet --out "/tmp/nnrt-$n.plan")
    case $kind in
      cold) args+=(--timing-cache "$tc") ;;          # times every candidate and writes the cache
      warm) rm -f "$tc.warm"; args+=(--timing-cache "$tc.warm") ;;   # times again
      cached) args+=(--timing-cache "$tc") ;;        # the cold build's timings: nothing timed
      untimed) args+=(--no-tactics) ;;
    esac
    t0=$(date +%s.%N)
    timeout "$left" "${nnrt[@]}" build "$m" "${args[@]}" > "/tmp/nnrt-build-$n-$kind.log" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    split=$(grep -E '^(build:|tactics:)' "/tmp/nnrt-build-$n-$kind.log" | tr '\n' ' ')
    printf '%s %-8s exit %d  %6.1f s wall  %s\n' "$n" "$kind" "$rc" "$(awk "BEGIN { print $t1 - $t0 }")" "$split" >> "$log"
    [ $rc -ne 0 ] && tail -5 "/tmp/nnrt-build-$n-$kind.log" | sed 's/^/    /' >> "$log"
  done
  # the slowest timed layers of the cold build (their candidate lists and times)
  grep -E '^layer .*\[' "/tmp/nnrt-build-$n-cold.log" 2>/dev/null | head -400 > "/tmp/nnrt-build-$n-layers.txt"
  echo "$n: $(wc -l < "/tmp/nnrt-build-$n-layers.txt") layers timed in the cold build" >> "$log"
done
echo "driver shader cache: $(du -sh "$__GL_SHADER_DISK_CACHE_PATH" 2>/dev/null | cut -f1); ~/.nv: $(du -sh ~/.nv 2>/dev/null | cut -f1); ~/.cache/nvidia: $(du -sh ~/.cache/nvidia 2>/dev/null | cut -f1)" >> "$log"
tar -C /tmp -czf "$out/build-logs.tgz" $(cd /tmp && ls nnrt-build-*.log nnrt-build-*-layers.txt 2>/dev/null) 2>/dev/null
exit 0
