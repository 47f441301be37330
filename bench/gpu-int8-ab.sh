#!/usr/bin/env bash
# ResNet-50 batch 32 implicit int8 (float layers in fp16), device-resident, with layer times: this
# build beside an earlier one on the same machine (issue 16's figure; about 3 minutes).
#
#   # here: keep the earlier build, then pack this one
#   mkdir -p .gpu-base && cp .gpu/dist.tar.xz .gpu-base/ && ../shared/gpu/pack.sh
#   # GPU machine (carry .gpu and .gpu-base):
#   source .gpu/enter.sh && OUT=$OUT bash bench/gpu-int8-ab.sh
#
# AB_VARIANTS (default "new base") picks the rows: new is .gpu's build, base .gpu-base's;
# AB_LIMIT (default 230 s) bounds each bench; AB_MODE (default resident) the new row's --mode
# (resident,stream adds the back-to-back row; the base row stays resident). Calibration: `nnrt calibrate` (entropy) on the test
# photographs. Writes to $OUT: new.txt/new.json, base.txt/base.json (tables, layer times), log.txt.
set -uo pipefail
out=${OUT:-bench-out}; d=${MODELS_DIR:-/tmp/nnrt-int8-ab}; mkdir -p "$out" "$d"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp} NNRT_GPU_FEATURES=${NNRT_GPU_FEATURES:-f16,subgroup-matrix} __GL_SHADER_DISK_CACHE_PATH=${__GL_SHADER_DISK_CACHE_PATH:-/tmp/nv-shader-cache}
variants=${AB_VARIANTS:-new base}
python3 -c "import sys; sys.path.insert(0,'bench/gpu-models'); import int8_models as m; m.export_cnn('$d','resnet50')" > "$out/export.txt" 2>&1
echo "export done at ${SECONDS} s" >> "$out/log.txt"
case " $variants " in *" base "*)
  mkdir -p /tmp/nnrt-base && tar -C /tmp/nnrt-base -xJf .gpu-base/dist.tar.xz && ln -sfn "$PWD/node_modules" /tmp/nnrt-base/node_modules ;;
esac
timeout 90 node dist/cli/main.js calibrate "$d/resnet50_fp/model.onnx" --images test/fixtures/images --batch-size 4 --algo entropy --device webgpu --out "$d/r.cache" --quiet >> "$out/log.txt" 2>&1
echo "calibration done at ${SECONDS} s" >> "$out/log.txt"
for v in $variants; do
  main=dist/cli/main.js; mode=${AB_MODE:-resident}
  [ "$v" = base ] && main=/tmp/nnrt-base/dist/cli/main.js && mode=resident
  timeout "${AB_LIMIT:-230}" node "$main" bench "$d/resnet50_fp/model.onnx" --batch 32 --device webgpu --engine webgpu --precision int8 --calibration "$d/r.cache" --int8-float fp16 --mode "$mode" --no-peers --runs 30 --warmup-ms 4000 --steady-ms 6000 --layer-times --json "$out/$v.json" > "$out/$v.txt" 2>&1
  echo "$v exit $? at ${SECONDS} s" >> "$out/log.txt"
done
