/**
 * Item 5 of issue #9: no input makes an internal error. Mutated built-in cascades go through everything
 * a command does with a cascade (check, print in every style, pass analysis, live footprint, the
 * trade-off, the memory check, both executors on a tiny shape): each step either works or stops with a
 * coded diagnostic (UserError); any other exception is a bug and fails the test with the input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { UserError } from '../../src/diagnostics/diagnostic.ts';
import { ranksOf } from '../../src/ir/cascade.ts';
import { loadCascade } from '../../src/ir/check.ts';
import { resolveShapes } from '../../src/ir/shapes.ts';
import { printCascade } from '../../src/notation/print.ts';
import { analysePasses } from '../../src/analysis/passes.ts';
import { liveFootprint } from '../../src/analysis/footprint.ts';
import { tradeoff } from '../../src/analysis/tradeoff.ts';
import { checkRunMemory } from '../../src/exec/memory.ts';
import { completeInputs } from '../../src/exec/inputs.ts';
import { runCascade } from '../../src/exec/run.ts';
import { runFused } from '../../src/exec/fused.ts';
import { mutatedBuiltinCascade } from '../helpers/cascades.ts';

/** Run one step; a UserError ends the pipeline quietly, anything else is reported with the input. */
function step<T>(text: string, name: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UserError) return undefined;
    throw new Error(`internal error in ${name} for input:\n${text}\n${(err as Error).stack}`);
  }
}

function pipeline(text: string): void {
  const c = step(text, 'check', () => loadCascade(text, 'fuzz.cascade'));
  if (!c) return;
  step(text, 'print unicode', () => printCascade(c, 'unicode'));
  step(text, 'print latex', () => printCascade(c, 'latex'));
  const analysis = step(text, 'passes', () => analysePasses(c));
  const outers = new Set(c.partitions.map((p) => p.outer));
  const inners = new Set(c.partitions.map((p) => p.inner));
  const given = new Map(ranksOf(c).filter((r) => !outers.has(r)).map((r) => [r, inners.has(r) ? 2 : 4] as const));
  const shapes = step(text, 'shapes', () => resolveShapes(c, given));
  if (!shapes) return;
  if (analysis) step(text, 'footprint', () => liveFootprint(c, analysis, shapes));
  step(text, 'tradeoff', () => tradeoff(c, shapes));
  if (!step(text, 'memory', () => checkRunMemory(c, shapes, 'float64', 2 ** 30))) return;
  const inputs = step(text, 'inputs', () => completeInputs(c, shapes, 7));
  if (!inputs) return;
  step(text, 'run', () => runCascade(c, shapes, inputs));
  step(text, 'run fused', () => runFused(c, shapes, inputs));
}

test('property: mutated cascades never cause an internal error anywhere in the pipeline', () => {
  fc.assert(fc.property(mutatedBuiltinCascade(), pipeline), propertyParams(400));
});

test('the memory check names the largest tensors and what they need', () => {
  const c = loadCascade('input A[M,K]\ninput B[K,N]\nZ[m,n] = A[m,k] * B[k,n]\n', 'mm.cascade');
  const shapes = resolveShapes(c, new Map([['M', 50000], ['K', 50000], ['N', 50000]]));
  assert.throws(() => checkRunMemory(c, shapes, 'float64', 2 ** 34), (e: unknown) => {
    assert.ok(e instanceof UserError);
    const d = e.diagnostics[0]!;
    assert.equal(d.code, 'FM331');
    // Three 5e4 × 5e4 float64 tensors: 3 × 2e10 bytes = 55.9 GiB; each is 18.6 GiB.
    assert.match(d.message, /needs 55\.9 GiB .*A\[50000×50000\] 18\.6 GiB/);
    return true;
  });
  const huge = resolveShapes(c, new Map([['M', 1e5], ['K', 1e5], ['N', 1e6]]));
  assert.throws(() => checkRunMemory(c, huge, 'float32', Infinity), (e: unknown) => e instanceof UserError && e.diagnostics[0]!.code === 'FM330' && /B\[100000×1000000\] 372\.5 GiB has 1\.000e\+11 elements/.test(e.diagnostics[0]!.message));
  const fits = checkRunMemory(c, resolveShapes(c, new Map([['M', 8], ['K', 4], ['N', 2]])), 'float32', 1024);
  assert.equal(fits.totalBytes, (8 * 4 + 4 * 2 + 8 * 2) * 4);
});
