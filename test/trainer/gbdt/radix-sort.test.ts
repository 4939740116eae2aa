// Proves the WebAssembly radix argsort orders float32-exact values ascending and stably (ties keep their input order, as the binning's sweep expects; −0 sorts before +0, as their bits do, which the binning treats as equal), across negatives, zeros of both signs, repeats and the float32 extremes, and that it refuses values that are not float32 rather than sorting them wrongly.
import assert from "node:assert/strict";
import { test } from "node:test";
import { RadixSorter } from "../../../trainer/gbdt/radix-sort.js";
import { Rng } from "../../../trainer/gbdt/rng.js";

/** The order a stable comparison sort gives (the reference), with −0 before +0 as their bits order them. */
function stableOrder(values: ArrayLike<number>): number[] {
  const negativeZero = (v: number): number => (Object.is(v, -0) ? 0 : 1);
  return Array.from({ length: values.length }, (_, i) => i).sort((a, b) => {
    const va = values[a] ?? 0;
    const vb = values[b] ?? 0;
    return va - vb || negativeZero(va) - negativeZero(vb) || a - b;
  });
}

test("the radix argsort orders float32 values ascending, ties in input order", () => {
  const rng = new Rng(5);
  const n = 5_000;
  const sorter = new RadixSorter(n);
  const pool = [0, -0, 1, -1, 0.5, -0.5, 3.4028234663852886e38, -3.4028234663852886e38, 1.401298464324817e-45, Math.fround(0.1)];
  const input = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // repeats from a small pool, and spread-out values
    input[i] = i % 3 === 0 ? (pool[rng.nextUint32() % pool.length] ?? 0) : Math.fround(((rng.nextUint32() / 2 ** 32) * 2 - 1) * 10 ** ((rng.nextUint32() % 9) - 4));
  }
  for (const k of [n, 1_234, 1, 0]) {
    sorter.values.set(input.subarray(0, k));
    const order = sorter.argsort(k);
    assert.ok(order !== null, `${k} values`);
    assert.deepEqual(Array.from(order), stableOrder(input.subarray(0, k)), `${k} values`);
  }
});

test("the radix argsort refuses values that are not float32", () => {
  const sorter = new RadixSorter(4);
  sorter.values.set([1, 0.1, 2, 3]); // 0.1 is not a float32
  assert.equal(sorter.argsort(4), null);
  assert.throws(() => sorter.argsort(5), /cannot sort 5 values in a sorter of 4/);
});
