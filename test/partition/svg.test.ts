// The partition drawing: well-formed SVG (tags balanced, attributes quoted, text escaped), two
// panels, every engine node marked with its node count, declined nodes marked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphBuilder } from '../../src/ir/builder.js';
import { applyPartition, partitionGraph } from '../../src/partition/partition.js';
import { partitionSvg } from '../../src/partition/svg.js';
import { TOY, typesOf } from './helpers.js';

/** Checks XML well-formedness the way a parser would reject it; returns the element names in order. */
function wellFormed(svg: string): string[] {
  const stack: string[] = [];
  const names: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < svg.length) {
    const lt = svg.indexOf('<', i);
    const text = svg.slice(i, lt < 0 ? svg.length : lt);
    assert.doesNotMatch(text, /&(?!(amp|lt|gt|quot|apos);)/, `unescaped & in text ${JSON.stringify(text)}`);
    assert.doesNotMatch(text, />/, `stray > in text ${JSON.stringify(text)}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(svg);
    assert.ok(m, `malformed tag at ${lt}: ${svg.slice(lt, lt + 80)}`);
    const [whole, close, name, attrs, selfClose] = m;
    assert.doesNotMatch(attrs!, /&(?!(amp|lt|gt|quot|apos);)/, `unescaped & in attributes of <${name}>`);
    if (close) assert.equal(stack.pop(), name, `</${name}> closes a different element`);
    else if (!selfClose) stack.push(name!);
    if (!close) names.push(name!);
    i = lt + whole.length;
  }
  assert.deepEqual(stack, [], 'every element is closed');
  return names;
}

function sample() {
  const b = new GraphBuilder('svg & <test>');
  const x = b.input('x', 'float32', [1, 4]);
  const r = b.op('Relu', [b.op('Relu', [b.op('Relu', [x], {}, 'a<b>&"c"')], {}, 'r2')], {}, 'r3');
  const n = b.op('Neg', [r], {}, 'neg');
  const m = b.op('Mul', [b.op('Add', [n, n], {}, 'add'), b.op('Relu', [n], {}, 'r4')], {}, 'mul');
  b.output(b.op('Abs', [b.op('Relu', [b.op('Abs', [m], {}, 'abs1')], {}, 'lonely')], {}, 'y'));
  return b.graph;
}

test('the SVG is well-formed, has a before and an after panel, and marks engine and declined nodes', () => {
  const g = sample();
  const types = typesOf(g);
  const result = partitionGraph(g, types, { supports: TOY, backend: 'toy' });
  assert.deepEqual(result.subgraphs.map((s) => s.nodes), [['a<b>&"c"', 'r2', 'r3'], ['add', 'r4', 'mul']]);
  assert.deepEqual(result.tooSmall.map((c) => c.nodes), [['lonely']]);
  const applied = applyPartition(g, types, result);
  const svg = partitionSvg(g, applied.graph, result);

  const names = wellFormed(svg);
  assert.equal(names[0], 'svg');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
  const panels = [...svg.matchAll(/<g class="panel" data-title="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(panels, ['before: 10 nodes', 'after: 6 nodes, 2 engines']);

  const engines = [...svg.matchAll(/<g class="engine" data-node-count="(\d+)" data-subgraph="(\d+)">/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.deepEqual(engines, [[3, 0], [3, 1]]);
  assert.match(svg, /Engine engine_0<\/text>/);
  assert.match(svg, />3 nodes<\/text>/);
  assert.equal([...svg.matchAll(/<g class="declined">/g)].length, 3, 'neg, abs1, y');
  assert.equal([...svg.matchAll(/<g class="small">/g)].length, 1, 'lonely');
  assert.match(svg, /a&lt;b&gt;&amp;&quot;c&quot;/, 'node names are escaped');
  // every edge and box has finite coordinates
  assert.doesNotMatch(svg, /NaN|undefined|Infinity/);
});

test('the drawing is deterministic', () => {
  const g = sample();
  const types = typesOf(g);
  const draw = () => {
    const result = partitionGraph(g, types, { supports: TOY, backend: 'toy' });
    return partitionSvg(g, applyPartition(g, types, result).graph, result);
  };
  assert.equal(draw(), draw());
});

test('titles count in the singular for one; folded constants are not drawn as declined; engine colours stay distinct past the palette', () => {
  const b = new GraphBuilder();
  const x = b.input('x', 'float32', [1, 4]);
  b.output(b.op('Relu', [x]));
  const one = partitionGraph(b.graph, typesOf(b.graph), { supports: () => true, backend: 'test', minSubgraphSize: 1 });
  const svg = partitionSvg(b.graph, applyPartition(b.graph, typesOf(b.graph), one).graph, one);
  assert.match(svg, />before: 1 node</);
  assert.match(svg, />after: 1 node, 1 engine</);
  const folded = { ...one, subgraphs: [], declined: [{ node: b.graph.nodes[0]!.name, op: 'Relu', reason: 'its outputs are constants (folded before running)' }] };
  const drawn = partitionSvg(b.graph, b.graph, folded);
  assert.match(drawn, /<g class="folded">/);
  assert.doesNotMatch(drawn, /<g class="declined">/);
  // twelve engines: every fill differs
  const c = new GraphBuilder();
  let v = c.input('x', 'float32', [1, 4]);
  for (let i = 0; i < 23; i++) v = c.op(i % 2 ? 'Sigmoid' : 'Relu', [v]);
  c.output(v);
  const many = partitionGraph(c.graph, typesOf(c.graph), { supports: (n) => n.opType === 'Relu' || 'not Relu', backend: 'test', minSubgraphSize: 1 });
  const fills = new Set([...partitionSvg(c.graph, applyPartition(c.graph, typesOf(c.graph), many).graph, many).matchAll(/<g class="engine"[^>]*>\s*<title>[^<]*<\/title>\s*<rect [^>]*fill="([^"]+)"/g)].map((m) => m[1]));
  assert.equal(many.subgraphs.length, 12);
  assert.equal(fills.size, 12);
});
