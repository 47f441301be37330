// Transformer-era ai.onnx ops (Attention, RotaryEmbedding, FlexAttention, LinearAttention,
// CausalConvWithState, the loss ops, DynamicQuantizeLinear): the ONNX backend node tests.
// The *_expanded folders are the ops' function bodies in primitive ops (Mod, GatherElements,
// Scan...), which other op families cover. FlexAttention's score_mod/prob_mod folders carry
// subgraph attributes, which nnrt's FlexAttention does not run (see its op definition).
import { conformanceTests, foldersMatching, FULL_FIXTURES } from '../helpers/conformance.js';

const OPS = /^test_(attention|rotary_embedding|flexattention|linear_attention|causal_conv_with_state|nllloss|sce|dynamicquantizelinear)(_|$)/;
const SUBGRAPH_ATTRS = /^test_flexattention_(causal_mask|prob_mod|relative_positional|score_mod|soft_cap)$/;

const folders = foldersMatching(OPS, FULL_FIXTURES).filter((d) => !d.includes('_expanded') && !SUBGRAPH_ATTRS.test(d));
conformanceTests('transformer ops', folders, 'cpu', FULL_FIXTURES);
