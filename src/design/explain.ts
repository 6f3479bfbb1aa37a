/**
 * @file What an automatic design is and why, in words: per fused group its traversal and tiles, the
 * binding (and which Einsums only one array can execute), the arrays' layouts, the tensors kept on chip
 * across passes, the tensors passed between arrays, the buffer use, the schedule's epochs, and the
 * bottleneck; between groups, the tensors that go through DRAM. Also the JSON summary of a design.
 */
import type { DesignOutcome } from './design.ts';
import type { GroupDesign } from './group.ts';

function si(x: number, unit: string): string {
  const a = Math.abs(x);
  const [scale, prefix] = a >= 1e12 ? [1e12, 'T'] : a >= 1e9 ? [1e9, 'G'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e3 ? [1e3, 'k'] : a >= 1 || a === 0 ? [1, ''] : a >= 1e-3 ? [1e-3, 'm'] : a >= 1e-6 ? [1e-6, 'µ'] : [1e-9, 'n'];
  return `${(x / scale).toFixed(3)} ${prefix}${unit}`;
}

function groupLines(o: DesignOutcome, g: GroupDesign, index: number): string[] {
  const out: string[] = [];
  const members = g.nest.members;
  const names = members.map((m) => m.name);
  out.push(`${o.groups.length === 1 ? 'fused group' : `group ${index + 1}`}: ${names.join(' ')}`);
  const tile = (r: string): string => (g.tiles.get(r)! === 1 ? r : `${r}(tiles of ${g.tiles.get(r)!})`);
  const seq = g.nest.sequential;
  const pre = names.filter((n) => g.nest.role.get(n) === 'pre');
  const post = names.filter((n) => g.nest.role.get(n) === 'post');
  const extentOf = (r: string): number => members.find((m) => m.dims.has(r))!.dims.get(r)!;
  const dram = [...g.nest.parallel, ...(seq ? [seq] : [])];
  const loops = dram.filter((r) => g.tiles.get(r)! < extentOf(r));
  const onChip = [...new Set(members.flatMap((m) => [...m.dims.keys()]))].filter((r) => !loops.includes(r));
  out.push(`  traversal   DRAM loops ${loops.map(tile).join(' ') || '(none)'}${seq && loops.includes(seq) ? ` — ${seq} is sequential${pre.length ? `; before its loop: ${pre.join(' ')}` : ''}${post.length ? `; after it: ${post.join(' ')}` : ''}` : ''}; whole on chip: ${onChip.join(' ') || '(none)'}`);
  const byArray = new Map<string, string[]>();
  for (const n of names) byArray.set(g.binding.get(n)!, [...(byArray.get(g.binding.get(n)!) ?? []), n]);
  out.push(`  binding     ${[...byArray].map(([a, ns]) => `${a}: ${ns.join(' ')}`).join('  |  ')}`);
  const only = members.map((m) => ({ m, arrays: g.runnable.get(m.name)! })).filter((x) => x.arrays.length === 1);
  if (only.length > 0) out.push(`              only one array can execute ${only.map((x) => `${x.m.name} (${x.m.operations.join(' ') || 'copy'} → ${x.arrays[0]})`).join(', ')}`);
  out.push(`  cycles      ${names.map((n) => `${n} ${g.costs.get(n)!.cycles}`).join(', ')} per point`);
  out.push(`  layout      ${[...g.layout].filter(([a]) => byArray.has(a)).map(([a, l]) => `${a}: ${l.map((r) => r ?? '—').join(' × ')}`).join('  |  ')}`);
  // Tensors written in one pass over an on-chip rank and read in a later one.
  const kept: string[] = [];
  for (const m of members) for (const r of m.reads) {
    const p = members.find((x) => x.name === r.tensor);
    if (!p) continue;
    for (const [rank, pass] of m.passes) {
      if (!r.ranks.includes(rank)) continue;
      const q = p.passes.get(rank);
      if (q !== undefined && q !== pass && !dram.includes(rank)) kept.push(`${r.tensor} (pass ${q} → ${pass} over ${rank}, read by ${m.name})`);
    }
  }
  if (kept.length > 0) out.push(`  on chip     across passes: ${[...new Set(kept)].join(', ')}`);
  const crossings = [...g.crossing].filter(([, ops]) => ops.length > 0).map(([n, ops]) => {
    const m = members.find((x) => x.name === n)!;
    const written = ops.filter((x) => x === m.output.name);
    const read = ops.filter((x) => x !== m.output.name);
    return `${n} ${[written.length ? `writes ${written.join(' ')}` : '', read.length ? `reads ${read.join(' ')}` : ''].filter(Boolean).join(', ')}`;
  });
  if (crossings.length > 0) out.push(`  crossings   through the level the arrays share: ${crossings.join('; ')}`);
  for (const [buf, u] of g.buffer) out.push(`  buffer      ${buf}: ${si(u.used, 'words')} of ${si(u.capacity, 'words')} (${((100 * u.used) / u.capacity).toFixed(1)}%)`);
  g.schedule.epochs.forEach((e, i) => {
    out.push(`  ${i === 0 ? 'schedule' : '        '}    epoch ${i + 1}: ${e.map((lane) => `${g.binding.get(lane[0]!)} [${lane.join(' ')}]`).join('  ')}`);
  });
  if (g.schedule.late.length > 0) out.push(`              pipelined one step late: ${g.schedule.late.join(' ')}`);
  const busy = new Map<string, number>();
  for (const n of names) busy.set(g.binding.get(n)!, (busy.get(g.binding.get(n)!) ?? 0) + g.computeSeconds.get(n)!);
  const [hot, hotTime] = [...busy].reduce((a, b) => (b[1] > a[1] ? b : a));
  const memoryBound = g.memorySeconds >= g.schedule.seconds;
  out.push(`  bottleneck  ${memoryBound ? `memory: ${si(g.memorySeconds, 's')} of DRAM traffic (${si(g.traffic, 'B')}) vs ${si(g.schedule.seconds, 's')} of compute` : `compute: the schedule takes ${si(g.schedule.seconds, 's')}; the busiest array, ${hot}, works ${si(hotTime, 's')} (${((100 * hotTime) / g.schedule.seconds).toFixed(1)}%); memory ${si(g.memorySeconds, 's')}`}`);
  return out;
}

export function explainDesign(o: DesignOutcome, title: string): string {
  const r = o.result;
  const lines = [
    title,
    `latency ${si(r.latency, 's')}   energy ${si(r.energy * 1e-12, 'J')}   traffic ${si(r.traffic, 'B')}   utilization ${[...r.utilization].map(([a, u]) => `${a} ${(u * 100).toFixed(1)}%`).join(', ')}`,
    `searched ${o.searched.partitions} ways to fuse, ${o.searched.groups} groups, ${o.searched.tiles} tilings, ${o.searched.mappings} mappings (${o.searched.evaluations} model evaluations), ${o.searched.schedules} schedules`,
  ];
  if (o.rewrites.length > 0) lines.push(`rewritten first (--optimize): ${o.rewrites.join('; ')}`);
  if (o.einsums.views.length > 0) lines.push(`views (no computation): ${o.einsums.views.map((v) => `${v.tensor} = ${v.of}${v.kind === 'input' ? ' (read from DRAM in its layout)' : ''}`).join(', ')}`);
  o.groups.forEach((g, i) => lines.push('', ...groupLines(o, g, i)));
  if (o.groups.length > 1) {
    const through: string[] = [];
    o.groups.forEach((g, i) => {
      for (const m of g.nest.members) {
        const readers = o.groups.slice(i + 1).flatMap((h, j) => h.nest.members.filter((x) => x.reads.some((y) => y.tensor === m.name)).map((x) => `${x.name} (group ${i + j + 2})`));
        if (readers.length > 0) through.push(`${m.name} (group ${i + 1}) → ${readers.join(', ')}`);
      }
    });
    lines.push('', `through DRAM between groups: ${through.join('; ')}`);
  }
  return lines.join('\n') + '\n';
}

export function designJson(o: DesignOutcome, seconds: number): Record<string, unknown> {
  const r = o.result;
  return {
    latency_s: r.latency,
    energy_pJ: r.energy,
    traffic_bytes: r.traffic,
    utilization: Object.fromEntries(r.utilization),
    design: o.yaml,
    searched: o.searched,
    seconds,
    groups: o.groups.map((g) => ({
      einsums: g.nest.members.map((m) => m.name),
      sequential: g.nest.sequential ?? null,
      tiles: Object.fromEntries(g.tiles),
      binding: Object.fromEntries(g.binding),
      epochs: g.schedule.epochs,
      late: g.schedule.late,
      latency_s: g.latency,
      memory_s: g.memorySeconds,
      compute_s: g.schedule.seconds,
      energy_pJ: g.energy,
      traffic_bytes: g.traffic,
    })),
    ...(o.rewrites.length > 0 ? { rewrites: o.rewrites } : {}),
  };
}
