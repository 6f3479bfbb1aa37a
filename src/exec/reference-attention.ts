/**
 * @file Textbook softmax attention in plain float64 loops, the oracle the attention cascades are checked
 * against: AV[f,p] = Σ_m softmax_m(QK[m,p]) V[f,m] with QK[m,p] = Σ_e Q[e,p] K[e,m]. The maximum is
 * subtracted before exponentiating (as every practical softmax does), so logits of 1e4 do not overflow.
 * Row-major layouts: Q[E,P], K[E,M], V[F,M] → AV[F,P].
 */

export interface AttentionShape {
  readonly E: number;
  readonly F: number;
  readonly M: number;
  readonly P: number;
}

/** Optional mask[M,P]: a zero entry removes that logit from the softmax (masked attention). */
export function textbookAttention(s: AttentionShape, Q: ArrayLike<number>, K: ArrayLike<number>, V: ArrayLike<number>, mask?: ArrayLike<number>): Float64Array {
  const { E, F, M, P } = s;
  const AV = new Float64Array(F * P);
  const logits = new Float64Array(M);
  const weights = new Float64Array(M);
  for (let p = 0; p < P; p++) {
    let max = -Infinity;
    for (let m = 0; m < M; m++) {
      if (mask && mask[m * P + p] === 0) { logits[m] = -Infinity; continue; }
      let acc = 0;
      for (let e = 0; e < E; e++) acc += (Q[e * P + p] as number) * (K[e * M + m] as number);
      logits[m] = acc;
      if (acc > max) max = acc;
    }
    let sum = 0;
    for (let m = 0; m < M; m++) {
      const w = logits[m] === -Infinity ? 0 : Math.exp((logits[m] as number) - max);
      weights[m] = w;
      sum += w;
    }
    if (sum === 0) continue;
    for (let f = 0; f < F; f++) {
      let acc = 0;
      for (let m = 0; m < M; m++) acc += (weights[m] as number) * (V[f * M + m] as number);
      AV[f * P + p] = acc / sum;
    }
  }
  return AV;
}
