import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCascade } from '../../src/ir/check.ts';
import { cascadeStructure } from '../../src/ir/structure.ts';
import { printCascade } from '../../src/notation/print.ts';

// One cascade with every construct the printers know: declarations, a declared operator, an
// initialization and a recurrence with an explicit stop, a partition, a filter, EDGE's generic ·,
// sub-then-exp, a unary call, negative and infinite constants, parentheses that matter, and non-default
// map and reduce actions with merges that have and have not a LaTeX symbol. The expected text is the
// notation of docs/cascade-notation.md; the Unicode and LaTeX forms spell every action out with the EDGE
// symbols (EDGE Appendix A, ../shared/reference/papers.md §2.4).
const CASCADE = `input A[K,M], B[K], V[F,M]
output Z, R
shape M0 = 4
operator lse(a, b) = max(a, b) + log(1 + exp(-abs(a - b))) identity -inf merge union
R[0] = -inf
R[i+1] = max(R[i], B[i])
BA[k,m1,m0] = A[k, m1*M0+m0]
P[k] = B[k] / (B[k] - -2.5) - A[k,m] * B[k] :: reduce[m] min(intersect)
Q[m] = exp(A[k,m] - P[k]) :: map sub_exp(take_left)
S[k] = B[k : k <= 2] · P[k] :: map max(xor)
T[m] = sqrt(Q[m]) * V[f,m] :: reduce lse(take_right)
Z = T[m] - (S[k] + inf) :: map -(nand)
stop i <= K
`;

const TEXT = [
  'input  A[K,M], B[K], V[F,M]',
  'output Z, R',
  'shape  M0 = 4',
  'operator lse(a, b) = max(a, b) + log(1 + exp(-abs(a - b))) identity -inf merge union',
  'R[0] = -inf',
  'R[i+1] = max(R[i], B[i])',
  'BA[k,m1,m0] = A[k,m1*M0+m0]',
  'P[k] = B[k] / (B[k] - (-2.5)) - A[k,m] * B[k] :: reduce min(intersect)',
  'Q[m] = exp(A[k,m] - P[k]) :: map sub-then-exp(take_left)',
  'S[k] = B[k:k<=2] · P[k] :: map max(xor)',
  'T[m] = sqrt(Q[m]) * V[f,m] :: reduce lse(take_right)',
  'Z = T[m] - (S[k] + inf) :: map -(nand)',
  'stop i <= K',
  ];

const UNICODE = [
  'input  A[K,M], B[K], V[F,M]',
  'output Z, R',
  'shape  M0 = 4',
  'operator lse(a, b) = max(a, b) + log(1 + exp(-abs(a - b))) identity -inf merge union',
  'R[0] = -inf',
  'R[i+1] = max(R[i], B[i]) :: ⋀ max(∪)',
  'BA[k,m1,m0] = A[k,m1*M0+m0]',
  'P[k] = B[k] ÷ (B[k] − (-2.5)) − A[k,m] × B[k] :: ⋀ −(∪) ⋀ ÷(←) ⋀ ×(∩) ⋁_m min(∩)',
  'Q[m] = exp(A[k,m] − P[k]) :: ⋀ sub_exp(←) ⋁_k +(∪)',
  'S[k] = B[k:k≤2] · P[k] :: ⋀ max(⊕)',
  'T[m] = sqrt(Q[m]) × V[f,m] :: ⋀ sqrt(←) ⋀ ×(∩) ⋁_f lse(→)',
  'Z = T[m] − (S[k] + inf) :: ⋀ +(∪) ⋀ −(∩̄) ⋁_{m,k} +(∪)',
  '⋄ : i ≤ K',
  ];

