// The vision transforms on small synthetic images, against values worked out by hand from the
// conventions (Pillow/torchvision bilinear with antialiasing, torchvision centre crop, ToTensor,
// Normalize). The antialiased resize values below are also what Pillow 9.4 Image.resize(BILINEAR) gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError, ShapeError } from '../../src/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { createImage, toRGB } from '../../src/vision/image.js';
import { defaultResize, imagenetPreprocess } from '../../src/vision/imagenet.js';
import { resize, resizedSize, resizeTo } from '../../src/vision/resize.js';
import { batch, centerCrop, centerCropOffset, compose, normalize, toTensor } from '../../src/vision/transforms.js';

const gray = (w: number, h: number, values: number[]) => createImage(w, h, 1, Uint8Array.from(values));
const near = (got: ArrayLike<number>, want: number[], tol = 1e-6) => {
  assert.equal(got.length, want.length);
  want.forEach((w, i) => assert.ok(Math.abs(got[i]! - w) <= tol, `[${i}] ${got[i]} vs ${w}`));
};

test('enlarging is plain bilinear with pixel centres at +0.5 and no edge padding', () => {
  // output centres 0.25, 0.75, 1.25, 1.75 over inputs at 0.5 (0) and 1.5 (100): the outer two see one pixel
  assert.deepEqual([...resizeTo(gray(2, 1, [0, 100]), 1, 4).data], [0, 25, 75, 100]);
  // the same along y
  assert.deepEqual([...resizeTo(gray(1, 2, [0, 100]), 4, 1).data], [0, 25, 75, 100]);
});

test('shrinking widens the triangle by the scale (antialias); antialias: false is plain bilinear', () => {
  // 4 → 2: centre 1 takes inputs at 0.5, 1.5, 2.5 with weights 0.75, 0.75, 0.25 (/1.75):
  // (0·0.75 + 40·0.75 + 80·0.25) / 1.75 = 28.57 → 29; centre 3: (40·0.25 + 80·0.75 + 120·0.75) / 1.75 = 91.43 → 91
  assert.deepEqual([...resizeTo(gray(4, 1, [0, 40, 80, 120]), 1, 2).data], [29, 91]);
  // unit triangle: the two nearest inputs halve: (0 + 40) / 2, (80 + 120) / 2
  assert.deepEqual([...resizeTo(gray(4, 1, [0, 40, 80, 120]), 1, 2, { antialias: false }).data], [20, 100]);
  // 3 → 1 averages with weights tri(−1/3), tri(0), tri(1/3) = 2/3, 1, 2/3: (0·2 + 30·3 + 90·2) / 7 = 38.57 → 39
  assert.deepEqual([...resizeTo(gray(3, 1, [0, 30, 90]), 1, 1).data], [39]);
});

test('separable passes, channels kept apart, constant images stay constant', () => {
  // 2×2 → 1×1 with antialias: every input weighs the same: (10 + 20 + 30 + 40) / 4 = 25
  assert.deepEqual([...resizeTo(gray(2, 2, [10, 20, 30, 40]), 1, 1).data], [25]);
  const rgb = createImage(3, 2, 3, Uint8Array.from({ length: 18 }, (_, i) => [7, 130, 250][i % 3]!));
  const big = resizeTo(rgb, 5, 7);
  for (let i = 0; i < big.data.length; i++) assert.equal(big.data[i], [7, 130, 250][i % 3]);
});

test('the shorter side goes to the size; the longer one is ⌊size·long/short⌋ (torchvision)', () => {
  assert.deepEqual(resizedSize(3, 6, 2), [2, 4]);
  assert.deepEqual(resizedSize(3, 5, 2), [2, 3]); // 10/3 = 3.33
  assert.deepEqual(resizedSize(480, 640, 256), [256, 341]); // 341.33
  assert.deepEqual(resizedSize(640, 480, 256), [341, 256]);
  assert.deepEqual(resizedSize(10, 20, [3, 4]), [3, 4]);
  const out = resize(2)(gray(5, 3, new Array(15).fill(9)));
  assert.deepEqual([out.width, out.height], [3, 2]);
  assert.equal(defaultResize(224), 256);
  assert.equal(defaultResize(299), 342);
  assert.throws(() => resize(0)(gray(1, 1, [0])), InputError);
});

