/**
 * @file Shape resolution: from the cascade's `shape` defaults and the user's shapes (which win), derive
 * every rank's extent, completing partitions (M1 = ⌈M / M0⌉, the last tile partial) in whichever
 * direction is known, and the filters that keep a ragged partition's padding out of the iteration
 * space. Fails with FM24x when a shape is missing or contradicts another.
 */
import { fail } from '../diagnostics/diagnostic.ts';
import { ranksOf, type Cascade, type Einsum, type Filter, type Partition, type RankExpr } from './cascade.ts';

export type Shapes = ReadonlyMap<string, number>;

/** Parse `M=1024,P=64` (the CLI's --shape syntax). */
export function parseShapeList(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Z][A-Za-z0-9_]*)\s*=\s*([0-9]+)$/.exec(part);
    if (!m) fail('FM240', `bad shape '${part}': write NAME=SIZE, e.g. M=1024 (rank names start with an upper-case letter)`);
    const value = Number(m[2]);
    if (!Number.isSafeInteger(value) || value < 1) fail('FM240', `shape ${m[1]} must be a positive integer, not ${m[2]}`);
    out.set(m[1] as string, value);
  }
  return out;
}

/**
 * Derive the third shape of each partition from the other two. The split is TeAAL's uniform shape
 * split: tiles of R0 elements, the last one partial, so R1 = ⌈R / R0⌉ (R = 1000, R0 = 256: R1 = 4,
 * the last tile 232 long). Given R and R1, R0 = ⌈R / R1⌉ must give back R1 tiles.
 */
function completePartitions(c: Cascade, shapes: Map<string, number>): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of c.partitions) {
      const w = shapes.get(p.whole);
      const o = shapes.get(p.outer);
      const i = shapes.get(p.inner);
      if (w !== undefined && i !== undefined && o === undefined) {
        shapes.set(p.outer, Math.ceil(w / i));
        changed = true;
      } else if (w !== undefined && o !== undefined && i === undefined) {
        const tile = Math.ceil(w / o);
        if (Math.ceil(w / tile) !== o) {
          fail('FM241', `${p.whole} = ${w} cannot be split into ${p.outer} = ${o} tiles of one shape: tiles of ${tile} make ${Math.ceil(w / tile)}`, undefined, `give ${p.inner} (the tile) instead: ${p.outer} = ⌈${p.whole} / ${p.inner}⌉`);
        }
        shapes.set(p.inner, tile);
        changed = true;
      } else if (w === undefined && o !== undefined && i !== undefined) {
        shapes.set(p.whole, o * i);
        changed = true;
      }
    }
  }
}

/** Whether a partition's last tile is partial at these shapes (R1 × R0 > R). */
export function isRagged(p: Partition, shapes: Shapes): boolean {
  return (shapes.get(p.outer) ?? 0) * (shapes.get(p.inner) ?? 0) !== shapes.get(p.whole);
}

const NOWHERE = { start: 0, end: 0 };

/**
 * The restriction that keeps an Einsum iterating both parts of a ragged partition inside the whole
 * rank: r0 < R − r1·R0 (points of the partial last tile's padding are not in the iteration space).
 * Fails (FM254) when the Einsum has several variables over one part, so the pairs are ambiguous.
 */
export function raggedFilters(c: Cascade, e: Einsum, shapes: Shapes): Filter[] {
  const out: Filter[] = [];
  for (const p of c.partitions) {
    if (!isRagged(p, shapes)) continue;
    const outer = [...e.vars].filter(([, r]) => r === p.outer).map(([v]) => v);
    const inner = [...e.vars].filter(([, r]) => r === p.inner).map(([v]) => v);
    if (outer.length === 0 || inner.length === 0) continue;
    if (outer.length > 1 || inner.length > 1) {
      fail('FM254', `'${e.output.tensor}' iterates ${p.outer} or ${p.inner} with several variables, so the partial last tile of ${p.whole} is ambiguous`, undefined, `use shapes where ${p.inner} divides ${p.whole}, or one variable per part`);
    }
    const bound: RankExpr = {
      kind: 'binop', op: '-', span: NOWHERE, left: { kind: 'shape', name: p.whole, span: NOWHERE },
      right: { kind: 'binop', op: '*', span: NOWHERE, left: { kind: 'var', name: outer[0] as string, span: NOWHERE }, right: { kind: 'shape', name: p.inner, span: NOWHERE } },
    };
    out.push({ variable: inner[0] as string, op: '<', bound });
  }
  return out;
}

/** Every rank's extent for this cascade, or a diagnostic saying what is missing or inconsistent. */
export function resolveShapes(c: Cascade, given: ReadonlyMap<string, number> = new Map()): Map<string, number> {
  const ranks = ranksOf(c);
  for (const name of given.keys()) {
    if (!ranks.includes(name)) fail('FM243', `shape ${name} is not a rank of this cascade`, undefined, `its ranks are ${ranks.join(', ')}`);
  }
  // The user's shapes first, partitions completed from them; the file's defaults only fill what is left.
  const shapes = new Map<string, number>(given);
  completePartitions(c, shapes);
  for (const [k, v] of c.shapeDefaults) {
    if (shapes.has(k)) continue;
    shapes.set(k, v);
    completePartitions(c, shapes);
  }
  for (const p of c.partitions) {
    const w = shapes.get(p.whole);
    const o = shapes.get(p.outer);
    const i = shapes.get(p.inner);
    if (w !== undefined && o !== undefined && i !== undefined && !((o - 1) * i < w && w <= o * i)) {
      fail('FM242', `${p.whole} = ${w} but ${p.outer} = ${o} tiles of ${p.inner} = ${i} cover ${(o - 1) * i + 1}..${o * i}`, undefined, `give only two of ${p.whole}, ${p.outer}, ${p.inner}`);
    }
  }
  const missing = ranks.filter((r) => !shapes.has(r));
  if (missing.length > 0) {
    fail('FM244', `missing shape${missing.length > 1 ? 's' : ''} for rank${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, undefined,
      `give ${missing.length > 1 ? 'them' : 'it'} with --shape ${missing.map((m) => `${m}=...`).join(',')}`);
  }
  for (const r of ranks) shapes.set(r, shapes.get(r) as number);
  return new Map([...shapes].filter(([k]) => ranks.includes(k)));
}
