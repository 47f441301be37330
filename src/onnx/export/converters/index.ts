// Registers the export converters: per op a base (the IR form, valid from the opset that
// introduced it) and overrides for older opsets where the op's form changed. One file per family.
import './elementwise.js';
import './nn.js';
import './tensor.js';
import './reduce.js';
import './quant.js';
import './control-flow.js';
