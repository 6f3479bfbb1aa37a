/**
 * Our arch/problem/mapping YAML: the example specs evaluate (and FuseMax's QK in our format gives
 * exactly Timeloop's golden counts), and every kind of bad spec is a clear diagnostic at file:line:col.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiagnostic, UserError, type Diagnostic } from '../../src/diagnostics/diagnostic.ts';
import { countBig } from '../../src/model/analysis.ts';
import type { Evaluation } from '../../src/model/evaluate.ts';
import { summarize } from '../../src/model/summary.ts';
import { loadArchSpec } from '../../src/readers/arch.ts';
import { loadMappingSpec } from '../../src/readers/mapping.ts';
import { evaluateSource, ownNestSource } from '../../src/readers/nest-source.ts';
import { loadProblemSpec } from '../../src/readers/problem.ts';

const specs = join(import.meta.dirname, '..', '..', 'specs');
const read = (p: string) => readFileSync(join(specs, p), 'utf8');
const GEMM = { arch: read('archs/gemm-2level.yaml'), problem: read('mappings/gemm-64.problem.yaml'), mapping: read('mappings/gemm-64.mapping.yaml') };

function evaluate(texts: { arch: string; problem: string; mapping: string }): Evaluation {
  const arch = loadArchSpec('arch.yaml', texts.arch);
  const problem = loadProblemSpec('problem.yaml', texts.problem);
  const mapping = loadMappingSpec('mapping.yaml', texts.mapping);
  return evaluateSource(ownNestSource(arch, problem, mapping));
}

function diagnostics(texts: { arch: string; problem: string; mapping: string }): Diagnostic[] {
  try {
    evaluate(texts);
  } catch (err) {
    if (err instanceof UserError) return [...err.diagnostics];
    throw err;
  }
  return assert.fail('expected an error');
}

type Edits = Partial<Record<'arch' | 'problem' | 'mapping', [string, string][]>>;

function edited(edits: Edits): { arch: string; problem: string; mapping: string } {
  const texts = { ...GEMM };
  for (const [k, list] of Object.entries(edits) as ['arch' | 'problem' | 'mapping', [string, string][]][]) {
    for (const [from, to] of list) {
      assert.ok(texts[k].includes(from), `${k} contains ${from}`);
      texts[k] = texts[k].replace(from, to);
    }
  }
  return texts;
}

/** The single diagnostic of a variant of the GEMM example, as `CODE file:line:col`, and its text. */
function error(edits: Edits): { where: string; text: string; d: Diagnostic } {
  const ds = diagnostics(edited(edits));
  assert.equal(ds.length, 1, ds.map(formatDiagnostic).join('\n'));
  const d = ds[0]!;
  return { where: `${d.code} ${d.location?.file}:${d.location?.line}:${d.location?.col}`, text: formatDiagnostic(d), d };
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function pos(text: string, needle: string, after = ''): string {
  const start = after ? text.indexOf(after) : 0;
  const i = text.indexOf(needle, start);
  assert.ok(i >= 0, needle);
  const before = text.slice(0, i).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

test('GEMM-64 on gemm-2level: counts that follow from the mapping', () => {
  const ev = evaluate(GEMM);
  const s = summarize(ev);
  assert.equal(s.computes, 64 ** 3);
  assert.equal(s.cycles, 64 ** 3 / 16);
  assert.equal(s.utilizedInstances, 16);
  const dram = s.levels['DRAM']!.tensors;
  // A is read once; B once per DRAM M step (M is outside N at DRAM); Z written once, never re-read.
  assert.deepEqual([dram['A']!.reads, dram['B']!.reads, dram['Z']!.updates, dram['Z']!.reads], [4096, 4 * 4096, 4096, 0]);
  // Output-stationary RFs: each Z point gets K = 64 updates in 16 RF-resident runs of 4... per PE 256 points.
  const rf = s.levels['RF']!.tensors['Z']!;
  assert.deepEqual([rf.updates, rf.reads, rf.partitionSize, rf.utilizedCapacity], [16384, 16384 - 256, 256, 1]);
  assert.equal(s.levels['GLB']!.tensors['Z'], undefined, 'Z bypasses the GLB');
  assert.ok(s.energy_pJ! > 0);
  assert.ok(s.timing && s.timing.computeSeconds === 16384 / 1e9);
});

test("FuseMax QK at BERT-1K in our format gives Timeloop's golden counts", () => {
  const ev = evaluate({ arch: read('archs/fusemax-2d.yaml'), problem: read('mappings/fusemax-bert1k-qk.problem.yaml'), mapping: read('mappings/fusemax-bert1k-qk.mapping.yaml') });
  const golden = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'timeloop-golden', 'proposal-BERT-1K-qk', 'expected.json'), 'utf8')) as {
    cycles: number;
    computes: number;
    levels: Record<string, { tensors: Record<string, Record<string, number>> }>;
  };
  const s = summarize(ev);
  assert.equal(s.cycles, golden.cycles);
  assert.equal(s.computes, golden.computes);
  assert.deepEqual(Object.keys(s.levels).sort(), Object.keys(golden.levels).sort());
  for (const [level, lv] of Object.entries(golden.levels)) {
    for (const [t, e] of Object.entries(lv.tensors)) {
      for (const k of ['reads', 'fills', 'updates', 'utilizedCapacity', 'partitionSize'] as const) assert.equal(countBig(s.levels[level]!.tensors[t]![k]), BigInt(e[k]!), `${level}.${t}.${k}`);
    }
  }
});

