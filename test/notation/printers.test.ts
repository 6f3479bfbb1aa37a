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
