// Registers every MXNet op converter (one file per family).
import './elementwise.js';
import './nn.js';
import './tensor.js';
