/**
 * @file The 16 EDGE merge operators (EDGE Appendix A): one per Boolean truth table over
 * (left present, right present). A merge decides whether an iteration point is computed at all;
 * the compute operator then decides the value.
 */

export const MERGE_NAMES = [
  'pass_through', 'no_pass', 'intersect', 'take_left_only', 'take_left', 'take_right_only', 'take_right', 'xor',
  'union', 'nor', 'xnor', 'not_right', 'not_left', 'implies_left', 'implies_right', 'nand',
] as const;
export type MergeName = (typeof MERGE_NAMES)[number];

export interface MergeOperator {
  readonly name: MergeName;
  /** The symbol the papers use (FuseMax writes pass-through as `1`). */
  readonly symbol: string;
  /** Output presence for (l,r) = (0,0), (0,1), (1,0), (1,1). */
  readonly table: readonly [boolean, boolean, boolean, boolean];
  readonly commutative: boolean;
}

function merge(name: MergeName, symbol: string, bits: string): MergeOperator {
  const table = [...bits].map((b) => b === '1') as [boolean, boolean, boolean, boolean];
  return { name, symbol, table, commutative: table[1] === table[2] };
}

/** Truth tables as printed in EDGE Appendix A: columns (0,0) (0,1) (1,0) (1,1). */
export const MERGES: Readonly<Record<MergeName, MergeOperator>> = {
  pass_through: merge('pass_through', '1', '1111'),
  no_pass: merge('no_pass', 'F', '0000'),
  intersect: merge('intersect', '∩', '0001'),
  take_left_only: merge('take_left_only', '⊖l', '0010'),
  take_left: merge('take_left', '←', '0011'),
  take_right_only: merge('take_right_only', '⊖r', '0100'),
  take_right: merge('take_right', '→', '0101'),
  xor: merge('xor', '⊕', '0110'),
  union: merge('union', '∪', '0111'),
  nor: merge('nor', '∪̄', '1000'),
  xnor: merge('xnor', '≡', '1001'),
  not_right: merge('not_right', '↛', '1010'),
  not_left: merge('not_left', '↚', '1100'),
  implies_left: merge('implies_left', '⇐', '1011'),
  implies_right: merge('implies_right', '⇒', '1101'),
  nand: merge('nand', '∩̄', '1110'),
};

/** Other spellings accepted in the notation (symbols, and `1` for pass-through as FuseMax writes it). */
const MERGE_ALIASES: Readonly<Record<string, MergeName>> = {
  '1': 'pass_through', '𝟙': 'pass_through', 'T': 'pass_through', pass: 'pass_through',
  '∩': 'intersect', '∪': 'union', '←': 'take_left', '→': 'take_right', '⊕': 'xor', '≡': 'xnor',
  '⊖l': 'take_left_only', '⊖r': 'take_right_only', '↛': 'not_right', '↚': 'not_left', '⇐': 'implies_left',
  '⇒': 'implies_right', '∪̄': 'nor', '∩̄': 'nand', F: 'no_pass',
};

/** Resolve a merge name or symbol; undefined when unknown. */
export function lookupMerge(spelling: string): MergeOperator | undefined {
  if ((MERGE_NAMES as readonly string[]).includes(spelling)) return MERGES[spelling as MergeName];
  const alias = MERGE_ALIASES[spelling];
  return alias ? MERGES[alias] : undefined;
}

/** Whether the merge lets a point with the given operand presences through. */
export function mergeAllows(m: MergeOperator, leftPresent: boolean, rightPresent: boolean): boolean {
  return m.table[(leftPresent ? 2 : 0) + (rightPresent ? 1 : 0)] as boolean;
}

/** Whether the merge computes points where neither operand is present (then no operand can drive iteration). */
export function mergeIncludesNeither(m: MergeOperator): boolean {
  return m.table[0];
}
