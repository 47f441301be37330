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