test('missing key: a buffer without depth (FM402)', () => {
  const e = error({ arch: [['    depth: 16\n', '']] });
  assert.equal(e.where, `FM402 arch.yaml:${pos(GEMM.arch, 'name: RF')}`);
  assert.match(e.text, /missing key 'depth' in levels\[2\]/);
});

test('wrong type: a depth that is not a number (FM403)', () => {
  const e = error({ arch: [['depth: 2048', 'depth: lots']] });
  assert.equal(e.where, `FM403 arch.yaml:${pos(edited({ arch: [['depth: 2048', 'depth: lots']] }).arch, 'lots')}`);
  assert.match(e.text, /levels\[1\]\.depth must be a number, not 'lots'/);
});

test('wrong type in the mapping: a loop bound that is not a number (FM403)', () => {
  const edits: Edits = { mapping: [['temporal: { K: 4 }', 'temporal: { K: four }']] };
  const e = error(edits);
  assert.equal(e.where, `FM403 mapping.yaml:${pos(edited(edits).mapping, 'four')}`);
  assert.match(e.text, /levels\[2\]\.temporal\.K must be a number, not 'four'/);
});

test('unknown key, with a suggestion (FM404)', () => {
  const edits: Edits = { mapping: [['    temporal: { K: 4 }', '    tempral: { K: 4 }']] };
  const e = error(edits);
  assert.equal(e.where, `FM404 mapping.yaml:${pos(edited(edits).mapping, 'tempral')}`);
  assert.equal(e.d.hint, "did you mean 'temporal'?");
});

test('YAML syntax error (FM401)', () => {
  const e = error({ problem: [['dimensions: { M: 64, N: 64, K: 64 }', 'dimensions: { M: 64, N: 64, K: 64']] });
  assert.equal(e.d.code, 'FM401');
  assert.equal(e.d.location?.file, 'problem.yaml');
});

test('factors that do not multiply to the problem size (FM501)', () => {
  const e = error({ mapping: [['temporal: { K: 4 }', 'temporal: { K: 2 }']] });
  assert.equal(e.where, `FM501 mapping.yaml:${pos(GEMM.mapping, 'K: 16')}`);
  assert.match(e.text, /the factors of 'K' multiply to 32, but the problem size of 'K' is 64/);
});

