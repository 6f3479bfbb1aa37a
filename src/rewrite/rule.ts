/**
 * @file What a rewrite rule returns: the new draft, the rule's name, what it did, and the algebraic
 * condition it relied on (stated, so a user can judge it), or a refusal with the reason.
 */
import type { Draft } from './draft.ts';

export interface Rewrite {
  readonly rule: 'prune' | 'defer' | 'expand' | 'split' | 'partition' | 'online';
  /** What was rewritten, in words. */
  readonly description: string;
  /** The identity the rewrite relies on. */
  readonly condition: string;
  readonly draft: Draft;
  /** Set when the rewrite may lose accuracy (a centred sum multiplied out as written): verify it at once. */
  readonly trades?: 'accuracy';
}

export interface Refusal {
  readonly rule: Rewrite['rule'];
  readonly target: string;
  readonly reason: string;
}

export type RuleResult = { readonly ok: true; readonly rewrite: Rewrite } | { readonly ok: false; readonly refusal: Refusal };

export const refuse = (rule: Rewrite['rule'], target: string, reason: string): RuleResult => ({ ok: false, refusal: { rule, target, reason } });
export const accept = (rewrite: Rewrite): RuleResult => ({ ok: true, rewrite });
