// One line from `nnrt verify --json` output: pass/fail, max abs error, engine summary.
import { readFileSync } from 'node:fs';
const j = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const o = j.results.flatMap((r) => r.outputs);
const e = j.engineStats;
const eng = e ? ` subgraphs ${e.partition.subgraphs.length}, declined ${e.partition.declined.length}, device copies ${e.deviceCopies}` : '';
console.log(`${j.pass ? 'pass' : 'FAIL'} max abs ${Math.max(...o.map((x) => x.maxAbsError)).toExponential(2)} transfers ${j.transfers}${eng}`);
