import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadCascade } from '../../src/ir/check.ts';
import { optimize } from '../../src/rewrite/search.ts';
import { expand } from '../../src/rewrite/expand.ts';
import { split } from '../../src/rewrite/split.ts';
import { online } from '../../src/rewrite/online.ts';
import { draftCascade, draftOf } from '../../src/rewrite/draft.ts';
import { stabilityOf, Verifier } from '../../src/rewrite/verify.ts';
import { analysePasses } from '../../src/analysis/passes.ts';
import { textbookAttention } from '../../src/exec/reference-attention.ts';
import { completeInputs } from '../../src/exec/inputs.ts';
import { runCascade } from '../../src/exec/run.ts';
import { maxRelativeDifference, type Tensor } from '../../src/tensor/index.ts';
import { builtinCascade } from '../helpers/cascades.ts';
import { shapesOf } from '../helpers/run.ts';
import { runProcess } from '../helpers/cli.ts';

test('the textbook variance (sum of squares minus the square of the sum) is unstable on offset data; the shifted one is not', () => {
  const c = builtinCascade('layernorm');
  const v = c.einsums.findIndex((e) => e.output.tensor === 'VAR');
  const verifier = new Verifier(c);
  const judge = (shift: boolean) => {
    const r = expand(c, draftOf(c), v, shift);
    assert.ok(r.ok);
    const x = verifier.verify(draftCascade(r.rewrite.draft));
    return { x, stability: stabilityOf(x), trades: r.rewrite.trades };
  };
  const textbook = judge(false);
  const shifted = judge(true);
  assert.equal(textbook.trades, 'accuracy');
  assert.equal(shifted.trades, undefined);
  // Both agree with the original on ordinary data; with X offset by 1e5 the textbook form cancels
  // ~1e10 against ~1 (error ~1e-6), far beyond what the original itself moves (~1e-9).
  assert.ok(textbook.x.maxRelError < 1e-14 && shifted.x.maxRelError < 1e-14);
  const offset = (r: typeof textbook) => r.x.cases.find((x) => x.data === 'offset' && x.input === 'X');
  assert.ok((offset(textbook)?.maxRelError as number) > 1e-7, String(offset(textbook)?.maxRelError));
  assert.ok((offset(shifted)?.maxRelError as number) < 1e-10, String(offset(shifted)?.maxRelError));
  assert.equal(textbook.stability, 'unstable');
  assert.equal(shifted.stability, 'stable');
});

test('optimize refuses the unstable form with a warning, and --allow-unstable takes it', () => {
  const c = builtinCascade('layernorm');
  const safe = optimize(c);
  assert.match(safe.text, /XS\[d,p\] = X\[d,p\] - X\[0,p\]/);
  assert.ok(safe.warnings.some((w) => /numerically unstable: relative error .* on data with X offset by 1e\+5 .*refused/.test(w)), safe.warnings.join('\n'));
  const risky = optimize(c, { allowUnstable: true });
  assert.equal(risky.stability, 'unstable');
  assert.doesNotMatch(risky.text, /X\[0,p\]/);
  assert.ok(risky.compute.after < safe.compute.after, 'the textbook form saves the shift');
  assert.ok(risky.warnings.some((w) => /accepted \(--allow-unstable\)/.test(w)));
});

test('split and the online normalizer on a cascade that arrives partitioned', () => {
  const c = builtinCascade('attention-partitioned');
  const p = c.partitions[0];
  assert.ok(p);
  const s = split(c, draftOf(c), p);
  assert.ok(s.ok);
  const after = draftCascade(s.rewrite.draft);
  assert.ok(after.einsums.some((e) => e.output.tensor === 'LGM' && e.reducedVars.join() === 'm0'));
  assert.ok(after.einsums.some((e) => e.output.tensor === 'GM' && e.reducedVars.join() === 'm1'));
  const g = after.einsums.findIndex((e) => e.output.tensor === 'GM');
  const o = online(after, draftOf(after), g);
  assert.ok(o.ok, o.ok ? '' : o.refusal.reason);
  assert.equal(analysePasses(draftCascade(o.rewrite.draft)).ranks.get('M1'), 2, 'A still reads the completed SD: defer first');
  const none = loadCascade('input X[M]\nshape M0 = 4\nB[m1,m0] = X[m1*M0+m0]\nL[m1] = B[m1,m0]\nS = L[m1]\n', 'x.cascade');
  const r = split(none, draftOf(none), none.partitions[0] as NonNullable<typeof p>);
  assert.equal(r.ok, false);
});

