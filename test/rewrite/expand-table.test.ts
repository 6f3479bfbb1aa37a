import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { completedOver, expand } from '../../src/rewrite/expand.ts';
import { draftCascade, draftOf, draftText } from '../../src/rewrite/draft.ts';
import { stabilityOf, verifyRewrite } from '../../src/rewrite/verify.ts';

// The expansion rule on small sums, multiplied out by hand: Σ_d Σᵢ cᵢ·mᵢ(d) = Σᵢ cᵢ·Σ_d mᵢ(d) and
// Σ_d c = D·c. Shifted (the default): a centred value X − MU is written (X − X₀) + (X₀ − MU), X₀ = X[0,p].
// Textbook (shift false): multiplied out as written. Each rewrite is then checked on random data.
const VARIANCE = 'input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - MU[p]) / D\n';
const ACCEPTED: ReadonlyArray<{ text: string; shift: boolean; want: string }> = [
  // Σ (X−MU)²/D = ΣX²/D − 2·MU·ΣX/D + D·MU²/D.
  { text: VARIANCE, shift: false, want: 'MU[p] = X[d,p] / D\nSX2[p] = X[d,p] * X[d,p]\nSX[p] = X[d,p]\nV[p] = SX2[p] / D - 2 * (SX[p] * MU[p] / D) + MU[p] * MU[p]\n' },
  // (X−MU)² = XS² + 2·XS·(X₀−MU) + (X₀−MU)², XS = X − X₀.
  {
    text: VARIANCE, shift: true,
    want: 'MU[p] = X[d,p] / D\nXS[d,p] = X[d,p] - X[0,p]\nSXS2[p] = XS[d,p] * XS[d,p]\nSXS[p] = XS[d,p]\nV[p] = SXS2[p] / D + 2 * (SXS[p] * (X[0,p] - MU[p]) / D) + (X[0,p] - MU[p]) * (X[0,p] - MU[p])\n',
  },
  // (X−MX)(Y−MY) = XY − X·MY − Y·MX + MX·MY.
  {
    text: 'input X[D,P], Y[D,P]\nMX[p] = X[d,p] / D\nMY[p] = Y[d,p] / D\nC[p] = (X[d,p] - MX[p]) * (Y[d,p] - MY[p]) / D\n', shift: false,
    want: 'MX[p] = X[d,p] / D\nMY[p] = Y[d,p] / D\nSXY[p] = X[d,p] * Y[d,p]\nSX[p] = X[d,p]\nSY[p] = Y[d,p]\nC[p] = SXY[p] / D - SX[p] * MY[p] / D - SY[p] * MX[p] / D + MX[p] * MY[p]\n',
  },
  {
    text: 'input X[D,P], Y[D,P]\nMX[p] = X[d,p] / D\nMY[p] = Y[d,p] / D\nC[p] = (X[d,p] - MX[p]) * (Y[d,p] - MY[p]) / D\n', shift: true,
    want: 'MX[p] = X[d,p] / D\nMY[p] = Y[d,p] / D\nXS[d,p] = X[d,p] - X[0,p]\nYS[d,p] = Y[d,p] - Y[0,p]\nSXSYS[p] = XS[d,p] * YS[d,p]\nSXS[p] = XS[d,p]\nSYS[p] = YS[d,p]\n'
      + 'C[p] = SXSYS[p] / D + SXS[p] * (Y[0,p] - MY[p]) / D + SYS[p] * (X[0,p] - MX[p]) / D + (X[0,p] - MX[p]) * (Y[0,p] - MY[p])\n',
  },
  // XC, a map of the completed MU, is inlined (and dropped); square(u) = u·u.
  {
    text: 'input X[D,P]\nMU[p] = X[d,p] / D\nXC[d,p] = X[d,p] - MU[p]\nV[p] = square(XC[d,p])\n', shift: false,
    want: 'MU[p] = X[d,p] / D\nSX2[p] = X[d,p] * X[d,p]\nSX[p] = X[d,p]\nV[p] = SX2[p] - 2 * (SX[p] * MU[p]) + MU[p] * MU[p] * D\n',
  },
  // Σ W·(X−MU)/MU = ΣWX/MU − ΣW (MU/MU cancels: no divisor is 0).
  { text: 'input X[D,P], W[D]\nMU[p] = X[d,p] / D\nV[p] = W[d] * (X[d,p] - MU[p]) / MU[p]\n', shift: false, want: 'MU[p] = X[d,p] / D\nSWX[p] = W[d] * X[d,p]\nSW = W[d]\nV[p] = SWX[p] / MU[p] - SW\n' },
  {
    text: 'input X[D,P], W[D]\nMU[p] = X[d,p] / D\nV[p] = W[d] * (X[d,p] - MU[p]) / MU[p]\n', shift: true,
    want: 'MU[p] = X[d,p] / D\nXS[d,p] = X[d,p] - X[0,p]\nSWXS[p] = W[d] * XS[d,p]\nSW = W[d]\nV[p] = SWXS[p] / MU[p] + SW * (X[0,p] - MU[p]) / MU[p]\n',
  },
  // Negation: Σ −(X−MU)·X = −ΣX² + MU·ΣX; shifted, −Σ XS·X − (X₀−MU)·ΣX.
  { text: 'input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = -(X[d,p] - MU[p]) * X[d,p]\n', shift: false, want: 'MU[p] = X[d,p] / D\nSX2[p] = X[d,p] * X[d,p]\nSX[p] = X[d,p]\nV[p] = -SX2[p] + SX[p] * MU[p]\n' },
  { text: 'input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = -(X[d,p] - MU[p]) * X[d,p]\n', shift: true, want: 'MU[p] = X[d,p] / D\nXS[d,p] = X[d,p] - X[0,p]\nSXSX[p] = XS[d,p] * X[d,p]\nSX[p] = X[d,p]\nV[p] = -SXSX[p] - SX[p] * (X[0,p] - MU[p])\n' },
  // Constant coefficients: (X−MU)²/4 = X²/4 − X·MU/2 + MU²/4.
  {
    text: 'input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - MU[p]) / 4\n', shift: false,
    want: 'MU[p] = X[d,p] / D\nSX2[p] = X[d,p] * X[d,p]\nSX[p] = X[d,p]\nV[p] = 0.25 * SX2[p] - 0.5 * (SX[p] * MU[p]) + 0.25 * (MU[p] * MU[p] * D)\n',
  },
  // An earlier Einsum with the same sum (S = ΣX) serves; MU = S/D is inlined: ΣX² − 2·S·S/D + D·(S/D)².
  {
    text: 'input X[D,P]\nS[p] = X[d,p]\nMU[p] = S[p] / D\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - MU[p])\n', shift: false,
    want: 'S[p] = X[d,p]\nSX2[p] = X[d,p] * X[d,p]\nV[p] = SX2[p] - 2 * (S[p] * S[p] / D) + S[p] * S[p] / D\n',
  },
  // A later Einsum with the same sum (T = ΣX², reading only inputs) moves up and serves.
  {
    text: 'input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - MU[p])\nT[p] = X[d,p] * X[d,p]\n', shift: false,
    want: 'MU[p] = X[d,p] / D\nT[p] = X[d,p] * X[d,p]\nSX[p] = X[d,p]\nV[p] = T[p] - 2 * (SX[p] * MU[p]) + MU[p] * MU[p] * D\n',
  },
  // Two reduced variables: X₀ = X[0,0,p], the count is D·E, and the mean MU = ΣX serves as the sum.
  {
    text: 'input X[D,E,P]\nMU[p] = X[d,e,p]\nV[p] = (X[d,e,p] - MU[p]) * (X[d,e,p] - MU[p])\n', shift: false,
    want: 'MU[p] = X[d,e,p]\nSX2[p] = X[d,e,p] * X[d,e,p]\nV[p] = SX2[p] - 2 * (MU[p] * MU[p]) + MU[p] * MU[p] * D * E\n',
  },
  {
    text: 'input X[D,E,P]\nMU[p] = X[d,e,p]\nV[p] = (X[d,e,p] - MU[p]) * (X[d,e,p] - MU[p])\n', shift: true,
    want: 'MU[p] = X[d,e,p]\nXS[d,e,p] = X[d,e,p] - X[0,0,p]\nSXS2[p] = XS[d,e,p] * XS[d,e,p]\nSXS[p] = XS[d,e,p]\nV[p] = SXS2[p] + 2 * (SXS[p] * (X[0,0,p] - MU[p])) + (X[0,0,p] - MU[p]) * (X[0,0,p] - MU[p]) * D * E\n',
  },
  // Division by a sum free of d is one atom with exponent −1: Σ (W−MU)/(MU+1) = (ΣW − D·MU)/(MU+1).
  {
    text: 'input X[D,P], W[D,P]\nMU[p] = X[d,p] / D\nV[p] = (W[d,p] - MU[p]) / (MU[p] + 1)\n', shift: false,
    want: 'MU[p] = X[d,p] / D\nSW[p] = W[d,p]\nV[p] = SW[p] / (MU[p] + 1) - MU[p] * D / (MU[p] + 1)\n',
  },
  // Two means of the same X share one shifted value: (X−MU)(X−M2) = XS² + XS·(X₀−M2) + XS·(X₀−MU) + (X₀−MU)(X₀−M2).
  {
    text: 'input X[D,P]\nMU[p] = X[d,p] / D\nM2[p] = X[d,p] * 0.5\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - M2[p])\n', shift: true,
    want: 'MU[p] = X[d,p] / D\nM2[p] = X[d,p] * 0.5\nXS[d,p] = X[d,p] - X[0,p]\nSXS2[p] = XS[d,p] * XS[d,p]\nSXS[p] = XS[d,p]\n'
      + 'V[p] = SXS2[p] + SXS[p] * (X[0,p] - M2[p]) + SXS[p] * (X[0,p] - MU[p]) + (X[0,p] - MU[p]) * (X[0,p] - M2[p]) * D\n',
  },
  // Names in use (XS, SX) are not reused.
  {
    text: 'input X[D,P], XS, SX\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - MU[p]) * XS * SX\n', shift: false,
    want: 'MU[p] = X[d,p] / D\nSX2[p] = X[d,p] * X[d,p]\nSX3[p] = X[d,p]\nV[p] = SX2[p] * XS * SX - 2 * (SX3[p] * MU[p] * XS * SX) + MU[p] * MU[p] * XS * SX * D\n',
  },
  {
    text: 'input X[D,P], XS, SX\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - MU[p]) * XS * SX\n', shift: true,
    want: 'MU[p] = X[d,p] / D\nXS2[d,p] = X[d,p] - X[0,p]\nSXS22[p] = XS2[d,p] * XS2[d,p]\nSXS2[p] = XS2[d,p]\n'
      + 'V[p] = SXS22[p] * XS * SX + 2 * (SXS2[p] * (X[0,p] - MU[p]) * XS * SX) + (X[0,p] - MU[p]) * (X[0,p] - MU[p]) * XS * SX * D\n',
  },
  // An intermediate that is not complete after D (T = 2X) is not inlined: T itself is shifted.
  {
    text: 'input X[D,P]\nT[d,p] = X[d,p] * 2\nMU[p] = X[d,p] / D\nV[p] = (T[d,p] - MU[p]) * (T[d,p] - MU[p])\n', shift: true,
    want: 'T[d,p] = X[d,p] * 2\nMU[p] = X[d,p] / D\nTS[d,p] = T[d,p] - T[0,p]\nSTS2[p] = TS[d,p] * TS[d,p]\nSTS[p] = TS[d,p]\nV[p] = STS2[p] + 2 * (STS[p] * (T[0,p] - MU[p])) + (T[0,p] - MU[p]) * (T[0,p] - MU[p]) * D\n',
  },
  // Every term free of d joins the offset: X − MU + W = XS + (X₀ − MU + W).
  {
    text: 'input X[D,P], W[P]\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p] + W[p]) * (X[d,p] - MU[p] + W[p])\n', shift: true,
    want: 'MU[p] = X[d,p] / D\nXS[d,p] = X[d,p] - X[0,p]\nSXS2[p] = XS[d,p] * XS[d,p]\nSXS[p] = XS[d,p]\nV[p] = SXS2[p] + 2 * (SXS[p] * (X[0,p] - MU[p] + W[p])) + (X[0,p] - MU[p] + W[p]) * (X[0,p] - MU[p] + W[p]) * D\n',
  },
  // A term that varies and reads MU (X·MU) is not shifted: Σ (XS + (X₀ − MU) + X·MU) = ΣXS + D·(X₀ − MU) + MU·ΣX.
  {
    text: 'input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = X[d,p] - MU[p] + X[d,p] * MU[p]\n', shift: true,
    want: 'MU[p] = X[d,p] / D\nXS[d,p] = X[d,p] - X[0,p]\nSXS[p] = XS[d,p]\nSX[p] = X[d,p]\nV[p] = SXS[p] + (X[0,p] - MU[p]) * D + SX[p] * MU[p]\n',
  },
  // Nothing centred (no term varies free of MU): Σ (X·MU + MU) = MU·ΣX + D·MU.
  { text: 'input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = X[d,p] * MU[p] + MU[p]\n', shift: true, want: 'MU[p] = X[d,p] / D\nSX[p] = X[d,p]\nV[p] = SX[p] * MU[p] + MU[p] * D\n' },
  // Two varying terms shift together, as one value named after the target: VS = X + Y − (X₀ + Y₀).
  {
    text: 'input X[D,P], Y[D,P]\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] + Y[d,p] - MU[p]) * (X[d,p] + Y[d,p] - MU[p])\n', shift: true,
    want: 'MU[p] = X[d,p] / D\nVS[d,p] = X[d,p] + Y[d,p] - (X[0,p] + Y[0,p])\nSVS2[p] = VS[d,p] * VS[d,p]\nSVS[p] = VS[d,p]\n'
      + 'V[p] = SVS2[p] + 2 * (SVS[p] * (X[0,p] + Y[0,p] - MU[p])) + (X[0,p] + Y[0,p] - MU[p]) * (X[0,p] + Y[0,p] - MU[p]) * D\n',
  },
  // A negated varying term: −X + MU = VS + (−X₀ + MU), VS = −X − −X₀.
  {
    text: 'input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = (-X[d,p] + MU[p]) * (-X[d,p] + MU[p])\n', shift: true,
    want: 'MU[p] = X[d,p] / D\nVS[d,p] = -X[d,p] - -X[0,p]\nSVS2[p] = VS[d,p] * VS[d,p]\nSVS[p] = VS[d,p]\nV[p] = SVS2[p] + 2 * (SVS[p] * (-X[0,p] + MU[p])) + (-X[0,p] + MU[p]) * (-X[0,p] + MU[p]) * D\n',
  },
  // Names in use by Einsums (XS, SX2) are not reused either.
  {
    text: 'input X[D,P]\noutput V, XS\nXS[p] = X[d,p] * 2\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - MU[p])\n', shift: true,
    want: 'XS[p] = X[d,p] * 2\nMU[p] = X[d,p] / D\nXS2[d,p] = X[d,p] - X[0,p]\nSXS22[p] = XS2[d,p] * XS2[d,p]\nSXS2[p] = XS2[d,p]\nV[p] = SXS22[p] + 2 * (SXS2[p] * (X[0,p] - MU[p])) + (X[0,p] - MU[p]) * (X[0,p] - MU[p]) * D\n',
  },
  {
    text: 'input X[D,P], W[P]\noutput V, SX2\nSX2[p] = W[p] * 2\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - MU[p])\n', shift: false,
    want: 'SX2[p] = W[p] * 2\nMU[p] = X[d,p] / D\nSX22[p] = X[d,p] * X[d,p]\nSX[p] = X[d,p]\nV[p] = SX22[p] - 2 * (SX[p] * MU[p]) + MU[p] * MU[p] * D\n',
  },
  // An earlier sum (S) serves where it is; MU, an output, stays between it and the expansion.
  {
    text: 'input X[D,P]\noutput V, MU\nS[p] = X[d,p]\nMU[p] = S[p] / D\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - MU[p])\n', shift: false,
    want: 'S[p] = X[d,p]\nMU[p] = S[p] / D\nSX2[p] = X[d,p] * X[d,p]\nV[p] = SX2[p] - 2 * (S[p] * S[p] / D) + S[p] * S[p] / D\n',
  },
  // A negative power of a varying atom (1/X), named with I: Σ (X − MU)/X = D − MU·Σ 1/X; shifted, Σ XS/X + (X₀ − MU)·Σ 1/X.
  { text: 'input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) / X[d,p]\n', shift: false, want: 'MU[p] = X[d,p] / D\nSXI[p] = 1 / X[d,p]\nV[p] = D - SXI[p] * MU[p]\n' },
  {
    text: 'input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) / X[d,p]\n', shift: true,
    want: 'MU[p] = X[d,p] / D\nXS[d,p] = X[d,p] - X[0,p]\nSXSXI[p] = XS[d,p] / X[d,p]\nSXI[p] = 1 / X[d,p]\nV[p] = SXSXI[p] + SXI[p] * (X[0,p] - MU[p])\n',
  },
  // Two maps of completed values inlined (Y = 2·XC): Σ Y·XC = 2·Σ XC².
  {
    text: 'input X[D,P]\nMU[p] = X[d,p] / D\nXC[d,p] = X[d,p] - MU[p]\nY[d,p] = XC[d,p] * 2\nV[p] = Y[d,p] * XC[d,p]\n', shift: true,
    want: 'MU[p] = X[d,p] / D\nXS[d,p] = X[d,p] - X[0,p]\nSXS2[p] = XS[d,p] * XS[d,p]\nSXS[p] = XS[d,p]\nV[p] = 2 * SXS2[p] + 4 * (SXS[p] * (X[0,p] - MU[p])) + 2 * ((X[0,p] - MU[p]) * (X[0,p] - MU[p]) * D)\n',
  },
  // A varying term not centred: square(X) is one atom, nothing to shift.
  { text: 'input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = square(X[d,p]) - MU[p] * X[d,p]\n', shift: true, want: 'MU[p] = X[d,p] / D\nST[p] = square(X[d,p])\nSX[p] = X[d,p]\nV[p] = ST[p] - SX[p] * MU[p]\n' },
];

