/**
 * @file Rule `prune`: drop the Einsums that no output depends on (a dead Einsum can still force a
 * pass). Sound by definition: the outputs read nothing they computed.
 */
import { dropUnread, type Draft } from './draft.ts';
import { accept, refuse, type RuleResult } from './rule.ts';

export function prune(d: Draft): RuleResult {
  const einsums = dropUnread(d.einsums, d.outputs, new Set(d.einsums.map((e) => e.tensor)));
  const dropped = [...new Set(d.einsums.filter((e) => !einsums.includes(e)).map((e) => e.tensor))];
  if (dropped.length === 0) return refuse('prune', 'the cascade', 'every Einsum feeds an output');
  return accept({
    rule: 'prune',
    description: `dropped ${dropped.join(', ')}, which no output needs`,
    condition: 'an Einsum whose result no output reads, directly or through others, does not change the outputs',
    draft: { ...d, einsums },
  });
}