test('online with an output that carries the rank: the readers of the completed values run in a second traversal', () => {
  const c = builtinCascade('softmax');
  const r = online(c, draftOf(c), 0);
  assert.ok(r.ok);
  const text = draftCascade(r.rewrite.draft);
  const passes = analysePasses(text);
  assert.equal(passes.ranks.get('M'), 2);
  assert.match(r.rewrite.description, /Y, SN read the completed values in a second traversal/);
  // The running copy of SN feeds the sum, SN itself (with the final maximum) feeds Y, out of the loop.
  const y = text.einsums.find((e) => e.output.tensor === 'Y');
  assert.deepEqual([...(y?.vars.keys() ?? [])], ['m2', 'p']);
  assert.ok(text.einsums.some((e) => e.output.tensor === 'RSN'));
});

test('optimize --chunk with a partial last tile: attention at M = 1000 in tiles of 256 runs and equals float64 attention', () => {
  const c = builtinCascade('attention-3pass');
  const r = optimize(c, { chunk: 256, shapes: new Map(Object.entries({ M: 1000, P: 1000, E: 64, F: 64 })) });
  assert.equal(r.passesAfter.get('M1'), 1);
  assert.equal(r.compute.shapes.get('M1'), 4);
  const shapes = shapesOf(r.cascade, { M: 1000, M0: 256, P: 16, E: 8, F: 8 });
  const inputs = completeInputs(r.cascade, shapes, 5);
  const d = (n: string) => (inputs.get(n) as Tensor).toDense();
  const out = (runCascade(r.cascade, shapes, inputs).outputs.get('AV') as Tensor).toDense();
  assert.ok(maxRelativeDifference(out, textbookAttention({ M: 1000, P: 16, E: 8, F: 8 }, d('Q'), d('K'), d('V'))) < 1e-12);
});

test('fusemax optimize --json reports the lower bound, whether it is reached and each rule\'s error; passes --json the bounds', () => {
  const r = runProcess('optimize', 'layernorm-matmul', '--json');
  assert.equal(r.status, 0, r.err);
  const j = JSON.parse(r.out) as {
    lowerBound: Record<string, number>; lowerBoundReason: string; reachedLowerBound: boolean; passesAfter: Record<string, number>;
    rules: Array<{ rule: string; relError: Record<string, number | null> }>; stability: string; tolerance: number; warnings: string[];
  };
  assert.deepEqual(j.lowerBound, { D: 1 });
  assert.equal(j.passesAfter['D'], 1);
  assert.equal(j.reachedLowerBound, true);
  assert.match(j.lowerBoundReason, /no output carries D/);
  assert.equal(j.tolerance, 1e-9);
  assert.equal(j.stability, 'stable');
  assert.ok(j.rules.some((x) => x.rule === 'expand'));
  for (const x of j.rules) assert.deepEqual(Object.keys(x.relError), ['normal', 'scaled', 'offset:X', 'offset:W']);
  const p = runProcess('passes', 'layernorm', '--json');
  assert.equal(p.status, 0, p.err);
  const pj = JSON.parse(p.out) as { ranks: Record<string, number>; lowerBound: Record<string, number>; lowerBoundReasons: Record<string, string> };
  assert.deepEqual(pj.ranks, { D: 3, P: 1 });
  assert.deepEqual(pj.lowerBound, { D: 2, P: 1 });
  assert.match(pj.lowerBoundReasons['D'] ?? '', /Y carries D and depends on MU/);
  const human = runProcess('optimize', 'layernorm', '--allow-unstable');
  assert.equal(human.status, 0, human.err);
  assert.match(human.out, /passes D:3 → D:2 \(lower bound 2 over D: reached\)/);
  assert.match(human.out, /warning: .* accepted \(--allow-unstable\)/);
});
