/**
 * A seeded fuzz of Timeloop inputs: the 7 peer and 17 golden runs, parsed and mutated as data (a key
 * deleted, a value of the wrong type, odd factors, bad projection terms, huge numbers), written back
 * as YAML and run through the whole `fusemax model --timeloop --out` path (read, evaluate, map and
 * stats texts). Every outcome is a result or a user error whose diagnostics all have an FMxxx code and
 * a file location: never another exception, never a hang (absurd sizes included).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import YAML from 'yaml';
import { UserError } from '../../src/diagnostics/diagnostic.ts';
import { evaluateSource, timeloopNestSource } from '../../src/readers/nest-source.ts';
import { timeloopMapText } from '../../src/timeloop/map-text.ts';
import { loadTimeloopInput } from '../../src/timeloop/reader.ts';
import { timeloopStatsText } from '../../src/timeloop/stats-text.ts';
import { applyErt, loadErt } from '../../src/timeloop/tables.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const runs = ['timeloop-peer', 'timeloop-golden'].flatMap((set) =>
  readdirSync(join(fixtures, set))
    .filter((d) => statSync(join(fixtures, set, d)).isDirectory())
    .map((d) => ({
      name: `${set}/${d}`,
      input: YAML.parse(readFileSync(join(fixtures, set, d, 'parsed-processed-input.yaml'), 'utf8')) as unknown,
      ert: readFileSync(join(fixtures, set, d, 'timeloop-model.ERT.yaml'), 'utf8'),
    })),
);

/** Values a mutation may put anywhere. */
const ODD_VALUES: unknown[] = [
  null, '', 'x', -1, 0, 1.5, 1e15, 2 ** 60, 1e300, [], {}, [[]], [['P', 'P']], [['Wstride', 'P']], [[1, 2, 3]],
  'C1 M0', 'K=-3', 'P=1e15', 'K999999999999999999999', 'K=1,K=2', 'Q14 junk', 'QQQ', 'temporal', 'datatype', true,
];

type Path = (string | number)[];

/** Every path to a node of a parsed document. */
function paths(node: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (Array.isArray(node)) node.forEach((v, i) => (out.push([...prefix, i]), paths(v, [...prefix, i], out)));
  else if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) (out.push([...prefix, k]), paths(v, [...prefix, k], out));
  return out;
}

function edit(doc: unknown, path: Path, how: 'delete' | { value: unknown }): void {
  let node = doc as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (how !== 'delete') node[last] = structuredClone(how.value);
  else if (Array.isArray(node)) node.splice(last as number, 1);
  else delete node[last];
}

/** Absurd sizes on the dimensions and factors that matter. */
function huge(doc: unknown, pick: number, value: number): void {
  const d = doc as { problem?: { instance?: Record<string, unknown> }; mapping?: { factors?: unknown }[] };
  const instance = d.problem?.instance;
  if (instance) {
    const dims = Object.keys(instance).filter((k) => typeof instance[k] === 'number');
    const k = dims[pick % Math.max(dims.length, 1)];
    if (k !== undefined) instance[k] = value;
  }
  const entry = d.mapping?.[pick % Math.max(d.mapping.length, 1)];
  if (entry && typeof entry.factors === 'string') entry.factors = entry.factors.replace(/\d+/, String(value));
}

function located(run: () => void): void {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof UserError, `not a user error: ${(err as Error).stack}`);
    for (const d of err.diagnostics) {
      assert.match(d.code, /^FM\d{3}$/);
      assert.ok(d.location !== undefined, `${d.code} ${d.message} has no location`);
    }
  }
}

function modelAll(text: string, ert: string): void {
  const loaded = loadTimeloopInput('in.yaml', text);
  const arch = applyErt(loaded.arch, loadErt('ert.yaml', ert));
  const ev = evaluateSource(timeloopNestSource(loaded, arch));
  timeloopMapText(arch, loaded.mapping, ev.stats);
  timeloopStatsText(loaded, ev, { arch });
}

const mutationArb = fc.record({
  kind: fc.constantFrom('delete', 'replace', 'huge'),
  pick: fc.nat(),
  value: fc.constantFrom(...ODD_VALUES),
  size: fc.constantFrom(1e15, 2 ** 53, 2 ** 40 + 1, 9007199254740993, 1e9),
});

test('mutated Timeloop inputs give a result or located FMxxx diagnostics', () => {
  fc.assert(
    fc.property(fc.nat({ max: runs.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (r, mutations) => {
      const run = runs[r]!;
      const doc = structuredClone(run.input);
      for (const m of mutations) {
        if (m.kind === 'huge') {
          huge(doc, m.pick, m.size);
          continue;
        }
        const all = paths(doc);
        if (all.length === 0) continue;
        edit(doc, all[m.pick % all.length]!, m.kind === 'delete' ? 'delete' : { value: m.value });
      }
      located(() => modelAll(YAML.stringify(doc), run.ert));
    }),
    propertyParams(120),
  );
});

test('a consistent problem of 3·10^15 computes is refused by capacity at once (bigint counts, no hang)', () => {
  const run = runs.find((r) => r.name.endsWith('ispass-00-conv1d-1level'))!;
  const doc = structuredClone(run.input) as { problem: { instance: Record<string, unknown> }; mapping: { factors: string }[] };
  doc.problem.instance['P'] = 1e15;
  doc.mapping[0]!.factors = 'R=3,P=1000000000000000';
  assert.throws(() => modelAll(YAML.stringify(doc), run.ert), (err: unknown) => err instanceof UserError && err.diagnostics.length === 1 && err.diagnostics[0]!.code === 'FM503' && /2000000000000005 words \(Weights 3 \+ Inputs 1000000000000002 \+ Outputs 1000000000000000\)/.test(err.diagnostics[0]!.message));
});

test('absurd sizes are diagnostics, not RangeErrors or hangs', () => {
  for (const run of runs.slice(0, 3)) {
    for (const size of [1e15, 2 ** 53 + 2, 1e300]) {
      const doc = structuredClone(run.input) as { problem: { instance: Record<string, unknown> } };
      for (const k of Object.keys(doc.problem.instance)) if (typeof doc.problem.instance[k] === 'number') doc.problem.instance[k] = size;
      assert.throws(() => modelAll(YAML.stringify(doc), run.ert), (err: unknown) => err instanceof UserError && err.diagnostics.every((d) => /^FM\d{3}$/.test(d.code) && d.location !== undefined), `${run.name} with dimensions of ${size}`);
    }
  }
});
