/**
 * @file Automatic versus hand-made designs: for each attention configuration of the paper whose design
 * names its cascade, the automatic design of that cascade on that design's hardware (with
 * the cut into groups searched as for every design), at every model and length, beside the hand-made design's latency
 * and energy. The summary's table "automatic vs hand-made designs" (`fusemax reproduce --auto-designs`).
 */
import { quirksFor } from '../experiments/artifact-quirks.ts';
import { ATTENTION, designOf, evaluatePoint, type Library } from '../experiments/paper.ts';
import type { Cascade } from '../ir/cascade.ts';
import type { Fidelity } from '../model/types.ts';
import { designCascadeOn } from './design.ts';
import { hardwareOf, hardwareSpec } from './hardware.ts';

export interface VersusRow {
  /** The attention configuration (design name). */
  readonly config: string;
  readonly cascade: string;
  readonly model: string;
  readonly seq: string;
  readonly auto: { readonly latency: number; readonly energy: number };
  readonly hand: { readonly latency: number; readonly energy: number };
}

/** The configurations an automatic design can be derived for: those whose design names a cascade that is given. */
export function derivableConfigs(lib: Library, cascades: ReadonlyMap<string, Cascade>): { config: string; cascade: string }[] {
  const out: { config: string; cascade: string }[] = [];
  for (const a of ATTENTION) {
    const cascade = designOf(lib, a.design).spec.cascade;
    if (cascade !== undefined && cascades.has(cascade)) out.push({ config: a.design, cascade });
  }
  return out;
}

export function versusHand(lib: Library, cascades: ReadonlyMap<string, Cascade>, fidelity: Fidelity, models: readonly string[], seqs: readonly string[], progress?: (done: number, total: number) => void): VersusRow[] {
  const configs = derivableConfigs(lib, cascades);
  const total = configs.length * models.length * seqs.length;
  const rows: VersusRow[] = [];
  // The search reads only a design's hardware (what an emitted design copies): configurations on the
  // same hardware (+Architecture's is +Binding's) get the same automatic design, searched once a point.
  const searched = new Map<string, { latency: number; energy: number }>();
  for (const { config, cascade } of configs) {
    const hardware = JSON.stringify(hardwareSpec(hardwareOf(designOf(lib, config))));
    for (const model of models) for (const seq of seqs) {
      const hand = evaluatePoint(lib, config, model, seq, quirksFor(fidelity));
      const key = `${cascade}|${model}|${seq}|${hardware}`;
      const auto = searched.get(key) ?? designCascadeOn({
        cascade: cascades.get(cascade)!,
        cascadeName: cascade,
        hardware: designOf(lib, config),
        point: { kind: 'model', spec: lib.workloads, model, seq },
        fidelity,
        objective: 'latency',
        fusion: 'auto',
        optimize: false,
      }).result;
      searched.set(key, auto);
      rows.push({ config, cascade, model, seq: hand.instance.workload.seq, auto: { latency: auto.latency, energy: auto.energy }, hand: { latency: hand.latency, energy: hand.energy } });
      progress?.(rows.length, total);
    }
  }
  return rows;
}