const target = (text: string) => loadCascade(text, 'expand.cascade');
const last = (c: ReturnType<typeof target>) => c.einsums.findIndex((e) => e.output.tensor === 'V' || e.output.tensor === 'C');

test('expand: the multiplied-out sums, by hand, and equal to the originals on random data', () => {
  for (const { text, shift, want } of ACCEPTED) {
    const c = target(text);
    const r = expand(c, draftOf(c), last(c), shift);
    assert.ok(r.ok, `${text}: ${r.ok ? '' : r.refusal.reason}`);
    const out = draftText(r.rewrite.draft);
    assert.equal(out.slice(out.indexOf('\n', out.indexOf('output')) + 1), want, text);
    const shapes = new Map([['D', 5], ['E', 3], ['P', 2]].filter(([k]) => text.includes(`${k}]`) || text.includes(`${k},`)) as [string, number][]);
    const v = verifyRewrite(c, draftCascade(r.rewrite.draft), shapes, 2);
    assert.ok(v.maxRelError < 1e-12, `${text}: ${v.maxRelError}`);
  }
});

test('expand says what it multiplied out, which identities it used, and when it trades accuracy', () => {
  const c = target(VARIANCE);
  const shifted = expand(c, draftOf(c), 1);
  const textbook = expand(c, draftOf(c), 1, false);
  assert.ok(shifted.ok && textbook.ok);
  assert.equal(shifted.rewrite.rule, 'expand');
  assert.equal(shifted.rewrite.description, 'V: multiplied out the sum over d into SXS2, SXS, a count, shifted by the first element (XS)');
  assert.equal(textbook.rewrite.description, 'V: multiplied out the sum over d into SX2, SX, a count');
  const identities = 'Σ_d Σᵢ cᵢ·mᵢ = Σᵢ cᵢ·Σ_d mᵢ when cᵢ does not depend on d; Σ c = D·c';
  assert.equal(textbook.rewrite.condition, `${identities}; no divisor is 0`);
  assert.equal(shifted.rewrite.condition, `${identities}; x = (x − x₀) + x₀ with x₀ the value at the first coordinate (keeps the sums small when x has a large common offset); no divisor is 0`);
  assert.equal(shifted.rewrite.trades, undefined);
  assert.equal(textbook.rewrite.trades, 'accuracy');
  // Not centred (nothing to shift): no trade either way; inlined intermediates are named.
  const plain = target('input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = square(X[d,p]) - MU[p] * X[d,p]\n');
  const p = expand(plain, draftOf(plain), 1, false);
  assert.ok(p.ok && p.rewrite.trades === undefined);
  assert.equal(p.rewrite.description, 'V: multiplied out the sum over d into ST, SX');
  // A centred generation S[k] has no first value to shift by: multiplied out as written even when
  // shifting, so the rewrite says it trades accuracy. Σ_k (S−MU)² = ΣS² − 2·MU·ΣS + K·MU².
  const gen = target('input A[K], B[K]\nS[0] = 0\nS[k+1] = S[k] + A[k]\nMU = B[k]\nV = (S[k] - MU) * (S[k] - MU)\n');
  const g = expand(gen, draftOf(gen), 3);
  assert.ok(g.ok);
  assert.equal(g.rewrite.trades, 'accuracy');
  assert.match(draftText(g.rewrite.draft), /\nSS2 = S\[k\] \* S\[k\]\nSS = S\[k\]\nV = SS2 - 2 \* \(SS \* MU\) \+ MU \* MU \* K\n$/);
  assert.ok(verifyRewrite(gen, draftCascade(g.rewrite.draft), new Map([['K', 6]]), 2).maxRelError < 1e-12);
  const inl = target('input X[D,E,P]\nMU[p] = X[d,e,p] / D / E\nXC[d,e,p] = X[d,e,p] - MU[p]\nV[p] = square(XC[d,e,p])\n');
  const i = expand(inl, draftOf(inl), 2);
  assert.ok(i.ok);
  assert.equal(i.rewrite.description, 'V: multiplied out the sum over d, e into SXS2, SXS, a count, shifted by the first element (XS) (inlined XC)');
  assert.match(i.rewrite.condition, /^Σ_d,e Σᵢ cᵢ·mᵢ = Σᵢ cᵢ·Σ_d,e mᵢ when cᵢ does not depend on d, e; Σ c = D·E·c; x = /);
  const said = (text: string, shift = true) => {
    const x = target(text);
    const r = expand(x, draftOf(x), x.einsums.findIndex((e) => e.output.tensor === 'V' || e.output.tensor === 'C'), shift);
    return r.ok ? r.rewrite.description : r.refusal.reason;
  };
  assert.equal(said('input X[D,P], Y[D,P]\nMX[p] = X[d,p] / D\nMY[p] = Y[d,p] / D\nC[p] = (X[d,p] - MX[p]) * (Y[d,p] - MY[p]) / D\n'), 'C: multiplied out the sum over d into SXSYS, SXS, SYS, a count, shifted by the first element (XS, YS)');
  assert.equal(said('input X[D,P]\nMU[p] = X[d,p] / D\nXC[d,p] = X[d,p] - MU[p]\nY[d,p] = XC[d,p] * 2\nV[p] = Y[d,p] * XC[d,p]\n'), 'V: multiplied out the sum over d into SXS2, SXS, a count, shifted by the first element (XS) (inlined Y, XC)');
});