test('a spatial factor larger than the fan-out (FM502)', () => {
  const edits: Edits = { mapping: [['temporal: { M: 4, N: 4 }', 'temporal: { M: 4, N: 2 }'], ['x: { N: 4 }', 'x: { N: 8 }']] };
  const e = error(edits);
  assert.equal(e.where, `FM502 mapping.yaml:${pos(edited(edits).mapping, 'N: 8')}`);
  assert.match(e.text, /spatial X factors at level 'GLB' multiply to 8, more than its X fan-out of 4/);
});

test('kept tiles that do not fit are reported over capacity (FM503)', () => {
  // With M and N inside the RF its tiles are A 4·4 + B 4·4 + Z 4·4 = 48 words; it holds 16.
  const edits: Edits = { mapping: [['    temporal: { M: 4, N: 4, K: 16 }', '    temporal: { K: 16 }'], ['    temporal: { K: 4 }', '    temporal: { M: 4, N: 4, K: 4 }']] };
  const e = error(edits);
  const m = edited(edits).mapping;
  assert.equal(e.where, `FM503 mapping.yaml:${pos(m, 'Z]', 'level: RF')}`);
  assert.match(e.text, /level 'RF' is over capacity: its tiles need 48 words \(A 16 \+ B 16 \+ Z 16\), but one instance holds 16 \(16 × 1\)/);
});

test('unknown level name, with the known ones (FM505)', () => {
  const edits: Edits = { mapping: [['level: GLB', 'level: GBL']] };
  const ds = diagnostics(edited(edits));
  assert.equal(ds.length, 1, ds.map(formatDiagnostic).join('\n'));
  const d = ds[0]!;
  assert.equal(`${d.location?.line}:${d.location?.col}`, pos(edited(edits).mapping, 'GBL'));
  assert.match(d.message, /the mapping names level 'GBL', which the architecture does not have/);
  assert.equal(d.hint, 'levels: DRAM, GLB, RF');
});

test('unknown dimension in a loop and unknown tensor in a keep list (FM505)', () => {
  const dim = error({ mapping: [['temporal: { K: 4 }', 'temporal: { K: 4, Q: 1 }']] });
  assert.equal(dim.where, `FM505 mapping.yaml:${pos(edited({ mapping: [['temporal: { K: 4 }', 'temporal: { K: 4, Q: 1 }']] }).mapping, 'Q: 1')}`);
  const keep = error({ mapping: [['keep: [A, B]', 'keep: [A, B, C]']] });
  assert.equal(keep.where, `FM505 mapping.yaml:${pos(GEMM.mapping, 'B]', 'level: GLB').replace(/:(\d+)$/, (_, c: string) => `:${Number(c) + 3}`)}`);
  assert.match(keep.text, /level 'GLB' keeps unknown tensor 'C'/);
});

test('a tensor kept nowhere (FM504) and a level mapped twice (FM506)', () => {
  const none = error({ mapping: [['keep: [A, B, Z]\n  - level: GLB', 'keep: [A, B]\n  - level: GLB'], ['keep: [A, B, Z]\n', 'keep: [A, B]\n']] });
  assert.equal(none.where, `FM504 problem.yaml:${pos(GEMM.problem, 'Z, projection')}`);
  const mapping = GEMM.mapping + '  - level: RF\n';
  const [twice, ...rest] = diagnostics({ ...GEMM, mapping });
  assert.equal(rest.length, 0);
  assert.equal(`${twice!.code} ${twice!.location?.line}:${twice!.location?.col}`, `FM506 ${mapping.split('\n').length - 1}:12`);
  assert.match(twice!.message, /level 'RF' is mapped twice/);
});

test('a projection over an unknown dimension (FM505) and a width that is not whole words (FM405)', () => {
  const proj = error({ problem: [['projection: [K, N]', 'projection: [K, X]']] });
  assert.equal(proj.where, `FM505 problem.yaml:${pos(GEMM.problem, 'B, projection')}`);
  const width = error({ arch: [['width: 64                  #', 'width: 60                  #']] });
  assert.match(width.where, /^FM405 arch\.yaml:/);
  assert.match(width.text, /width 60 is not a whole number of 16-bit words/);
});
