/** Reading Timeloop v4 inputs and tables: structure, and located errors for bad inputs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiagnostic, UserError, type Diagnostic } from '../../src/diagnostics/diagnostic.ts';
import { evaluateSource, timeloopNestSource } from '../../src/readers/nest-source.ts';
import { loadTimeloopInput } from '../../src/timeloop/reader.ts';
import { applyErt, componentName, loadErt } from '../../src/timeloop/tables.ts';

const dir = join(import.meta.dirname, '..', 'fixtures', 'timeloop-golden', 'check');
const INPUT = readFileSync(join(dir, 'parsed-processed-input.yaml'), 'utf8');
const ERT = readFileSync(join(dir, 'timeloop-model.ERT.yaml'), 'utf8');

function errors(text: string, ert?: string): Diagnostic[] {
  try {
    const loaded = loadTimeloopInput('in.yaml', text);
    const arch = ert === undefined ? loaded.arch : applyErt(loaded.arch, loadErt('ert.yaml', ert));
    evaluateSource(timeloopNestSource(loaded, arch));
  } catch (err) {
    if (err instanceof UserError) return [...err.diagnostics];
    throw err;
  }
  return assert.fail('expected an error');
}

function one(text: string, ert?: string): Diagnostic {
  const ds = errors(text, ert);
  assert.equal(ds.length, 1, ds.map(formatDiagnostic).join('\n'));
  return ds[0]!;
}

function replaceOnce(text: string, from: string, to: string, occurrence = 0): string {
  let i = -1;
  for (let n = 0; n <= occurrence; n++) i = text.indexOf(from, i + 1);
  assert.ok(i >= 0, from);
  return text.slice(0, i) + to + text.slice(i + from.length);
}

function where(text: string, needle: string, occurrence = 0): string {
  let i = -1;
  for (let n = 0; n <= occurrence; n++) i = text.indexOf(needle, i + 1);
  const before = text.slice(0, i).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

const loc = (d: Diagnostic) => `${d.code} ${d.location?.line}:${d.location?.col}`;

test('the check input: levels, fan-outs, block sizes, loops in order, keep sets', () => {
  const t = loadTimeloopInput('in.yaml', INPUT);
  assert.deepEqual(t.arch.levels.map((l) => `${l.kind}:${l.name}:${l.fanoutX}x${l.fanoutY}`), [
    'dram:DRAM:1x1',
    'buffer:L3:1x1',
    'buffer:reg_file_1d:1x1',
    'spatial:inter_PE_col_spatial:256x1',
    'spatial:inter_PE_spatial:1x256',
    'buffer:reg_file:1x1',
  ]);
  assert.deepEqual(t.arch.levels.map((l) => (l.kind === 'spatial' ? 0 : l.blockSize)), [4, 256, 1, 0, 0, 1]);
  assert.equal(t.arch.compute.name, 'mac');
  assert.equal(t.arch.cycleSeconds, 1.0638297873e-9);
  const dram = t.mapping.levels.find((l) => l.level === 'DRAM')!;
  // permutation ENMPHB is innermost first: outermost B, then H, P, M, N, E.
  assert.deepEqual(dram.temporal.filter((l) => l.bound > 1).map((l) => `${l.dim}${l.bound}`), ['B64', 'H16', 'M16']);
  assert.deepEqual(dram.keep, ['Q', 'BK']);
  const col = t.mapping.levels.find((l) => l.level === 'inter_PE_col_spatial')!;
  const row = t.mapping.levels.find((l) => l.level === 'inter_PE_spatial')!;
  assert.deepEqual([col.spatialX.filter((l) => l.bound > 1), col.spatialY.filter((l) => l.bound > 1)], [[{ dim: 'P', bound: 256 }], []]);
  assert.deepEqual([row.spatialX.filter((l) => l.bound > 1), row.spatialY.filter((l) => l.bound > 1)], [[], [{ dim: 'N', bound: 256 }]]);
  assert.equal(componentName('system_top_level.reg_file[1..65536]'), 'reg_file');
});

test('a malformed factor points inside the factor string (FM407)', () => {
  const text = replaceOnce(INPUT, 'factors: B=64,E=1,H=16,M=16,N=1,P=1', 'factors: B=64,E=1,H=sixteen,M=16,N=1,P=1');
  const d = one(text);
  assert.equal(loc(d), `FM407 ${where(text, 'H=sixteen')}`);
  assert.equal(d.location?.length, 'H=sixteen'.length);
});

test('an unknown mapping target is FM505 at the target', () => {
  const text = replaceOnce(INPUT, '  - target: L3\n', '  - target: L2\n');
  const d = one(text);
  assert.equal(loc(d), `FM505 ${where(text, 'L2')}`);
  assert.match(d.hint ?? '', /levels: DRAM, L3, reg_file_1d/);
});

test('a spatial factor beyond the fan-out points at that factor (FM502)', () => {
  // 512 columns do not fit the 256-wide X fan-out (L3 halves P to keep the product right).
  let text = replaceOnce(INPUT, 'factors: B=1,E=1,H=1,M=1,N=1,P=256', 'factors: B=1,E=1,H=1,M=1,N=1,P=512');
  text = replaceOnce(text, 'factors: B=1,E=256,H=1,M=1,N=1,P=16', 'factors: B=1,E=256,H=1,M=1,N=1,P=8');
  const d = one(text);
  assert.equal(loc(d), `FM502 ${where(text, 'P=512')}`);
  assert.match(d.message, /spatial X factors at level 'inter_PE_col_spatial' multiply to 512, more than its X fan-out of 256/);
});

test('factors that do not multiply to the problem size (FM501)', () => {
  const text = replaceOnce(INPUT, 'factors: B=64,E=1,H=16,M=16,N=1,P=1', 'factors: B=64,E=1,H=16,M=8,N=1,P=1');
  const d = one(text);
  assert.equal(loc(d), `FM501 ${where(text, 'M=8')}`);
});

test('a kept tensor that does not fit is over capacity (FM503)', () => {
  const text = replaceOnce(INPUT, 'depth: 16', 'depth: 2');
  const d = one(text);
  assert.equal(d.code, 'FM503');
  assert.match(d.message, /level 'reg_file' is over capacity: its tiles need 3 words \(Q 1 \+ BK 1 \+ QK 1\), but one instance holds 2/);
  const keepQK = text.lastIndexOf('- QK');
  assert.equal(`${d.location?.line}`, `${text.slice(0, keepQK).split('\n').length}`);
});

test('unsupported features and missing sections (FM406, FM402)', () => {
  assert.equal(one(replaceOnce(INPUT, 'densities: {}', 'densities: { Q: 0.5 }')).code, 'FM406');
  const noMapping = INPUT.slice(0, INPUT.indexOf('mapping:\n')) + INPUT.slice(INPUT.indexOf('mapper:\n'));
  const d = one(noMapping);
  assert.equal(d.code, 'FM402');
  assert.match(d.message, /missing key 'mapping'/);
});

test('an ERT without a table for a level (FM408)', () => {
  const start = ERT.indexOf('      - name: system_top_level.L3[1..1]');
  const end = ERT.indexOf('      - name: system_top_level.mac');
  const d = one(INPUT, ERT.slice(0, start) + ERT.slice(end));
  assert.equal(d.code, 'FM408');
  assert.equal(d.location?.file, 'ert.yaml');
  assert.match(d.message, /the ERT has no table for level 'L3'/);
});

// ---------------------------------------------------------------------------------------------------
// What Timeloop users bring: the peer runs' conventions.

const PEER = join(import.meta.dirname, '..', 'fixtures', 'timeloop-peer');
const STRIDED = readFileSync(join(PEER, 'ex-simple-weight-stationary', 'parsed-processed-input.yaml'), 'utf8');
const MAPPER = readFileSync(join(PEER, 'ispass-05-mapper-conv1d-oc-3level-null', 'parsed-processed-input.yaml'), 'utf8');

test('projection terms are [dimension, coefficient], the coefficient valued from the instance', () => {
  const inputs = loadTimeloopInput('in.yaml', STRIDED).problem.dataSpaces.find((d) => d.name === 'Inputs')!;
  // Wstride: 2 and Hstride: 2 in problem.instance (their defaults are 1).
  assert.deepEqual(inputs.projection, [
    [{ dim: 'N', coefficient: 1 }],
    [{ dim: 'C', coefficient: 1 }],
    [{ dim: 'R', coefficient: 1 }, { dim: 'P', coefficient: 2 }],
    [{ dim: 'S', coefficient: 1 }, { dim: 'Q', coefficient: 2 }],
  ]);
  // Without an instance value the shape's default applies.
  const noStride = loadTimeloopInput('in.yaml', STRIDED.replace('        Wstride: 2\n', '')).problem.dataSpaces.find((d) => d.name === 'Inputs')!;
  assert.deepEqual(noStride.projection[2], [{ dim: 'R', coefficient: 1 }, { dim: 'P', coefficient: 1 }]);
});

test('a term written [coefficient, dimension] or with an unknown coefficient is located (FM407)', () => {
  const swapped = STRIDED.replace('                  -   - P\n                      - Wstride', '                  -   - Wstride\n                      - P');
  const d = one(swapped);
  assert.equal(d.code, 'FM407');
  assert.match(d.message, /'Wstride' is not a dimension/);
  assert.equal(d.hint, 'Timeloop writes the dimension first: [P, Wstride]');
  const unknown = one(STRIDED.replace('                      - Hstride', '                      - Hsteps'));
  assert.equal(unknown.code, 'FM407');
  assert.match(unknown.message, /unknown coefficient 'Hsteps'/);
  assert.ok(unknown.location);
});

test("factors in Timeloop's syntaxes and datatype directives with empty keep lists", () => {
  const loaded = loadTimeloopInput('in.yaml', MAPPER);
  const rf = loaded.mapping.levels.find((l) => l.level === 'RegisterFile')!;
  assert.deepEqual(rf.temporal, [{ dim: 'P', bound: 16 }, { dim: 'R', bound: 3 }, { dim: 'K', bound: 32 }]);
  assert.deepEqual(rf.keep, []);
  for (const factors of ['K=32,R=3,P=16', 'K = 32 R = 3 P = 16', 'K32, R3, P16', 'K==32 R3 P16']) {
    const l = loadTimeloopInput('in.yaml', MAPPER.replace('factors: K32 R3 P16', `factors: ${factors}`)).mapping.levels.find((x) => x.level === 'RegisterFile')!;
    assert.deepEqual(l.temporal, rf.temporal, factors);
  }
  const junk = one(MAPPER.replace('factors: K32 R3 P16', 'factors: K32 R3 P16 ???'));
  assert.equal(junk.code, 'FM407');
  assert.match(junk.message, /'\?\?\?' in factors/);
});

test('networks and sparse densities are refused with FM406 at their place', () => {
  const network = one(MAPPER.replace('            class: regfile', '            class: SimpleMulticastNetwork'));
  assert.equal(network.code, 'FM406');
  assert.match(network.message, /network components are not supported/);
  assert.ok(network.location);
  const sparse = one(MAPPER.replace('densities: {}', 'densities: { Weights: 0.5 }'));
  assert.equal(sparse.code, 'FM406');
  assert.match(sparse.message, /sparse densities are not supported/);
});

test('a factor of 0 is the whole dimension, as Timeloop reads it', () => {
  const zero = loadTimeloopInput('in.yaml', MAPPER.replace('factors: K32 R3 P16', 'factors: K0 R3 P=0')).mapping.levels.find((l) => l.level === 'RegisterFile')!;
  assert.deepEqual(zero.temporal, [{ dim: 'P', bound: 16 }, { dim: 'R', bound: 3 }, { dim: 'K', bound: 32 }]);
});
