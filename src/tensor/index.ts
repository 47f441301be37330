export * from './dtype.js';
export * from './float16.js';
export * from './shape.js';
export * from './tensor.js';
export * from './compare.js';
export * from './random.js';
