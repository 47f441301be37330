#!/usr/bin/env bash
# int8 on the NVIDIA GPU machine (issue 16): onnxruntime's own quantizer (quantize_static, QDQ)
# on torchvision ResNet-50 and MobileNetV2 and a BERT-base from its config (seeded random weights;
# bench/gpu-models/int8_models.py), then
#   accuracy: nnrt's engine (explicit quantization: the QDQ model's Conv/MatMul/Gemm run as int8
#     layers) on 500 seeded images (4 BERT sequences) against onnxruntime's int8 CPU output
#     (share of elements within one quantization step) and the fp32 model's top-1;
#   speed: nnrt bench, device-resident, ResNet-50 / MobileNetV2 batch 32 float (fp32, fp16) beside
#     their QDQ models; ResNet-50 batch 32 implicit int8 (nnrt calibrate on the test photographs;
#     the float layers in fp16, --int8-float fp16) beside fp32 and fp16; BERT-base seq 128 float
#     fp16 beside its QDQ model, and beside its implicit int8 (calibrated on the seeded sets).
#
#   source .gpu/enter.sh && OUT=/tmp/out bash bench/gpu-int8.sh
#
# Needs PyTorch, torchvision, transformers and onnxruntime (Python) there, and the build (dist/;
# tsx otherwise; bench/gpu-models/run-sets.mjs needs dist/). $MODELS picks a subset; BENCH=0 skips
# the speed part. Writes to $OUT: int8-mma-check.txt (the int8 tensor-core tiles checked on the
# device), export.log, accuracy.jsonl (one line per model), coverage.jsonl
# (nodes in engines, declined reasons), nnrt-*.log, bench.txt, bench-*.json (bench-implicit.json, bench-bert-implicit.json: the
# implicit int8 rows). Every step is bounded
# by `timeout` within an 8.5-minute budget.
set -uo pipefail
out=${OUT:-bench-out}
dir=${MODELS_DIR:-/tmp/nnrt-int8}
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
# subgroup matrices: int8 tensor-core tiles (each build checks them on the device first)
export NNRT_GPU_FEATURES=${NNRT_GPU_FEATURES:-f16,subgroup-matrix}
mkdir -p "$out" "$dir"
names=${MODELS:-resnet50 mobilenet_v2 bert_base}
if [ -f dist/cli/main.js ]; then nnrt=(node dist/cli/main.js); else nnrt=(node --import tsx src/cli/main.ts); fi
runsets=(node bench/gpu-models/run-sets.mjs)   # over dist/: run `npm run build` before packing
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > "$out/gpu.txt" 2>/dev/null || true
timeout 60 node bench/gpu-models/int8-mma-check.mjs > "$out/int8-mma-check.txt" 2>&1

# every step gets at most what is left of an 8.5-minute budget
t() { local left=$((510 - SECONDS)); if [ "$left" -lt "$1" ]; then echo $((left > 5 ? left : 5)); else echo "$1"; fi; }
# shellcheck disable=SC2086
timeout "$(t 220)" python3 bench/gpu-models/int8_models.py export "$dir" $names > "$out/export.log" 2>&1
: > "$out/accuracy.jsonl"; : > "$out/coverage.jsonl"
for n in $names; do
  [ -f "$dir/${n}_qdq/model.onnx" ] || { echo "{\"model\": \"$n\", \"error\": \"not exported (export.log)\"}" >> "$out/accuracy.jsonl"; continue; }
  # the QDQ model over every seeded set in one session (fp32 for the float layers); prints its coverage
  # shellcheck disable=SC2046,SC2086
  timeout "$(t 100)" "${runsets[@]}" "$dir/${n}_qdq/model.onnx" "$dir/${n}_nnrt" $(ls -d "$dir/${n}_sets"/set_*) --precision fp32 ${RUNSETS_ARGS:-} \
    >> "$out/coverage.jsonl" 2> "$out/nnrt-$n.log"
  python3 bench/gpu-models/int8_models.py compare "$dir" "$n" "$dir/${n}_nnrt" >> "$out/accuracy.jsonl" 2>> "$out/nnrt-$n.log"
