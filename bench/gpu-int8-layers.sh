#!/usr/bin/env bash
# Where implicit int8 spends its time on the NVIDIA GPU machine (issue 16), in about 4 minutes:
# torchvision ResNet-50 (batch 32) and a Hugging Face BERT-base (seq 128) from
# bench/gpu-models/int8_models.py, calibrated by `nnrt calibrate` (the test photographs; the
# seeded BERT sequences), each benched device-resident in fp16 beside int8 with its float layers
# in fp16 (--int8-float fp16), with --layer-times; the int8 tensor-core check first; BERT's
# partition last (what runs outside the engine).
#
#   source .gpu/enter.sh && OUT=/tmp/out bash bench/gpu-int8-layers.sh
#
# INT8_PRECISIONS (default fp16,int8) picks the rows, e.g. fp32,fp16,int8 for the ratio to fp32 (fp16 alone: the float engine only);
# INT8_SKIP_BERT=1 benches ResNet-50 only, INT8_SKIP_RESNET=1 BERT only; INT8_RESNET_LIMIT (default 240 s) bounds its bench.
#
# Writes to $OUT: mma.txt (GPU, driver, the check), int8.txt (tables and layer times),
# int8-stderr.txt, bench-resnet.json, bench-bert.json.
set -uo pipefail
out=${OUT:-bench-out}; d=${MODELS_DIR:-/tmp/nnrt-int8-layers}; mkdir -p "$out" "$d"
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp} NNRT_GPU_FEATURES=${NNRT_GPU_FEATURES:-f16,subgroup-matrix}
nnrt=(node dist/cli/main.js)
py() { python3 -c "
import sys, os; sys.path.insert(0,'bench/gpu-models'); import int8_models as m
$1
print('exported', flush=True)
"; }
[ -z "${INT8_SKIP_RESNET:-}" ] && py "m.export_cnn('$d','resnet50')" > $out/int8-stderr.txt 2>&1 &
r=$!
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > $out/mma.txt 2>&1
timeout 40 node bench/gpu-models/int8-mma-check.mjs >> $out/mma.txt 2>&1
wait $r
py "
p, calib, sets = m.export_bert('$d')
for k, f in enumerate(calib):
  sd=os.path.join('$d','bert_calib',f'set_{k}'); os.makedirs(sd, exist_ok=True)
  for i,n in enumerate(('input_ids','attention_mask','token_type_ids')): m.tensor_pb(os.path.join(sd,f'input_{i}.pb'), f[n], n)
" >> $out/int8-stderr.txt 2>&1 &
b=$!
# the int8 options go with an int8 row only (INT8_PRECISIONS=fp16 benches the float engine alone)
precisions=${INT8_PRECISIONS:-fp16,int8}
int8_args=(); case ",$precisions," in *,int8,*) int8_args=(--calibration $d/r.cache --int8-float fp16) ;; esac
{
if [ -z "${INT8_SKIP_RESNET:-}" ]; then
timeout 90 "${nnrt[@]}" calibrate $d/resnet50_fp/model.onnx --images test/fixtures/images --batch-size 4 --algo entropy --device webgpu --out $d/r.cache --quiet; echo "step exit $? at ${SECONDS} s" >&2
timeout ${INT8_RESNET_LIMIT:-240} "${nnrt[@]}" bench $d/resnet50_fp/model.onnx --batch 32 --device webgpu --engine webgpu --precision $precisions "${int8_args[@]}" --mode resident --no-peers --runs 60 --warmup-ms 8000 --steady-ms 15000 --layer-times --json $out/bench-resnet.json; echo "step exit $? at ${SECONDS} s" >&2
fi
wait $b
if [ -z "${INT8_SKIP_BERT:-}" ]; then
timeout 60 "${nnrt[@]}" calibrate $d/bert_base_fp/model.onnx --data $d/bert_calib --algo minmax --device webgpu --out $d/b.cache --quiet; echo "step exit $? at ${SECONDS} s" >&2
timeout 240 "${nnrt[@]}" bench $d/bert_base_fp/model.onnx --device webgpu --engine webgpu --precision fp16,int8 --calibration $d/b.cache --int8-float fp16 --mode resident --no-peers --runs 60 --warmup-ms 8000 --steady-ms 15000 --layer-times --json $out/bench-bert.json; echo "step exit $? at ${SECONDS} s" >&2
timeout 15 "${nnrt[@]}" inspect $d/bert_base_fp/model.onnx --partition webgpu
fi
} > $out/int8.txt 2>> $out/int8-stderr.txt
ls $out