test('centre crop: offset round((size − crop) / 2) with halves to even; zero padding when too small', () => {
  assert.equal(centerCropOffset(7, 2), 2); // 2.5 → 2
  assert.equal(centerCropOffset(9, 2), 4); // 3.5 → 4
  assert.equal(centerCropOffset(256, 224), 16);
  assert.equal(centerCropOffset(341, 224), 58); // 58.5 → 58
  assert.equal(centerCropOffset(2, 5), -1); // pad ⌊3/2⌋ = 1 before
  // a 5×3 image of values 10·y + x: the 3×1 centre is row 1, columns 1..3
  const img = gray(5, 3, Array.from({ length: 15 }, (_, i) => 10 * Math.floor(i / 5) + (i % 5)));
  const c = centerCrop([1, 3])(img);
  assert.deepEqual([c.width, c.height, ...c.data], [3, 1, 11, 12, 13]);
  // 2×1 into a 4×3 window: one zero column before, one after; one zero row above and below
  const p = centerCrop([3, 4])(gray(2, 1, [5, 6]));
  assert.deepEqual([...p.data], [0, 0, 0, 0, 0, 5, 6, 0, 0, 0, 0, 0]);
});

test('toTensor is CHW in [0, 1]; normalize uses ImageNet mean/std by default', () => {
  const img = createImage(2, 1, 3, Uint8Array.from([255, 0, 128, 51, 102, 204]));
  const t = toTensor()(img);
  assert.deepEqual(t.shape, [3, 1, 2]);
  near(t.data, [1, 0.2, 0, 0.4, 128 / 255, 0.8]);
  const n = normalize()(t);
  // (1 − 0.485)/0.229, (0.2 − 0.485)/0.229, (0 − 0.456)/0.224, (0.4 − 0.456)/0.224, (128/255 − 0.406)/0.225, (0.8 − 0.406)/0.225
  near(n.data, [2.2489083, -1.2445415, -2.0357143, -0.25, 0.42649237, 1.7511111], 2e-6);
  near(normalize([0.5], [0.5])(new Tensor('float32', [1, 1, 2], Float32Array.from([0, 1]))).data, [-1, 1]);
  assert.throws(() => normalize()(toTensor()(gray(1, 1, [0]))), ShapeError);
  assert.throws(() => normalize([0], [0]), InputError);
});

test('toRGB copies gray to three channels and drops alpha', () => {
  assert.deepEqual([...toRGB(createImage(2, 1, 1, Uint8Array.from([3, 9]))).data], [3, 3, 3, 9, 9, 9]);
  assert.deepEqual([...toRGB(createImage(1, 1, 2, Uint8Array.from([3, 0]))).data], [3, 3, 3]);
  assert.deepEqual([...toRGB(createImage(1, 1, 4, Uint8Array.from([1, 2, 3, 0]))).data], [1, 2, 3]);
});

test('imagenetPreprocess composes RGB → resize → crop → tensor → normalize', () => {
  // constant colour: geometry cannot change values, so every pixel is the normalized colour
  const img = createImage(7, 5, 3, Uint8Array.from({ length: 105 }, (_, i) => [255, 0, 51][i % 3]!));
  const t = imagenetPreprocess({ size: 4, resize: 6 })(img);
  assert.deepEqual(t.shape, [3, 4, 4]);
  const want = [(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (0.2 - 0.406) / 0.225];
  for (let i = 0; i < t.size; i++) assert.ok(Math.abs(t.data[i]! - want[Math.floor(i / 16)]!) < 2e-6);
  // a gray image gives three equal-pixel planes
  const g = imagenetPreprocess({ size: [2, 3], resize: 3, mean: [0, 0, 0], std: [1, 1, 1] })(gray(3, 3, [0, 51, 102, 153, 204, 255, 0, 51, 102]));
  assert.deepEqual(g.shape, [3, 2, 3]);
  near(g.data.subarray(0, 6), [0, 0.2, 0.4, 0.6, 0.8, 1]); // crop offset round(1/2) = 0 (half to even)
  near(g.data.subarray(6, 12), g.data.subarray(0, 6) as unknown as number[]);
  // compose chains any functions in order
  assert.equal(compose((x: number) => x + 1, (x: number) => x * 10)(2), 30);
});

test('batch stacks same-shaped tensors and refuses mixed shapes', () => {
  const a = new Tensor('float32', [1, 1, 2], Float32Array.from([1, 2]));
  const b = new Tensor('float32', [1, 1, 2], Float32Array.from([3, 4]));
  const x = batch([a, b]);
  assert.deepEqual(x.shape, [2, 1, 1, 2]);
  assert.deepEqual([...x.data], [1, 2, 3, 4]);
  assert.throws(() => batch([a, new Tensor('float32', [1, 2, 1])]), ShapeError);
  assert.throws(() => batch([]), InputError);
});
