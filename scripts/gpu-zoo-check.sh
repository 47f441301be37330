#!/usr/bin/env bash
# On the GPU machine, from the project root after `source .gpu/enter.sh` (Node, node_modules and
# dist/ unpacked): exports torchvision's models with torch_ref.py (random seeded weights, opset 17,
# TorchScript exporter, onnxruntime's output as reference) and checks the zoo's architectures against
# them with scripts/zoo-vs-torchvision.mjs.
#   bash scripts/gpu-zoo-check.sh            # DEVICES="cpu webgpu" to run each check on both
# Writes $OUT/zoo-check.txt (one block per check, then a summary) and $OUT/zoo-check.json (all
# reports). Exit status 0 when every check ends as expected below.
set -uo pipefail
out=${OUT:-/tmp/zoo-check-out}
devices=${DEVICES:-cpu}
torch_ref=${TORCH_REF:-.gpu/torch_ref.py}
work=${WORK:-/tmp/tv}
rm -rf "$work/json"
mkdir -p "$out" "$work/json"
txt="$out/zoo-check.txt"
: > "$txt"
log() { echo "$*" | tee -a "$txt"; }

# torchvision model, zoo name, the expected outcome. Gluon's resnet50_v1 strides the bottleneck's first
# 1×1 conv, torchvision the 3×3: it must differ, and resnet50_v1+stride3x3 (the same net with the
# stride moved) must match. src/zoo/torchvision-variants.ts lists every known difference.
checks=(
  "resnet18 resnet18_v1 match"
  "resnet50 resnet50_v1+stride3x3 match"
  "resnet50 resnet50_v1 mismatch"
  "alexnet alexnet match"
  "vgg16 vgg16 match"
  "densenet121 densenet121 match"
  "mobilenet_v2 mobilenet_v2_1_0 match"
)

log "zoo vs torchvision: $(date -u +%FT%TZ), node $(node --version), devices: $devices"
python3 -c 'import torch, torchvision, onnxruntime; print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, onnxruntime {onnxruntime.__version__}")' 2>&1 | tee -a "$txt"
failures=0
declare -A export_state # torchvision model -> ok | failed
for c in "${checks[@]}"; do
  read -r tv zoo expect <<< "$c"
  dir="$work/$tv"
  if [[ -z "${export_state[$tv]:-}" ]]; then
    if python3 "$torch_ref" export --model "$tv" --batch 1 --out "$dir" > "$work/$tv.export.log" 2>&1; then
      export_state[$tv]=ok
    else
      export_state[$tv]=failed
      log "== $tv: EXPORT FAILED"; tail -20 "$work/$tv.export.log" | sed 's/^/  /' | tee -a "$txt"
    fi
  fi
  if [[ "${export_state[$tv]}" != ok ]]; then
    log "== $zoo vs torchvision $tv: not run (export failed), UNEXPECTED"; failures=$((failures + 1))
    continue
  fi
  for device in $devices; do
    json="$work/json/${zoo//+/_}.$device.json"
    node scripts/zoo-vs-torchvision.mjs --zoo "$zoo" --onnx "$dir" --device "$device" --json "$json" > "$work/run.log" 2>&1
    rc=$?
    case $rc in 0) got=match ;; 1) got=mismatch ;; *) got="error (exit $rc)" ;; esac
    if [[ "$got" == "$expect" ]]; then verdict="as expected"; else verdict="UNEXPECTED (expected $expect)"; failures=$((failures + 1)); fi
    log "== $zoo vs torchvision $tv [$device]: $got, $verdict"
    sed 's/^/  /' "$work/run.log" | tee -a "$txt"
  done
done

python3 - "$work/json" "$out/zoo-check.json" <<'EOF'
import json, os, sys
src, dst = sys.argv[1], sys.argv[2]
reports = [json.load(open(os.path.join(src, f))) for f in sorted(os.listdir(src)) if f.endswith('.json')]
json.dump(reports, open(dst, 'w'), indent=1)
EOF
log "summary: ${#checks[@]} checks x devices [$devices], $failures unexpected outcome(s)"
[[ $failures -eq 0 ]]
