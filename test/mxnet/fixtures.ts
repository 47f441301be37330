// The real MXNet checkpoints in ../shared/fixtures/mxnet (see its SOURCES.md files) and the facts
// those SOURCES.md files state about them (input shapes, counts, outputs).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../../shared/fixtures/mxnet/', import.meta.url));
export const HAVE_FIXTURES = existsSync(FIXTURES);
export const SKIP = HAVE_FIXTURES ? undefined : '../shared/fixtures/mxnet is absent';

export const fixture = (rel: string): Buffer => readFileSync(FIXTURES + rel);
export const fixtureText = (rel: string): string => readFileSync(FIXTURES + rel, 'utf8');

export interface ModelCase {
  symbol: string;
  params?: string;
  inputShapes: Record<string, number[]>;
  /** Output shapes SOURCES.md states or implies for these input shapes. */
  outputs: Record<string, number[]>;
}

const MTCNN = 'deepinsight__insightface/mtcnn-model/';
const LFFD = 'YonghaoHe__LFFD-A-Light-and-Fast-Face-Detector-for-Edge-Devices/';
const SAGE = 'aws__sagemaker-mxnet-inference-toolkit/';

export const MODELS: ModelCase[] = [
  {
    symbol: 'DerTreiber__crfasrnn/net-symbol.json', params: 'DerTreiber__crfasrnn/net-0000.params',
    inputShapes: { data0: [2, 256], data1: [2, 800], data2: [2, 16] }, outputs: { merge_dense3_fwd_output: [2, 2] },
  },
  {
    // fully convolutional; 256x256 keeps the test fast (predict.py feeds 480x640)
    symbol: LFFD + 'symbol_64_512_16L_3scales_v1_small_deploy.json', params: LFFD + 'train_64_512_16L_3scales_v1_small_iter_1000000.params',
    inputShapes: { data: [1, 3, 256, 256] }, outputs: {},
  },
  {
    // symbol only: every argument is an input (shapes from the FC sizes and BatchNorm of SOURCES.md)
    symbol: 'apache__mxnet/save_000800.json',
    inputShapes: {
      data: [1, 200], fc1_weight: [128, 200], fc1_bias: [128], fc2_weight: [64, 128], fc2_bias: [64], fc3_weight: [10, 64], fc3_bias: [10],
      batchnorm0_gamma: [10], batchnorm0_beta: [10], batchnorm0_moving_mean: [10], batchnorm0_moving_var: [10],
    },
    outputs: { softmax_output: [1, 10] },
  },
  { symbol: SAGE + 'default_handlers/model-symbol.json', params: SAGE + 'default_handlers/model-0000.params', inputShapes: { data: [1, 2] }, outputs: {} },
  { symbol: SAGE + 'mnist/model-symbol.json', params: SAGE + 'mnist/model-0000.params', inputShapes: { data: [100, 1, 28, 28] }, outputs: { softmax_output: [100, 10] } },
  {
    symbol: 'deepinsight__insightface/gender-age-model/model-symbol.json', params: 'deepinsight__insightface/gender-age-model/model-0000.params',
    inputShapes: { data: [1, 3, 112, 112] }, outputs: { fc1_output: [1, 202] },
  },
  { symbol: MTCNN + 'det1-symbol.json', params: MTCNN + 'det1-0001.params', inputShapes: { data: [1, 3, 12, 12] }, outputs: { conv4_2_output: [1, 4, 1, 1], prob1_output: [1, 2, 1, 1] } },
  { symbol: MTCNN + 'det2-symbol.json', params: MTCNN + 'det2-0001.params', inputShapes: { data: [2, 3, 24, 24] }, outputs: { prob1_output: [2, 2] } },
  { symbol: MTCNN + 'det3-symbol.json', params: MTCNN + 'det3-0001.params', inputShapes: { data: [1, 3, 48, 48] }, outputs: { prob1_output: [1, 2] } },
  { symbol: MTCNN + 'det4-symbol.json', params: MTCNN + 'det4-0001.params', inputShapes: { data: [1, 15, 24, 24] }, outputs: {} },
  { symbol: 'songtianyi__go-mxnet-predictor/go_test-symbol.json', params: 'songtianyi__go-mxnet-predictor/go_test-0001.params', inputShapes: { data: [1, 10] }, outputs: {} },
];
