import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { loadCascade } from '../../src/ir/check.ts';
import type { Cascade } from '../../src/ir/cascade.ts';
import { analysePasses } from '../../src/analysis/passes.ts';
import { lowerBounds, rankLowerBound } from '../../src/analysis/lower-bound.ts';
import { completeInputs } from '../../src/exec/inputs.ts';
import { runCascade } from '../../src/exec/run.ts';
import { Tensor } from '../../src/tensor/index.ts';
import { builtinCascade } from '../helpers/cascades.ts';
import { shapesOf } from '../helpers/run.ts';

// The lower bound rests on two facts (docs/passes.md, "Lower bound"):
//  1. after one pass over R, an output element at the first coordinate of R does not depend on the data
//     at the last coordinate (streaming: values at r come from coordinates up to r);
//  2. an output that carries R and depends on a reduction over R does depend on it.
// So no 1-pass cascade computes such an output. Both facts are checked here by running cascades on
// data changed only at the last coordinate of R.

/** Input data with the last coordinate of `rank` changed by `delta` in every input that carries it. */
function perturbedAtLast(c: Cascade, shapes: ReadonlyMap<string, number>, inputs: ReadonlyMap<string, Tensor>, rank: string, delta: number): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, t] of inputs) {
    const at = (c.tensors.get(name)?.ranks ?? []).indexOf(rank);
    const data = t.toDense().slice();
    if (at >= 0) {
      const extent = shapes.get(rank) as number;
      const inner = t.shape.slice(at + 1).reduce((a, b) => a * b, 1);
      for (let i = 0; i < data.length; i++) if (Math.floor(i / inner) % extent === extent - 1) data[i] = (data[i] as number) + delta;
    }
    out.set(name, Tensor.fromDense(name, t.rankIds, t.shape, data));
  }
  return out;
}

/** The elements of the outputs that carry `rank` (or its outer part `counted`) at its first coordinate. */
function firstCoordinate(c: Cascade, outputs: ReadonlyMap<string, Tensor>, rank: string, counted: string): number[] {
  const values: number[] = [];
  for (const [name, t] of outputs) {
    const ranks = c.tensors.get(name)?.ranks ?? [];
    const at = ranks.indexOf(counted) >= 0 ? ranks.indexOf(counted) : ranks.indexOf(rank);
    if (at < 0) continue;
    const inner = t.shape.slice(at + 1).reduce((a, b) => a * b, 1);
    const extent = t.shape[at] as number;
    t.toDense().forEach((v, i) => { if (Math.floor(i / inner) % extent === 0) values.push(v); });
  }
  return values;
}

function dependsOnLast(c: Cascade, shapes: Record<string, number>, rank: string, counted = rank): boolean {
  const s = shapesOf(c, shapes);
  const inputs = completeInputs(c, s, 3);
  const base = firstCoordinate(c, runCascade(c, s, inputs).outputs, rank, counted);
  return [50, -50].some((delta) => {
    const moved = firstCoordinate(c, runCascade(c, s, perturbedAtLast(c, s, inputs, rank, delta)).outputs, rank, counted);
    return moved.some((v, i) => !Object.is(v, base[i]));
  });
}

test('an output that carries the rank and has bound 2 depends on the data at the last coordinate', () => {
  const cases: Array<[Cascade, Record<string, number>, string, string]> = [
    [builtinCascade('layernorm'), { D: 9, P: 3 }, 'D', 'D'],
    [builtinCascade('softmax'), { M: 9, P: 3 }, 'M', 'M'],
    [loadCascade('input X[D,P], G[D]\nMS[p] = X[d,p] * X[d,p] / D\nY[d,p] = G[d] * X[d,p] / sqrt(MS[p] + 0.000001)\n', 'rms.cascade'), { D: 9, P: 3 }, 'D', 'D'],
    [loadCascade('input X[M,P]\nshape M0 = 4\nBX[m1,m0,p] = X[m1*M0+m0,p]\nGM[p] = BX[m1,m0,p] :: reduce max\nY[m1,m0,p] = exp(BX[m1,m0,p] - GM[p])\n', 'part.cascade'), { M: 10, P: 3 }, 'M', 'M1'],
  ];
  for (const [c, shapes, rank, counted] of cases) {
    assert.equal(rankLowerBound(c, counted).passes, 2, c.source.file);
    assert.ok(dependsOnLast(c, shapes, rank, counted), c.source.file);
  }
});

const STEPS = ['mix', 'center', 'expsub', 'sum', 'max', 'prefix'] as const;

/** A random chain of normalization-like Einsums over K (the rank studied) and P. */
const chainArb = fc.array(fc.record({ kind: fc.constantFrom(...STEPS), stat: fc.nat(), input: fc.boolean() }), { minLength: 1, maxLength: 6 }).map((steps) => {
  const lines = ['input A[K,P], B[K,P]'];
  let stream = 'A[k,p]';
  const stats: string[] = [];
  let prefix = false;
  let last = 'A';
  steps.forEach((s, n) => {
    const name = `T${n}`;
    const input = s.input ? 'A[k,p]' : 'B[k,p]';
    const stat = stats.length ? `${stats[s.stat % stats.length]}[p]` : undefined;
    const kind = (s.kind === 'center' || s.kind === 'expsub') && !stat ? 'sum' : s.kind === 'prefix' && prefix ? 'mix' : s.kind;
    switch (kind) {
      case 'mix': lines.push(`${name}[k,p] = ${stream} * ${input}`); stream = `${name}[k,p]`; break;
      case 'center': lines.push(`${name}[k,p] = ${stream} - ${stat}`); stream = `${name}[k,p]`; break;
      case 'expsub': lines.push(`${name}[k,p] = exp(${stream} - ${stat})`); stream = `${name}[k,p]`; break;
      case 'sum': lines.push(`${name}[p] = ${stream} * ${input}`); stats.push(name); break;
      case 'max': lines.push(`${name}[p] = ${stream} :: reduce max`); stats.push(name); break;
      case 'prefix':
        // A running sum over K: generation k+1 from generation k (an iterative rank, streaming).
        lines.push(`${name}[k:k=0,p] = 0`, `${name}[k+1,p] = ${name}[k,p] + ${stream}`);
        prefix = true;
        break;
      default: { const never: never = kind; return never; }
    }
    last = name;
  });
  return lines.join('\n') + `\noutput ${last}\n`;
});

test('property: after one pass over K, outputs at the first coordinate do not depend on the last one; the bound never exceeds the passes', () => {
  const params = propertyParams(150);
  let streamed = 0;
  fc.assert(fc.property(chainArb, (text) => {
    const c = loadCascade(text, 'chain.cascade');
    const passes = analysePasses(c).ranks;
    for (const [rank, b] of lowerBounds(c)) assert.ok(b.passes <= (passes.get(rank) as number), `${rank}: bound ${b.passes} > ${passes.get(rank)}\n${text}`);
    const output = c.tensors.get(c.outputs[0] as string);
    if (passes.get('K') !== 1 || !output?.ranks.includes('K')) return;
    streamed++;
    assert.equal(dependsOnLast(c, { K: 5, P: 2 }, 'K'), false, text);
  }), params);
  assert.ok(streamed >= params.numRuns / 10, `only ${streamed} one-pass cascades with an output over K`);
});
