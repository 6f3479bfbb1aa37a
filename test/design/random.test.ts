/**
 * `fusemax design` on random cascades (map and reduce Einsums over up to three ranks, reductions by
 * +, max or min, exp(a − b), division, a declared operator): every one gets a design (or a coded
 * diagnostic, never an internal error) that re-evaluates to the same numbers (checked inside the
 * search), is never slower than every Einsum alone, reads every input it uses and writes every output
 * at least once, and is never faster than its DRAM traffic allows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { designCascadeOn } from '../../src/design/design.ts';
import { UserError } from '../../src/diagnostics/diagnostic.ts';
import { accessesOf } from '../../src/ir/cascade.ts';
import { loadCascade } from '../../src/ir/check.ts';
import { library } from '../experiments/helpers.ts';

const RANKS = ['I', 'J', 'K'];

const cascadeArb = fc.record({
  inputs: fc.array(fc.subarray(RANKS, { minLength: 1 }), { minLength: 1, maxLength: 3 }),
  einsums: fc.array(fc.record({
    a: fc.nat(), b: fc.nat(), keep: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    op: fc.constantFrom('*', '+', '-', 'max', 'exp', '/', 'hypot'), reduce: fc.constantFrom('+', 'max', 'min'),
  }), { minLength: 1, maxLength: 5 }),
  sizes: fc.array(fc.constantFrom(4, 16, 64, 256, 1024), { minLength: 3, maxLength: 3 }),
}).map(({ inputs, einsums, sizes }) => {
  const tensors: { name: string; ranks: string[] }[] = inputs.map((r, i) => ({ name: `In${i}`, ranks: [...r] }));
  const lines = ['operator hypot(a, b) = sqrt(a * a + b * b)', `input ${tensors.map((t) => `${t.name}[${t.ranks.join(',')}]`).join(', ')}`];
  einsums.forEach((e, n) => {
    const x = tensors[e.a % tensors.length]!;
    const y = tensors[e.b % tensors.length]!;
    const acc = (t: { name: string; ranks: string[] }) => `${t.name}[${t.ranks.map((r) => r.toLowerCase()).join(',')}]`;
    const space = RANKS.filter((r) => x.ranks.includes(r) || y.ranks.includes(r));
    const out = space.filter((_, i) => e.keep[i] ?? true);
    const rhs = e.op === 'max' || e.op === 'hypot' ? `${e.op}(${acc(x)}, ${acc(y)})` : e.op === 'exp' ? `exp(${acc(x)} - ${acc(y)})` : `${acc(x)} ${e.op} ${acc(y)}`;
    const reduces = out.length < space.length;
    lines.push(`T${n}[${out.map((r) => r.toLowerCase()).join(',')}] = ${rhs}${reduces && e.reduce !== '+' ? ` :: reduce ${e.reduce}` : ''}`);
    tensors.push({ name: `T${n}`, ranks: out });
  });
  return { text: lines.join('\n') + '\n', shapes: new Map(RANKS.map((r, i) => [r, sizes[i]!])) };
});

test('property: random cascades get a design with the required properties', () => {
  fc.assert(
    fc.property(cascadeArb, ({ text, shapes }) => {
      const c = loadCascade(text, 'random.cascade');
      const used = new Map([...shapes].filter(([r]) => [...c.tensors.values()].some((t) => t.ranks.includes(r))));
      const request = { cascade: c, cascadeName: 'random', hardware: library().designs.get('binding')!, point: { kind: 'shape' as const, shapes: used }, fidelity: 'physical' as const, objective: 'latency' as const, optimize: false };
      let auto;
      let none;
      try {
        auto = designCascadeOn({ ...request, fusion: 'auto' });
        none = designCascadeOn({ ...request, fusion: 'none' });
      } catch (err) {
        if (err instanceof UserError) return; // a coded diagnostic (e.g. an Einsum no buffer can hold)
        throw new Error(`${String(err)}\n${text}`);
      }
      assert.ok(auto.result.latency <= none.result.latency * (1 + 1e-12), `fused slower than unfused\n${text}`);
      // Every input some Einsum reads, and every output.
      const read = new Set(c.einsums.flatMap((e) => accessesOf(e.expr).map((a) => a.tensor)));
      let words = 0;
      for (const t of c.tensors.values()) if (t.role === 'output' || (t.role === 'input' && read.has(t.name))) words += t.ranks.reduce((p, r) => p * used.get(r)!, 1);
      for (const o of [auto, none]) {
        assert.ok(o.result.traffic >= 2 * words * (1 - 1e-12), `inputs or outputs not moved\n${text}`);
        assert.ok(o.result.latency >= (o.result.traffic / o.result.instance.bandwidth) * (1 - 1e-12), `faster than DRAM\n${text}`);
      }
    }),
    propertyParams(25),
  );
});
