// Cast onto float8 grids for infinities, overflow and NaN, as the ONNX reference (the Cast backend
// tests' expected outputs, e.g. test_cast_FLOAT_to_FLOAT8E5M2) does: saturate maps ±Inf to ±max in
// every format; without saturate overflow is inf (e5m2) or NaN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ELEMENT_TYPE as T, elementType } from '../../src/tensor/element-type.js';

const round = (code: number, v: number, saturate: boolean) => elementType(code)!.round(v, { saturate, roundMode: 'up' });

test('float8 casts of infinities and overflow saturate or not as the ONNX reference does', () => {
  // FLT_MAX of each format: e4m3fn 448, e4m3fnuz 240, e5m2 57344, e5m2fnuz 57344
  const cases: [number, number][] = [[T.FLOAT8E4M3FN, 448], [T.FLOAT8E4M3FNUZ, 240], [T.FLOAT8E5M2, 57344], [T.FLOAT8E5M2FNUZ, 57344]];
  for (const [code, max] of cases) {
    const ieee = code === T.FLOAT8E5M2;
    assert.equal(round(code, Infinity, true), max, `saturate Inf, type ${code}`);
    assert.equal(round(code, -Infinity, true), -max, `saturate -Inf, type ${code}`);
    assert.equal(round(code, 1e9, true), max, `saturate overflow, type ${code}`);
    assert.equal(round(code, -1e9, true), -max);
    const inf = round(code, Infinity, false);
    if (ieee) assert.equal(inf, Infinity);
    else assert.ok(Number.isNaN(inf), `no-saturate Inf is NaN, type ${code}`);
    assert.ok(Number.isNaN(round(code, NaN, true)));
    assert.equal(round(code, max, false), max, 'the largest value is exact');
  }
  assert.equal(round(T.FLOAT8E4M3FN, 0.1, true), 0.1015625, 'nearest e4m3fn value to 0.1 (13/128)');
});
