/**
 * Loop-order candidates: on random sets of loops, tensors and pinned loops, the candidates are exactly
 * the distinct signatures of all orders that honour the pins (computed here from every permutation), and
 * each candidate's own order has the signature it claims.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParams } from '../helpers/property.ts';
import { permutationCandidates } from '../../src/mapper/permutations.ts';

function allOrders(xs: readonly number[]): number[][] {
  if (xs.length <= 1) return [xs.slice()];
  return xs.flatMap((x, i) => allOrders([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** Per tensor, the irrelevant loops outside its innermost relevant loop (order innermost first). */
function signature(order: readonly number[], tensors: readonly number[]): string {
  return tensors
    .map((mask) => {
      const i = order.findIndex((d) => mask & (1 << d));
      if (i < 0) return 0;
      let out = 0;
      for (const d of order.slice(i + 1)) if (!(mask & (1 << d))) out |= 1 << d;
      return out;
    })
    .join(',');
}

test('candidates are the distinct signatures of the pinned orders', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 63 }), fc.array(fc.integer({ min: 1, max: 63 }), { minLength: 1, maxLength: 4 }), fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }), (mask, tensors, pinnedRaw) => {
      const dims = [0, 1, 2, 3, 4, 5].filter((d) => mask & (1 << d));
      const pinned = [...new Set(pinnedRaw)];
      const pin = pinned.filter((d) => mask & (1 << d));
      const expected = new Set(allOrders(dims).filter((o) => pin.every((d, i) => o[i] === d)).map((o) => signature(o, tensors)));
      const got = permutationCandidates(mask, pinned, tensors);
      const sigs = got.map((c) => Array.from(c.outside).join(','));
      assert.equal(new Set(sigs).size, sigs.length, 'no two candidates alike');
      assert.deepEqual(new Set(sigs), expected);
      for (const c of got) {
        assert.equal(signature(c.order, tensors), Array.from(c.outside).join(','));
        assert.deepEqual([...c.order].sort(), [...dims].sort());
        assert.deepEqual(c.order.slice(0, pin.length), pin);
      }
    }),
    propertyParams(400),
  );
});
