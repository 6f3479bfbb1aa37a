/**
 * @file The built-in design library in the page: the designs and workloads of specs/, embedded by the
 * build (`fusemax:designs`, `fusemax:workloads`), loaded exactly as src/cli/library.ts loads them from disk.
 */
import designs from 'fusemax:designs';
import workloads from 'fusemax:workloads';
import { loadDesign, type LoadedDesign } from '../experiments/design-spec.ts';
import type { Library } from '../experiments/paper.ts';
import { loadWorkloads } from '../experiments/workload.ts';

/** The workload file the experiments use (src/cli/library.ts: specs/workloads/transformers.yaml). */
const WORKLOADS = 'transformers';

export function builtinLibrary(): Library {
  const byName = new Map<string, LoadedDesign>();
  for (const d of designs) {
    const loaded = loadDesign(d.file, d.text);
    byName.set(loaded.spec.name, loaded);
  }
  const w = workloads.find((x) => x.name === WORKLOADS);
  if (!w) throw new Error(`the build embedded no specs/workloads/${WORKLOADS}.yaml`);
  return { designs: byName, workloads: loadWorkloads(w.file, w.text).spec };
}
