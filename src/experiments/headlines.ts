/**
 * @file The headline numbers of the evaluation from a reproduction: FuseMax (+Binding) against FLAT and
 * Unfused, speedup (latency ratio) and energy (FuseMax / baseline), per model and over all points
 * (geometric and arithmetic means), for attention alone and end to end (attention + the linear layers:
 * the FLAT hardware's for Unfused, FLAT and +Cascade, FuseMax's for +Architecture and +Binding), and the
 * arrays' utilizations. Also: how much each artifact quirk moves these and the published columns.
 */
import type { DesignResult } from './evaluate-design.ts';
import { ATTENTION, type Reproduction } from './paper.ts';
import type { Quirk } from './artifact-quirks.ts';
import { mapperGap, type MapperGap } from './mapper-hook.ts';

export interface Stat {
  readonly geo: number;
  readonly arith: number;
  readonly min: number;
  readonly max: number;
}

export interface Ratio {
  readonly all: Stat;
  readonly perModel: ReadonlyMap<string, Stat>;
}

export interface Headlines {
  readonly attention: { readonly speedupVsFlat: Ratio; readonly speedupVsUnfused: Ratio; readonly energyVsFlat: Ratio; readonly energyVsUnfused: Ratio };
  readonly endToEnd: { readonly speedupVsFlat: Ratio; readonly speedupVsUnfused: Ratio; readonly energyVsFlat: Ratio; readonly energyVsUnfused: Ratio };
  /** Per attention key: util_2d and util_1d statistics. */
  readonly utilization: ReadonlyMap<string, { readonly util2d: Stat; readonly util1d: Stat }>;
}

export function stat(xs: readonly number[]): Stat {
  let logSum = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    logSum += Math.log(x);
    sum += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  return { geo: Math.exp(logSum / xs.length), arith: sum / xs.length, min, max };
}

interface Point {
  readonly model: string;
  readonly latency: number;
  readonly energy: number;
}

/** Attention-only or end-to-end points of one configuration, in row order. */
export function points(r: Reproduction, key: string, endToEnd: boolean): Point[] {
  const attn = r.attention.get(key) ?? [];
  const linearKey = ATTENTION.find((a) => a.key === key)?.linear === 'linear-proposal' ? 'proposal' : 'flat';
  const lin = r.linear.get(linearKey) ?? [];
  return attn.map((row, i) => {
    const l: DesignResult | undefined = endToEnd ? lin[i]?.result : undefined;
    return { model: row.model, latency: row.result.latency + (l?.latency ?? 0), energy: row.result.energy + (l?.energy ?? 0) };
  });
}

function ratio(num: readonly Point[], den: readonly Point[], f: (a: Point, b: Point) => number): Ratio {
  const values = num.map((a, i) => f(a, den[i]!));
  const perModel = new Map<string, Stat>();
  for (const m of new Set(num.map((p) => p.model))) perModel.set(m, stat(values.filter((_, i) => num[i]!.model === m)));
  return { all: stat(values), perModel };
}

export function headlines(r: Reproduction): Headlines {
  const side = (endToEnd: boolean) => {
    const fm = points(r, 'binding', endToEnd);
    const flat = points(r, 'flat', endToEnd);
    const unf = points(r, 'unfused', endToEnd);
    const speed = (a: Point, b: Point): number => a.latency / b.latency;
    const energy = (a: Point, b: Point): number => a.energy / b.energy;
    return { speedupVsFlat: ratio(flat, fm, speed), speedupVsUnfused: ratio(unf, fm, speed), energyVsFlat: ratio(fm, flat, energy), energyVsUnfused: ratio(fm, unf, energy) };
  };
  const utilization = new Map<string, { util2d: Stat; util1d: Stat }>();
  for (const a of ATTENTION) {
    const rows = r.attention.get(a.key) ?? [];
    if (rows.length === 0) continue;
    utilization.set(a.key, { util2d: stat(rows.map((x) => x.result.utilization.get('2d') ?? 0)), util1d: stat(rows.map((x) => x.result.utilization.get('1d') ?? 0)) });
  }
  return { attention: side(false), endToEnd: side(true), utilization };
}

export interface QuirkEffect {
  readonly quirk: Quirk;
  /** Largest relative change of any attention or end-to-end traffic, latency or energy value when the quirk is removed. */
  readonly maxChange: { readonly value: number; readonly where: string };
  /** Headline ratios without the quirk (everything else as published). */
  readonly headlines: Headlines;
  /** For `mapper-mappings`: how far the recorded mappings are from the mapper's optima. */
  readonly mapperGap?: MapperGap;
}

/** Compare a reproduction (all quirks) with one that lacks a quirk. */
export function quirkEffect(quirk: Quirk, withAll: Reproduction, without: Reproduction): QuirkEffect {
  let best = { value: 0, where: 'nothing changes' };
  const scan = (kind: string, a: ReadonlyMap<string, readonly { model: string; seq: string; result: DesignResult }[]>, b: typeof a): void => {
    for (const [key, rows] of a) {
      const other = b.get(key) ?? [];
      rows.forEach((row, i) => {
        const o = other[i]?.result;
        if (!o) return;
        for (const [col, x, y] of [['traffic', row.result.traffic, o.traffic], ['latency', row.result.latency, o.latency], ['energy', row.result.energy, o.energy]] as const) {
          const rel = Math.abs(y - x) / Math.abs(x);
          if (rel > Math.abs(best.value)) best = { value: (y - x) / x, where: `${kind}-${key} ${row.model} ${row.seq} ${col}` };
        }
      });
    }
  };
  scan('attn', withAll.attention, without.attention);
  scan('end2end', withAll.linear, without.linear);
  const gap = quirk === 'mapper-mappings' ? mapperGap(withAll, without) : undefined;
  return { quirk, maxChange: best, headlines: headlines(without), ...(gap ? { mapperGap: gap } : {}) };
}
