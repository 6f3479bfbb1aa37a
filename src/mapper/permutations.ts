/**
 * @file Loop orders at one level that can change a count, and nothing more. For a tensor, the order of
 * a level's loops matters only through which of its *irrelevant* loops sit outside its innermost
 * relevant loop there (they refetch its tiles; those inside reuse them). A candidate is therefore the
 * set of such outside loops per tensor (its signature); orders with the same signature give the same
 * counts and are collapsed into one representative.
 *
 * Enumeration places loops innermost first. Placing a loop *closes* the open tensors it is relevant to
 * (their innermost relevant loop is now known). Consecutive placements that close nothing commute, so
 * a run of them is generated in increasing dimension order only; once every tensor is closed the rest
 * of the order is irrelevant and follows in increasing order. Pinned loops (a permutation constraint,
 * innermost first) come first, in their order.
 */

export interface PermCandidate {
  /** The level's loops with a bound above 1, innermost first. */
  readonly order: readonly number[];
  /** Per tensor: bit mask of its irrelevant loops outside its innermost relevant loop (0 if it has no relevant loop here). */
  readonly outside: Int32Array;
}

/**
 * Distinct-signature loop orders of the dimensions in `mask`, with `pinned` innermost (those of them in
 * `mask`, in order). `tensorMasks[t]` is the set of dimensions tensor t depends on.
 */
export function permutationCandidates(mask: number, pinned: readonly number[], tensorMasks: readonly number[]): PermCandidate[] {
  const dims: number[] = [];
  for (let d = 0; d < 31; d++) if (mask & (1 << d)) dims.push(d);
  const prefix = pinned.filter((d) => mask & (1 << d));
  const free = dims.filter((d) => !prefix.includes(d));
  const T = tensorMasks.length;
  const out: PermCandidate[] = [];
  const seen = new Set<string>();
  const outside = new Int32Array(T);
  const order: number[] = [];

  let open = 0;
  for (let t = 0; t < T; t++) if (tensorMasks[t]! & mask) open |= 1 << t;

  /** Place d; returns the tensors it closed. */
  const place = (d: number, placed: number): number => {
    let closed = 0;
    for (let t = 0; t < T; t++) {
      if (open & (1 << t) && tensorMasks[t]! & (1 << d)) {
        closed |= 1 << t;
        outside[t] = mask & ~(placed | (1 << d)) & ~tensorMasks[t]!;
      }
    }
    open &= ~closed;
    order.push(d);
    return closed;
  };
  const unplace = (closed: number): void => {
    open |= closed;
    for (let t = 0; t < T; t++) if (closed & (1 << t)) outside[t] = 0;
    order.pop();
  };
  const emit = (placed: number): void => {
    const key = Array.from(outside).join(',');
    if (seen.has(key)) return;
    seen.add(key);
    const rest = dims.filter((d) => !(placed & (1 << d)));
    out.push({ order: [...order, ...rest], outside: Int32Array.from(outside) });
  };

  let placed = 0;
  for (const d of prefix) {
    place(d, placed);
    placed |= 1 << d;
  }
  /** `after`: the previous placement closed nothing, so a closing-nothing placement must use a larger index. */
  const dfs = (placed: number, after: number): void => {
    if (open === 0 || (placed & mask) === mask) {
      emit(placed);
      return;
    }
    for (const d of free) {
      if (placed & (1 << d)) continue;
      const closes = tensorsClosedBy(d);
      if (closes === 0 && d <= after) continue;
      const closed = place(d, placed);
      dfs(placed | (1 << d), closed === 0 ? d : -1);
      unplace(closed);
    }
  };
  const tensorsClosedBy = (d: number): number => {
    let c = 0;
    for (let t = 0; t < T; t++) if (open & (1 << t) && tensorMasks[t]! & (1 << d)) c |= 1 << t;
    return c;
  };
  dfs(placed, -1);
  return out;
}

/**
 * Every order of the loops in `mask` with `pinned` innermost, each its own candidate: for a tensor with an
 * affine projection, the order of its relevant loops changes its tiles' deltas (src/model/sliding.ts),
 * so no two orders are alike.
 */
export function everyOrder(mask: number, pinned: readonly number[], tensorMasks: readonly number[]): PermCandidate[] {
  const dims: number[] = [];
  for (let d = 0; d < 31; d++) if (mask & (1 << d)) dims.push(d);
  const prefix = pinned.filter((d) => mask & (1 << d));
  const free = dims.filter((d) => !prefix.includes(d));
  const out: PermCandidate[] = [];
  const orders = (xs: readonly number[]): number[][] => (xs.length <= 1 ? [xs.slice()] : xs.flatMap((x, i) => orders([...xs.slice(0, i), ...xs.slice(i + 1)]).map((o) => [x, ...o])));
  for (const rest of orders(free)) {
    const order = [...prefix, ...rest];
    const outside = new Int32Array(tensorMasks.length);
    tensorMasks.forEach((tm, t) => {
      const i = order.findIndex((d) => tm & (1 << d));
      if (i < 0) return;
      for (const d of order.slice(i + 1)) if (!(tm & (1 << d))) outside[t] = outside[t]! | (1 << d);
    });
    out.push({ order, outside });
  }
  return out;
}
