import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import type { Partition } from '../../src/ir/cascade.ts';
import { split } from '../../src/rewrite/split.ts';
import { prune } from '../../src/rewrite/prune.ts';
import { draftCascade, draftOf, draftText } from '../../src/rewrite/draft.ts';
import { verifyRewrite } from '../../src/rewrite/verify.ts';

// split: ⊕ over (m1, m0) = ⊕ over m1 of (⊕ over m0) for an associative, commutative ⊕; prune: an
// Einsum that no output reads, directly or through others, goes. The rewritten cascades by hand,
// then run against the originals on random data (M = 10 in tiles of 4: the last tile is partial).
const BLOCKED = 'input X[M,P]\nshape M0 = 4\nBX[m1,m0,p] = X[m1*M0+m0,p]\n';
const body = (text: string) => text.slice(text.indexOf('\n', text.indexOf('output')) + 1);

const SPLIT: ReadonlyArray<readonly [string, string, string]> = [
  [
    `${BLOCKED}GM[p] = BX[m1,m0,p] :: reduce max\nSD[p] = BX[m1,m0,p]\nY[m1,m0,p] = BX[m1,m0,p] - GM[p] + SD[p]\n`,
    'shape  M0 = 4\nBX[m1,m0,p] = X[m1*M0+m0,p]\nLGM[m1,p] = BX[m1,m0,p] :: reduce max\nGM[p] = LGM[m1,p] :: reduce max\nLSD[m1,p] = BX[m1,m0,p]\nSD[p] = LSD[m1,p]\nY[m1,m0,p] = BX[m1,m0,p] - GM[p] + SD[p]\n',
    'GM, SD: reduced over M0 per tile, then over M1',
  ],
  // A taken name gets a suffix; p is reduced too and stays in the local reduction.
  [
    'input X[M,P], LGM\nshape M0 = 4\nBX[m1,m0,p] = X[m1*M0+m0,p]\nGM = BX[m1,m0,p] * LGM :: reduce min\n',
    'shape  M0 = 4\nBX[m1,m0,p] = X[m1*M0+m0,p]\nLGM2[m1] = BX[m1,m0,p] * LGM :: reduce min\nGM = LGM2[m1] :: reduce min\n',
    'GM: reduced over M0 per tile, then over M1',
  ],
  // LA is taken, so A's local reduction is LA2, and then A2's is LA22.
  [
    `${BLOCKED}LA[p] = BX[0,0,p]\nA[p] = BX[m1,m0,p]\nA2[p] = BX[m1,m0,p] :: reduce max\nY[p] = LA[p] + A[p] + A2[p]\n`,
    'shape  M0 = 4\nBX[m1,m0,p] = X[m1*M0+m0,p]\nLA[p] = BX[0,0,p]\nLA2[m1,p] = BX[m1,m0,p]\nA[p] = LA2[m1,p]\nLA22[m1,p] = BX[m1,m0,p] :: reduce max\nA2[p] = LA22[m1,p] :: reduce max\nY[p] = LA[p] + A[p] + A2[p]\n',
    'A, A2: reduced over M0 per tile, then over M1',
  ],
];

test('split: a reduction over both parts of a partition, per tile then over the tiles, by hand and on random data', () => {
  for (const [text, want, description] of SPLIT) {
    const c = loadCascade(text, 'split.cascade');
    const r = split(c, draftOf(c), c.partitions[0] as Partition);
    assert.ok(r.ok, `${text}: ${r.ok ? '' : r.refusal.reason}`);
    assert.equal(body(draftText(r.rewrite.draft)), want, text);
    assert.equal(r.rewrite.rule, 'split');
    assert.equal(r.rewrite.description, description);
    assert.equal(r.rewrite.condition, '⊕ over (M1, M0) = ⊕ over M1 of ⊕ over M0 for an associative, commutative ⊕');
    const v = verifyRewrite(c, draftCascade(r.rewrite.draft), new Map([['M', 10], ['M0', 4], ['P', 3]]), 2);
    assert.ok(v.maxRelError < 1e-12, `${text}: ${v.maxRelError}`);
  }
});

test('split refuses a non-associative or non-commutative reduction, a filter, and a cascade with nothing to split', () => {
  const refused: ReadonlyArray<readonly [string, string]> = [
    [`${BLOCKED.replace('\nshape', '\noperator f(a, b) = a + b identity 0\nshape')}GM[p] = BX[m1,m0,p] :: reduce f\n`, 'GM reduces with f, which is not associative and commutative'],
    [`${BLOCKED}GM[p] = BX[m1,m0 : m0 < 2,p]\n`, 'GM filters its iteration space'],
    [`${BLOCKED}GM[m1,p] = BX[m1,m0,p]\n`, 'no Einsum reduces both M1 and M0'],
  ];
  for (const [text, reason] of refused) {
    const c = loadCascade(text, 'split.cascade');
    assert.deepEqual(split(c, draftOf(c), c.partitions[0] as Partition), { ok: false, refusal: { rule: 'split', target: 'M', reason } }, text);
  }
});

test('prune drops what no output needs (through chains, every Einsum of an iterative tensor), and refuses when nothing is dead', () => {
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['input A[K], B\nT[k] = A[k] * B\nU = T[k]\nY = A[k]\n', 'Y = A[k]\n', 'dropped T, U, which no output needs'],
    ['input A[K]\noutput Y\nT[k] = A[k]\nY = A[k]\nU = T[k]\n', 'Y = A[k]\n', 'dropped T, U, which no output needs'],
    ['input A[K]\noutput Y\nS[0] = 0\nS[k+1] = S[k] + A[k]\nY = A[k]\n', 'Y = A[k]\n', 'dropped S, which no output needs'],
    ['input A[K], B\noutput Y\nT[k] = A[k] * B\nY = T[k]\nU = T[k] * B\n', 'T[k] = A[k] * B\nY = T[k]\n', 'dropped U, which no output needs'],
  ];
  for (const [text, want, description] of cases) {
    const c = loadCascade(text, 'prune.cascade');
    const r = prune(draftOf(c));
    assert.ok(r.ok, text);
    assert.equal(body(draftText(r.rewrite.draft)), want, text);
    assert.deepEqual([r.rewrite.rule, r.rewrite.description, r.rewrite.condition], ['prune', description, 'an Einsum whose result no output reads, directly or through others, does not change the outputs']);
    assert.ok(verifyRewrite(c, draftCascade(r.rewrite.draft), new Map([['K', 5]]), 2).maxRelError === 0, text);
  }
  const live = loadCascade('input A[K], B\nT[k] = A[k] * B\nY = T[k]\n', 'prune.cascade');
  assert.deepEqual(prune(draftOf(live)), { ok: false, refusal: { rule: 'prune', target: 'the cascade', reason: 'every Einsum feeds an output' } });
});