done

[ "${BENCH:-1}" = 1 ] || exit 0
cnn=()
for n in resnet50 mobilenet_v2; do
  case " $names " in *" $n "*) [ -f "$dir/${n}_qdq/model.onnx" ] && cnn+=("$dir/${n}_fp/model.onnx" "$dir/${n}_qdq/model.onnx");; esac
done
# rows are named by the model's folder: resnet50_fp (fp32, fp16) beside resnet50_qdq (int8 layers, the rest fp32/fp16)
[ ${#cnn[@]} -gt 0 ] && timeout "$(t 170)" "${nnrt[@]}" bench "${cnn[@]}" --batch 32 --device webgpu --engine webgpu --precision fp32,fp16 \
  --mode resident --gpu-features "$NNRT_GPU_FEATURES" --no-peers --runs 30 --warmup-ms 2000 --json "$out/bench-cnn.json" > "$out/bench.txt" 2> "$out/bench-stderr.txt"
# implicit int8 (calibrated here, nnrt calibrate on the test photographs) beside fp32 and fp16, ResNet-50 batch 32
case " $names " in *" resnet50 "*)
  if [ -f "$dir/resnet50_fp/model.onnx" ]; then
    timeout "$(t 60)" "${nnrt[@]}" calibrate "$dir/resnet50_fp/model.onnx" --images test/fixtures/images --batch-size 4 --algo entropy \
      --device webgpu --out "$dir/resnet50.cache" --quiet >> "$out/bench-stderr.txt" 2>&1
    timeout "$(t 120)" "${nnrt[@]}" bench "$dir/resnet50_fp/model.onnx" --batch 32 --device webgpu --engine webgpu --precision fp32,fp16,int8 \
      --calibration "$dir/resnet50.cache" --int8-float fp16 --mode resident --gpu-features "$NNRT_GPU_FEATURES" --no-peers --runs 30 --warmup-ms 2000 \
      --json "$out/bench-implicit.json" >> "$out/bench.txt" 2>> "$out/bench-stderr.txt"
  fi;;
esac
case " $names " in *" bert_base "*)
  [ -f "$dir/bert_base_qdq/model.onnx" ] && timeout "$(t 90)" "${nnrt[@]}" bench "$dir/bert_base_fp/model.onnx" "$dir/bert_base_qdq/model.onnx" \
    --device webgpu --engine webgpu --precision fp16 --mode resident --gpu-features "$NNRT_GPU_FEATURES" --no-peers --runs 30 --warmup-ms 2000 \
    --json "$out/bench-bert.json" >> "$out/bench.txt" 2>> "$out/bench-stderr.txt"
  # implicit int8 (nnrt calibrate on the seeded calibration sets) beside fp16, the float layers in fp16
  if [ -f "$dir/bert_base_fp/model.onnx" ]; then
    # shellcheck disable=SC2046
    timeout "$(t 40)" "${nnrt[@]}" calibrate "$dir/bert_base_fp/model.onnx" --data "$dir/bert_base_sets" --algo minmax --device webgpu \
      --out "$dir/bert.cache" --quiet >> "$out/bench-stderr.txt" 2>&1
    timeout "$(t 90)" "${nnrt[@]}" bench "$dir/bert_base_fp/model.onnx" --device webgpu --engine webgpu --precision fp16,int8 --calibration "$dir/bert.cache" \
      --int8-float fp16 --mode resident --gpu-features "$NNRT_GPU_FEATURES" --no-peers --runs 30 --warmup-ms 2000 \
      --json "$out/bench-bert-implicit.json" >> "$out/bench.txt" 2>> "$out/bench-stderr.txt"
  fi;;
esac
exit 0
