#!/usr/bin/env bash
# Run from the project root on the GPU machine, after `source .gpu/enter.sh` (../shared/gpu/pack.sh):
#   OUT=/tmp/out bash bench/gpu-models/run_models.sh
# On the GPU machine: export the full-size models, then nnrt verify each on webgpu — framework
# (transfer counts), engine fp16 and engine fp32 — writing everything under $OUT.
set -u
out=$OUT
start=$(date +%s)
left() { echo $(( ${1} - ($(date +%s) - start) )); }
(cd bench/gpu-models && python3 export_full.py /tmp/full > $out/export.log 2>&1; python3 export_models.py /tmp/small >> $out/export.log 2>&1)
grep -E "^(OK|FAIL)" $out/export.log > $out/exported.txt
(cd /tmp/small && tar cJf $out/small2.tar.xz gpt2_tiny ssdlite_mbv3 2>/dev/null)
for cfg in "none fp32" "webgpu fp16" "webgpu fp32"; do
  set -- $cfg
  for d in /tmp/full/*/; do
    n=$(basename $d)
    t=$(left 540); [ "$t" -lt 20 ] && { echo "== $n engine=$1 $2: skipped (time)" >> $out/verify.txt; continue; }
    extra=""; [ "$2" = fp16 ] && extra="--atol 0.05 --rtol 0.05"
    echo "== $n engine=$1 precision=$2" >> $out/verify.txt
    timeout $(( t < 120 ? t : 120 )) node dist/cli/main.js verify $d/model.onnx --device webgpu --engine $1 --precision $2 --no-tactics --quiet $extra 2>&1 | grep -v "^  pass" | tail -12 >> $out/verify.txt
    echo "exit ${PIPESTATUS[0]}" >> $out/verify.txt
  done
done
