/**
 * @file `fusemax design`: the rediscovery of FuseMax and the time per point. For every model and length
 * of the paper (24 points), the automatic design of attention-1pass on +Binding's hardware (physical
 * fidelity) and of attention-3pass rewritten (--optimize): latency and energy over the hand-made
 * +Binding's, seconds per point. Other cascades (softmax, norms, matrix chains, 2-pass attention): time,
 * and fused over unfused (--fusion none). Baseline measured in the same run: evaluating the hand-made
 * design at the same point (what the search replaces writing by hand). And the command end to end.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLibrary } from '../src/cli/library.ts';
import { designCascadeOn, type DesignRequest } from '../src/design/design.ts';
import { quirksFor } from '../src/experiments/artifact-quirks.ts';
import { evaluatePoint, PAPER_MODELS, PAPER_SEQS } from '../src/experiments/paper.ts';
import { loadCascade } from '../src/ir/check.ts';
import type { Cascade } from '../src/ir/cascade.ts';

const ROOT = join(import.meta.dirname, '..');

function cascade(path: string): Cascade {
  return loadCascade(readFileSync(join(ROOT, path), 'utf8'), path);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function geo(xs: readonly number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}

export async function run(): Promise<void> {
  const lib = loadLibrary();
  const base = { hardware: lib.designs.get('binding')!, fidelity: 'physical', objective: 'latency', fusion: 'auto' } as const;
  const one = cascade('specs/cascades/attention-1pass.cascade');
  const three = cascade('specs/cascades/attention-3pass.cascade');
  // Warm up the JIT on one point (the CLI pays this once per run; reported below end to end).
  designCascadeOn({ ...base, cascade: one, cascadeName: 'attention-1pass', point: { kind: 'model', spec: lib.workloads, model: 'T5', seq: '16K' }, optimize: false });

  for (const [name, c, optimize] of [['attention-1pass', one, false], ['attention-3pass --optimize', three, true]] as const) {
    console.log(`\n${name} on +Binding's hardware, physical fidelity: automatic / hand-made +Binding`);
    console.log('model  seq    latency  energy   seconds  (evaluating +Binding: ms)');
    const lat: number[] = [];
    const en: number[] = [];
    const secs: number[] = [];
    const evalMs: number[] = [];
    for (const model of PAPER_MODELS) for (const seq of PAPER_SEQS) {
      const t0 = performance.now();
      const o = designCascadeOn({ ...base, cascade: c, cascadeName: name, point: { kind: 'model', spec: lib.workloads, model, seq }, optimize });
      const t1 = performance.now();
      const hand = evaluatePoint(lib, 'binding', model, seq, quirksFor('physical'));
      const t2 = performance.now();
      lat.push(o.result.latency / hand.latency);
      en.push(o.result.energy / hand.energy);
      secs.push((t1 - t0) / 1000);
      evalMs.push(t2 - t1);
      console.log(`${model.padEnd(6)} ${seq.padEnd(5)}  ${lat.at(-1)!.toFixed(4)}   ${en.at(-1)!.toFixed(4)}   ${secs.at(-1)!.toFixed(3)}    (${evalMs.at(-1)!.toFixed(2)})`);
    }
    console.log(`  latency ratio: max ${Math.max(...lat).toFixed(4)} (≤ 1: at least as fast at every point), geometric mean ${geo(lat).toFixed(4)}`);
    console.log(`  energy ratio: ${Math.min(...en).toFixed(4)}–${Math.max(...en).toFixed(4)} (≤ 1.02 required), geometric mean ${geo(en).toFixed(4)}`);
    console.log(`  seconds per point: median ${median(secs).toFixed(3)}, max ${Math.max(...secs).toFixed(3)} (goal 1 s, limit 10 s); baseline, evaluating the hand-made design: ${median(evalMs).toFixed(2)} ms (${(median(secs) * 1000 / median(evalMs)).toFixed(0)}× less)`);
  }

  console.log('\nother cascades on +Binding\'s hardware: fused (auto) over every Einsum alone (none)');
  console.log('cascade            shape                         latency  energy   seconds (auto)');
  const others: [string, string][] = [
    ['test/fixtures/design/softmax.cascade', 'M=4096,P=4096'],
    ['test/fixtures/design/logsumexp.cascade', 'M=4096,P=4096'],
    ['test/fixtures/design/layernorm.cascade', 'D=1024,P=16384'],
    ['test/fixtures/design/rmsnorm.cascade', 'D=1024,P=16384'],
    ['test/fixtures/design/matmul-chain.cascade', 'K=1024,M=4096,N=1024,J=1024'],
    ['test/fixtures/design/mlp.cascade', 'D=1024,M=4096,S=4096,F=1024'],
    ['specs/cascades/attention-2pass.cascade', 'E=64,F=64,M=16384,P=16384'],
  ];
  for (const [path, shape] of others) {
    const shapes = new Map(shape.split(',').map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])] as [string, number]));
    const req: DesignRequest = { ...base, cascade: cascade(path), cascadeName: path, point: { kind: 'shape', shapes }, optimize: false };
    const t0 = performance.now();
    const auto = designCascadeOn(req);
    const t1 = performance.now();
    const none = designCascadeOn({ ...req, fusion: 'none' });
    const name = path.split('/').at(-1)!.replace('.cascade', '');
    console.log(`${name.padEnd(18)} ${shape.padEnd(29)} ${(auto.result.latency / none.result.latency).toFixed(4)}   ${(auto.result.energy / none.result.energy).toFixed(4)}   ${((t1 - t0) / 1000).toFixed(3)}`);
  }

  const cli: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'fusemax.js'), 'design', 'attention-1pass', '--arch', 'binding', '--model', 'BERT', '--seq', '64K', '--json'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    cli.push((performance.now() - t) / 1000);
  }
  console.log(`\nthe command end to end (fresh process, cold JIT): fusemax design attention-1pass --arch binding --model BERT --seq 64K: median ${median(cli).toFixed(3)} s`);
}
