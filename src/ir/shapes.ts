/**
 * @file Shape resolution: from the cascade's `shape` defaults and the user's shapes (which win), derive
 * every rank's extent, completing partitions (M = M1 × M0) in whichever direction is known. Fails with
 * FM24x when a shape is missing, does not divide, or contradicts another.
 */
import { fail } from '../diagnostics/diagnostic.ts';
import { ranksOf, type Cascade } from './cascade.ts';

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

/** Derive the third shape of each partition from the other two (M = M1 × M0). */
function completePartitions(c: Cascade, shapes: Map<string, number>): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of c.partitions) {
      const w = shapes.get(p.whole);
      const o = shapes.get(p.outer);
      const i = shapes.get(p.inner);
      if (w !== undefined && i !== undefined && o === undefined) {
        if (w % i !== 0) fail('FM241', `${p.whole} = ${w} is not divisible by ${p.inner} = ${i}, so ${p.outer} = ${p.whole}/${p.inner} is not an integer`);
        shapes.set(p.outer, w / i);
        changed = true;
      } else if (w !== undefined && o !== undefined && i === undefined) {
        if (w % o !== 0) fail('FM241', `${p.whole} = ${w} is not divisible by ${p.outer} = ${o}, so ${p.inner} = ${p.whole}/${p.outer} is not an integer`);
        shapes.set(p.inner, w / o);
        changed = true;
      } else if (w === undefined && o !== undefined && i !== undefined) {
        shapes.set(p.whole, o * i);
        changed = true;
      }
    }
  }
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
    if (w !== undefined && o !== undefined && i !== undefined && w !== o * i) {
      fail('FM242', `${p.whole} = ${w} but ${p.outer} × ${p.inner} = ${o} × ${i} = ${o * i}`, undefined, `give only two of ${p.whole}, ${p.outer}, ${p.inner}`);
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