const LATEX = [
  '\\begin{align*}',
  '% input \\mathit{A}_{K,M}, \\mathit{B}_{K}, \\mathit{V}_{F,M}',
  '% output Z, R',
  '% shape M0 = 4',
  '% operator lse(a, b) = max(a, b) + log(1 + exp(-abs(a - b))) identity -inf merge union',
  '\\mathit{R}_{0} &= -\\infty \\\\',
  '\\mathit{R}_{i+1} &= \\max(\\mathit{R}_{i}, \\mathit{B}_{i}) \\quad :: \\bigwedge \\max(\\cup) \\\\',
  '\\mathit{BA}_{k,m1,m0} &= \\mathit{A}_{k,m1*M0+m0} \\\\',
  '\\mathit{P}_{k} &= \\mathit{B}_{k} \\div (\\mathit{B}_{k} - (-2.5)) - \\mathit{A}_{k,m} \\times \\mathit{B}_{k} \\quad :: \\bigwedge -(\\cup) \\; \\bigwedge \\div(\\leftarrow) \\; \\bigwedge \\times(\\cap) \\; \\bigvee_{m} \\min(\\cap) \\\\',
  '\\mathit{Q}_{m} &= e^{\\mathit{A}_{k,m} - \\mathit{P}_{k}} \\quad :: \\bigwedge \\mathrm{subexp}(\\leftarrow) \\; \\bigvee_{k} +(\\cup) \\\\',
  '\\mathit{S}_{k} &= \\mathit{B}_{k:k\\le2} \\cdot \\mathit{P}_{k} \\quad :: \\bigwedge \\max(\\mathrm{xor}) \\\\',
  '\\mathit{T}_{m} &= \\sqrt{\\mathit{Q}_{m}} \\times \\mathit{V}_{f,m} \\quad :: \\bigwedge \\sqrt(\\leftarrow) \\; \\bigwedge \\times(\\cap) \\; \\bigvee_{f} \\mathrm{lse}(\\rightarrow) \\\\',
  '\\mathit{Z} &= \\mathit{T}_{m} - (\\mathit{S}_{k} + \\infty) \\quad :: \\bigwedge +(\\cup) \\; \\bigwedge -(\\mathrm{nand}) \\; \\bigvee_{m,k} +(\\cup) \\\\',
  '\\diamond : i \\le K \\\\',
  '\\end{align*}',
  ];

test('text, Unicode and LaTeX printouts of a cascade with every construct', () => {
  const c = loadCascade(CASCADE, 'printers.cascade');
  assert.deepEqual(printCascade(c, 'text').split('\n'), [...TEXT, '']);
  assert.deepEqual(printCascade(c, 'unicode').split('\n'), [...UNICODE, '']);
  assert.deepEqual(printCascade(c, 'latex').split('\n'), [...LATEX, '']);
  // The text and Unicode forms re-parse to the same cascade.
  for (const style of ['text', 'unicode'] as const) assert.deepEqual(cascadeStructure(loadCascade(printCascade(c, style), style)), cascadeStructure(c), style);
});

// Precedence everywhere: rank expressions, operator bodies, negative constants, negated sums, the
// right operand of sub-then-exp, an == filter, a declared reduction; no declared outputs and no explicit stop.
const PRECEDENCE = `input A[I], B[I]
operator g(a, b) = (a - b) * -a / (b + 2) - -(a - b)
operator h(x, y) = x * y identity inf
Y[i] = A[(i+1)*2 - 1] * -2 + -(A[i] - B[i]) - (A[i] - B[i]) / (B[i] * A[i])
Z[i] = exp(A[i] - (B[i] - A[i])) + g(A[i], B[i]) - A[i : i == 0]
S[0] = 0
S[i+1] = S[i] + Y[i]
W = Z[i] * S[I] :: reduce h
`;

const PRECEDENCE_TEXT = [
  'input  A[I], B[I]',
  'operator g(a, b) = (a - b) * -a / (b + 2) - -(a - b)',
  'operator h(x, y) = x * y identity inf',
  'Y[i] = A[(i+1)*2-1] * (-2) + -(A[i] - B[i]) - (A[i] - B[i]) / (B[i] * A[i])',
  'Z[i] = exp(A[i] - (B[i] - A[i])) + g(A[i], B[i]) - A[i:i=0]',
  'S[0] = 0',
  'S[i+1] = S[i] + Y[i]',
  'W = Z[i] * S[I] :: reduce h',
];

