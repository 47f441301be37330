// Registers the import converters that upgrade older op forms. One file per family, owned
// beside the ops they convert.
import './elementwise.js';
import './legacy.js';
import './math.js';
import './nn.js';
import './quant.js';
import './recurrent.js';
import './tensor.js';
import './control-flow.js';
import './indexing.js';
