import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { loadCascade } from '../../src/ir/check.ts';
import { analysePasses } from '../../src/analysis/passes.ts';
import { runFused } from '../../src/exec/fused.ts';
import { runCascade } from '../../src/exec/run.ts';
import { completeInputs } from '../../src/exec/inputs.ts';
import { shapesOf, relError } from '../helpers/run.ts';

const RANKS = ['I', 'J', 'K', 'L'];

/** A random cascade of map/reduce Einsums over 2–4 ranks, from a small grammar. */
const cascadeArb = fc.integer({ min: 2, max: 4 }).chain((nRanks) => {
  const ranks = RANKS.slice(0, nRanks);
  const subset = fc.subarray(ranks, { minLength: 1 });
  return fc.record({
    inputs: fc.array(subset, { minLength: 2, maxLength: 3 }),
    einsums: fc.array(fc.record({
      a: fc.nat(), b: fc.nat(), keep: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      op: fc.constantFrom('*', '+', '-', 'max', 'exp', '/'), reduce: fc.constantFrom('+', 'max', 'min'),
    }), { minLength: 1, maxLength: 6 }),
    sizes: fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 4, maxLength: 4 }),
  }).map(({ inputs, einsums, sizes }) => {
    const tensors: Array<{ name: string; ranks: string[] }> = inputs.map((r, i) => ({ name: `In${i}`, ranks: [...r] }));
    const lines = [`input ${tensors.map((t) => `${t.name}[${t.ranks.join(',')}]`).join(', ')}`];
    einsums.forEach((e, n) => {
      const x = tensors[e.a % tensors.length] as { name: string; ranks: string[] };
      const y = tensors[e.b % tensors.length] as { name: string; ranks: string[] };
      const acc = (t: { name: string; ranks: string[] }) => `${t.name}[${t.ranks.map((r) => r.toLowerCase()).join(',')}]`;
      const space = ranks.filter((r) => x.ranks.includes(r) || y.ranks.includes(r));
      const out = space.filter((r, i) => e.keep[i] ?? true);
      const rhs = e.op === 'max' ? `max(${acc(x)}, ${acc(y)})` : e.op === 'exp' ? `exp(${acc(x)} - ${acc(y)})` : `${acc(x)} ${e.op} ${acc(y)}`;
      const reduces = out.length < space.length;
      const name = `T${n}`;
      lines.push(`${name}[${out.map((r) => r.toLowerCase()).join(',')}] = ${rhs}${reduces && e.reduce !== '+' ? ` :: reduce ${e.reduce}` : ''}`);
      tensors.push({ name, ranks: out });
    });
    return { text: lines.join('\n') + '\n', shapes: Object.fromEntries(ranks.map((r, i) => [r, sizes[i] as number])) };
  });
});

test('property: on random cascades the fused schedule reaches the analysed passes and agrees with the sequential run', () => {
  fc.assert(fc.property(cascadeArb, fc.nat(), ({ text, shapes }, seed) => {
    const c = loadCascade(text, 'random.cascade');
    const analysis = analysePasses(c);
    const s = shapesOf(c, Object.fromEntries(Object.entries(shapes).filter(([r]) => analysis.ranks.has(r) || [...c.tensors.values()].some((t) => t.ranks.includes(r)))));
    const inputs = completeInputs(c, s, seed);
    const seq = runCascade(c, s, inputs);
    for (const [rank, passes] of analysis.ranks) {
      assert.ok(passes <= c.einsums.length, `${passes} passes over ${rank} with ${c.einsums.length} Einsums`);
      const fused = runFused(c, s, inputs, rank);
      assert.equal(fused.trace.traversalsPerFiber, passes, `traversals of ${rank}\n${text}`);
      for (const [name, t] of seq.tensors) {
        const a = (fused.tensors.get(name) as typeof t).toDense();
        const b = t.toDense();
        // Bit for bit unless a reduction over several ranks is accumulated in another order.
        const same = a.every((v, i) => v === b[i] || (Number.isNaN(v) && Number.isNaN(b[i] as number)));
        assert.ok(same || relError(a, b) < 1e-12, `${name} over ${rank} differs by ${relError(a, b)}\n${text}`);
      }
    }
  }), propertyParams(250));
});