const PRECEDENCE_UNICODE = [
  'input  A[I], B[I]',
  'operator g(a, b) = (a - b) * -a / (b + 2) - -(a - b)',
  'operator h(x, y) = x * y identity inf',
  'Y[i] = A[(i+1)*2-1] × (-2) + -(A[i] − B[i]) − (A[i] − B[i]) ÷ (B[i] × A[i]) :: ⋀ ×(∩) ⋀ −(∪) ⋀ neg(←) ⋀ +(∪) ⋀ ÷(←)',
  'Z[i] = exp(A[i] − (B[i] − A[i])) + g(A[i], B[i]) − A[i:i=0] :: ⋀ −(∪) ⋀ sub_exp(1) ⋀ g(∪) ⋀ +(∪)',
  'S[0] = 0',
  'S[i+1] = S[i] + Y[i] :: ⋀ +(∪)',
  'W = Z[i] × S[I] :: ⋀ ×(∩) ⋁_i h(∪)',
];

const PRECEDENCE_LATEX = [
  '\\begin{align*}',
  '% input \\mathit{A}_{I}, \\mathit{B}_{I}',
  '% operator g(a, b) = (a - b) * -a / (b + 2) - -(a - b)',
  '% operator h(x, y) = x * y identity inf',
  '\\mathit{Y}_{i} &= \\mathit{A}_{(i+1)*2-1} \\times (-2) + -(\\mathit{A}_{i} - \\mathit{B}_{i}) - (\\mathit{A}_{i} - \\mathit{B}_{i}) \\div (\\mathit{B}_{i} \\times \\mathit{A}_{i}) \\quad :: \\bigwedge \\times(\\cap) \\; \\bigwedge -(\\cup) \\; \\bigwedge -(\\leftarrow) \\; \\bigwedge +(\\cup) \\; \\bigwedge \\div(\\leftarrow) \\\\',
  '\\mathit{Z}_{i} &= e^{\\mathit{A}_{i} - (\\mathit{B}_{i} - \\mathit{A}_{i})} + \\mathrm{g}(\\mathit{A}_{i}, \\mathit{B}_{i}) - \\mathit{A}_{i:i=0} \\quad :: \\bigwedge -(\\cup) \\; \\bigwedge \\mathrm{subexp}(\\mathbb{1}) \\; \\bigwedge \\mathrm{g}(\\cup) \\; \\bigwedge +(\\cup) \\\\',
  '\\mathit{S}_{0} &= 0 \\\\',
  '\\mathit{S}_{i+1} &= \\mathit{S}_{i} + \\mathit{Y}_{i} \\quad :: \\bigwedge +(\\cup) \\\\',
  '\\mathit{W} &= \\mathit{Z}_{i} \\times \\mathit{S}_{I} \\quad :: \\bigwedge \\times(\\cap) \\; \\bigvee_{i} \\mathrm{h}(\\cup) \\\\',
  '\\end{align*}',
];

test('printouts keep every parenthesis that matters and no other', () => {
  const c = loadCascade(PRECEDENCE, 'precedence.cascade');
  assert.deepEqual(printCascade(c, 'text').split('\n'), [...PRECEDENCE_TEXT, '']);
  assert.deepEqual(printCascade(c, 'unicode').split('\n'), [...PRECEDENCE_UNICODE, '']);
  assert.deepEqual(printCascade(c, 'latex').split('\n'), [...PRECEDENCE_LATEX, '']);
  for (const style of ['text', 'unicode'] as const) assert.deepEqual(cascadeStructure(loadCascade(printCascade(c, style), style)), cascadeStructure(c), style);
});

// Rank expressions with negation and both associativities, a scalar read bare, a zero operand, a double
// negation, the right operand of sub-then-exp that binds tighter than − (no parentheses), non-default
// merges of a unary map and of a + reduction, LaTeX's \min and \log, and a merge without a LaTeX symbol
// whose underscores are escaped.
const MORE = `input A[K], B[K], C[I]
operator f(a) = --a
T = A[k]
Y[k] = exp(A[k] - B[k] * C[0]) * T - 0 :: map *(take_left_only)
Z[k,i] = A[-k+3] * A[(k-1)*2] * A[k-(i-1)] * A[k*2*3] + --C[i]
W = min(A[k], B[k]) * log(B[k]) :: map log(union) reduce +(intersect)
V[k] = f(A[k])
`;

