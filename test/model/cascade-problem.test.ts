import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCascade } from '../../src/ir/check.ts';
import { resolveShapes } from '../../src/ir/shapes.ts';
import { problemFromEinsum } from '../../src/model/cascade-problem.ts';
import { evaluateNest } from '../../src/model/evaluate.ts';
import { loadArchSpec } from '../../src/readers/arch.ts';
import { loadMappingSpec } from '../../src/readers/mapping.ts';
import { loadProblemSpec } from '../../src/readers/problem.ts';
import { builtinCascade } from '../helpers/cascades.ts';

const specs = join(import.meta.dirname, '..', '..', 'specs');
const read = (p: string) => readFileSync(join(specs, p), 'utf8');

test('a cascade Einsum models exactly like the same problem written as YAML', () => {
  const c = loadCascade('input A[M,K], B[K,N]\nZ[m,n] = A[m,k] * B[k,n]\n', 'gemm.cascade');
  const fromCascade = problemFromEinsum(c, 'Z', resolveShapes(c, new Map([['M', 64], ['N', 64], ['K', 64]])));
  const fromYaml = loadProblemSpec('gemm-64.problem.yaml', read('mappings/gemm-64.problem.yaml')).problem;
  assert.deepEqual(fromCascade.dimensions, fromYaml.dimensions);
  const arch = loadArchSpec('gemm-2level.yaml', read('archs/gemm-2level.yaml')).arch;
  const mapping = loadMappingSpec('gemm-64.mapping.yaml', read('mappings/gemm-64.mapping.yaml')).mapping;
  const a = evaluateNest(arch, fromCascade, mapping);
  const b = evaluateNest(arch, fromYaml, mapping);
  assert.ok(a.ok && b.ok);
  assert.deepEqual({ ...a.stats, problem: '' }, { ...b.stats, problem: '' });
  assert.equal(a.energy.total, b.energy.total);
});

test('the 1-pass cascade: BQK projects on (M1, M0, P, E); final generations drop out; blocking is affine', () => {
  const c = builtinCascade('attention-1pass');
  const shapes = resolveShapes(c, new Map(Object.entries({ M: 1024, P: 1024, E: 64, F: 64 })));
  const qk = problemFromEinsum(c, 'BQK', shapes);
  assert.deepEqual(qk.dimensions, { M1: 4, M0: 256, P: 1024, E: 64 });
  assert.deepEqual(qk.dataSpaces.map((d) => [d.name, d.projection.map((r) => r.map((t) => t.dim).join('+')).join(','), d.isOutput]), [
    ['Q', 'E,P', false], ['BK', 'E,M1,M0', false], ['BQK', 'M1,M0,P', true],
  ]);
  const av = problemFromEinsum(c, 'AV', shapes);
  assert.deepEqual(av.dataSpaces.map((d) => [d.name, d.projection.length]), [['RNV', 2], ['RD', 1], ['AV', 2]]);
  const bk = problemFromEinsum(c, 'BK', shapes);
  assert.deepEqual(bk.dataSpaces[0]?.projection[1], [{ dim: 'M1', coefficient: 256 }, { dim: 'M0', coefficient: 1 }]);
});