test('the textbook variance is unstable on offset data; the shifted one is stable (against the original in float64)', () => {
  const c = target(VARIANCE);
  const shapes = new Map([['D', 6], ['P', 3]]);
  for (const [shift, want] of [[true, 'stable'], [false, 'unstable']] as const) {
    const r = expand(c, draftOf(c), 1, shift);
    assert.ok(r.ok);
    assert.equal(stabilityOf(verifyRewrite(c, draftCascade(r.rewrite.draft), shapes)), want);
  }
});

const REFUSED: ReadonlyArray<readonly [string, RegExp]> = [
  ['input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = exp(X[d,p] - MU[p])\n', /^its summand depends on MU inside exp\(\), which has no expansion$/],
  ['input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = sqrt(X[d,p] - MU[p])\n', /^its summand depends on MU inside sqrt\(\), which has no expansion$/],
  ['input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = max(X[d,p], MU[p])\n', /^its summand depends on MU inside max\(\), which has no expansion$/],
  ['input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = X[d,p] / (X[d,p] - MU[p])\n', /^its summand divides by a sum that depends on a completed value and on the reduced variables$/],
  ['input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = recip(X[d,p] - MU[p])\n', /divides by a sum that depends on a completed value/],
  ['input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = X[d,p] * MU[p]\n', /^its summand is a single product \(defer moves its factors\)$/],
  ['input X[D,P], W[D,P]\nMU[p] = X[d,p] / D\nV[p] = W[d,p] * MU[p] / (MU[p] + 1)\n', /single product/],
  ['input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = X[d,p] - MU[p] :: reduce max\n', /^its reduction is max\(union\); only a \+ reduction distributes$/],
  // Operators with other merges are not the arithmetic ones: − and × and ÷ with another merge are opaque.
  ['input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - MU[p]) :: map -(intersect)\n', /^its summand depends on MU inside sub\(\), which has no expansion$/],
  ['input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - MU[p]) :: map *(union)\n', /^its summand depends on MU inside mul\(\), which has no expansion$/],
  ['input X[D,P], W[D,P]\nMU[p] = X[d,p] / D\nV[p] = (W[d,p] - MU[p]) / (MU[p] + 1) :: map /(union)\n', /^its summand depends on MU inside div\(\), which has no expansion$/],
  ['input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) * (X[d,p] - MU[p]) :: reduce +(intersect)\n', /^its reduction is add\(intersect\); only a \+ reduction distributes$/],
  ['input X[D,E,P]\nV[p] = X[d,e,p] * X[d,e,p]\n', /^its summand depends on no value complete only after a whole D, E fiber$/],
  ['input X[D,P]\nMU[p] = X[d,p] / D\nV[d,p] = X[d,p] - MU[p]\n', /^it reduces nothing$/],
  ['input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = X[d,p] * X[d,p]\n', /^its summand depends on no value complete only after a whole D fiber$/],
  ['input X[D,P]\nMU[p] = X[d,p] / D\nV[p] = X[d : d < 3,p] - MU[p]\n', /^it filters its iteration space/],
  ['input X[D,P]\nshape D0 = 4\nB[d1,d0,p] = X[d1*D0+d0,p]\nMU[p] = B[d1,d0,p] / D\nV[p] = (B[d1,d0,p] - MU[p]) * (B[d1,d0,p] - MU[p])\n', /^a term free of d0 would be counted over D0, the inner part of a partition, whose last tile may be partial$/],
];