const MORE_TEXT = [
  'input  A[K], B[K], C[I]',
  'operator f(a) = --a',
  'T = A[k]',
  'Y[k] = exp(A[k] - B[k] * C[0]) * T - 0 :: map *(take_left_only)',
  'Z[k,i] = A[-k+3] * A[(k-1)*2] * A[k-(i-1)] * A[k*2*3] + --C[i]',
  'W = min(A[k], B[k]) * log(B[k]) :: map log(union) reduce +(intersect)',
  'V[k] = f(A[k])',
];

const MORE_UNICODE = [
  'input  A[K], B[K], C[I]',
  'operator f(a) = --a',
  'T = A[k] :: ⋁_k +(∪)',
  'Y[k] = exp(A[k] − B[k] × C[0]) × T − 0 :: ⋀ ×(⊖l) ⋀ sub_exp(1) ⋀ −(∪)',
  'Z[k,i] = A[-k+3] × A[(k-1)*2] × A[k-(i-1)] × A[k*2*3] + --C[i] :: ⋀ ×(∩) ⋀ neg(←) ⋀ +(∪)',
  'W = min(A[k], B[k]) × log(B[k]) :: ⋀ min(∪) ⋀ log(∪) ⋀ ×(∩) ⋁_k +(∩)',
  'V[k] = f(A[k]) :: ⋀ f(←)',
];

const MORE_LATEX = [
  '\\begin{align*}',
  '% input \\mathit{A}_{K}, \\mathit{B}_{K}, \\mathit{C}_{I}',
  '% operator f(a) = --a',
  '\\mathit{T} &= \\mathit{A}_{k} \\quad :: \\bigvee_{k} +(\\cup) \\\\',
  '\\mathit{Y}_{k} &= e^{\\mathit{A}_{k} - \\mathit{B}_{k} \\times \\mathit{C}_{0}} \\times \\mathit{T} - 0 \\quad :: \\bigwedge \\times(\\mathrm{take\\_left\\_only}) \\; \\bigwedge \\mathrm{subexp}(\\mathbb{1}) \\; \\bigwedge -(\\cup) \\\\',
  '\\mathit{Z}_{k,i} &= \\mathit{A}_{-k+3} \\times \\mathit{A}_{(k-1)*2} \\times \\mathit{A}_{k-(i-1)} \\times \\mathit{A}_{k*2*3} + --\\mathit{C}_{i} \\quad :: \\bigwedge \\times(\\cap) \\; \\bigwedge -(\\leftarrow) \\; \\bigwedge +(\\cup) \\\\',
  '\\mathit{W} &= \\min(\\mathit{A}_{k}, \\mathit{B}_{k}) \\times \\log(\\mathit{B}_{k}) \\quad :: \\bigwedge \\min(\\cup) \\; \\bigwedge \\log(\\cup) \\; \\bigwedge \\times(\\cap) \\; \\bigvee_{k} +(\\cap) \\\\',
  '\\mathit{V}_{k} &= \\mathrm{f}(\\mathit{A}_{k}) \\quad :: \\bigwedge \\mathrm{f}(\\leftarrow) \\\\',
  '\\end{align*}',
];

test('printouts of rank expressions, bare scalars, double negations and non-default merges', () => {
  const c = loadCascade(MORE, 'more.cascade');
  assert.deepEqual(printCascade(c, 'text').split('\n'), [...MORE_TEXT, '']);
  assert.deepEqual(printCascade(c, 'unicode').split('\n'), [...MORE_UNICODE, '']);
  assert.deepEqual(printCascade(c, 'latex').split('\n'), [...MORE_LATEX, '']);
  for (const style of ['text', 'unicode'] as const) assert.deepEqual(cascadeStructure(loadCascade(printCascade(c, style), style)), cascadeStructure(c), style);
});