test('expand refuses what distributivity does not allow', () => {
  for (const [text, reason] of REFUSED) {
    const c = target(text);
    for (const shift of [true, false]) {
      const r = expand(c, draftOf(c), c.einsums.length - 1, shift);
      assert.equal(r.ok, false, text);
      assert.match(r.ok ? '' : r.refusal.reason, reason, text);
      assert.equal(r.ok ? '' : `${r.refusal.rule} ${r.refusal.target}`, 'expand V', text);
    }
  }
  const c = target(VARIANCE);
  assert.deepEqual(expand(c, draftOf(c), 9), { ok: false, refusal: { rule: 'expand', target: '#9', reason: 'no such Einsum' } });
  // (X−MU)·W + MU·W = X·W: multiplied out as written, the terms cancel to one product (shifted, X₀ − MU stays one atom).
  const cancels = target('input X[D,P], W[D,P]\nMU[p] = X[d,p] / D\nV[p] = (X[d,p] - MU[p]) * W[d,p] + MU[p] * W[d,p]\n');
  assert.match((expand(cancels, draftOf(cancels), 1, false) as { refusal: { reason: string } }).refusal.reason, /single product/);
  // An initialization and a recurrence that reduce j.
  for (const [text, at] of [['input A[K,J]\nS[0] = A[0,j]\nS[k+1] = S[k] + A[k,0]\n', 0], ['input A[K,J]\nS[0] = 0\nS[k+1] = A[k,j]\n', 1]] as const) {
    const it = target(text);
    assert.deepEqual(expand(it, draftOf(it), at), { ok: false, refusal: { rule: 'expand', target: 'S', reason: 'it is part of an iterative rank' } }, text);
  }
});

test('completedOver: reductions over the rank, readers of its final generation, and what is computed from them', () => {
  const c = target('input A[K], B[K], C\nS[0] = 0\nS[k+1] = S[k] + A[k]\nF = S[K]\nG = F * C\nMU = B[k]\nN[k] = B[k] * C\nH[k] = N[k] + 1\nY[k] = H[k] * MU\n');
  assert.deepEqual([...completedOver(c, new Set(['K']))].sort(), ['F', 'G', 'MU', 'Y']);
  assert.deepEqual([...completedOver(c, new Set(['J']))], []);
});
