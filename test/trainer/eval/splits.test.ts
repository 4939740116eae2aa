// Proves the splits: the time split never trains on a newer upload, and the random split is seeded and partitions all rows.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../../src/errors.js";
import { Rng } from "../../../trainer/gbdt/rng.js";
import { assertChronological, randomSplit, splitSizes, timeSplit, type Split } from "../../../trainer/eval/splits.js";

function assertPartition(split: Split, n: number): void {
  const all = [...split.train, ...split.calibration, ...split.test].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: n }, (_, i) => i));
}

test("sizes follow train_test_split: test ⌈0.2n⌉, calibration ⌈0.2 of the rest⌉", () => {
  assert.deepEqual(splitSizes(101), { test: 21, calibration: 16, train: 64 });
  assert.deepEqual(splitSizes(100, { testFraction: 0.3, calibrationFraction: 0 }), { test: 30, calibration: 0, train: 70 });
  assert.throws(() => splitSizes(10, { testFraction: 1 }), (e: unknown) => isViralityError(e, "VIR_CONFIG_INVALID"));
  assert.throws(() => splitSizes(1), (e: unknown) => isViralityError(e, "VIR_TRAIN_INVALID"));
});

test("random split is seeded (same seed, same split) and partitions all rows", () => {
  const a = randomSplit(1000, { seed: 42 });
  const b = randomSplit(1000, { seed: 42 });
  const c = randomSplit(1000, { seed: 43 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.test, c.test);
  assertPartition(a, 1000);
  assert.equal(a.kind, "random");
  assert.equal(a.test.length, 200);
  assert.equal(a.calibration.length, 160);
});

test("time split never trains on a newer upload", () => {
  const rng = new Rng(7);
  // Many ties (uploads on the same minute), shuffled order.
  const uploadedAt = Float64Array.from({ length: 2000 }, () => 1_700_000_000_000 + rng.below(300) * 60_000);
  const split = timeSplit(uploadedAt);
  assertPartition(split, uploadedAt.length);
  assert.doesNotThrow(() => assertChronological(uploadedAt, split));
  const newestTrain = Math.max(...Array.from(split.train, (i) => uploadedAt[i]));
  const oldestTest = Math.min(...Array.from(split.test, (i) => uploadedAt[i]));
  const oldestCalibration = Math.min(...Array.from(split.calibration, (i) => uploadedAt[i]));
  assert.ok(newestTrain <= oldestTest && newestTrain <= oldestCalibration);
  // Ties are broken by row index: within one upload time, lower rows come first.
  const order = [...split.train, ...split.calibration, ...split.test];
  for (let k = 1; k < order.length; k++) {
    const [prev, cur] = [order[k - 1], order[k]];
    assert.ok(uploadedAt[prev] < uploadedAt[cur] || (uploadedAt[prev] === uploadedAt[cur] && prev < cur));
  }
});

test("the chronology check catches a random split that trains on newer uploads", () => {
  const uploadedAt = Float64Array.from({ length: 500 }, (_, i) => i * 1000);
  assert.throws(
    () => assertChronological(uploadedAt, randomSplit(500, { seed: 1 })),
    (e: unknown) => isViralityError(e, "VIR_TRAIN_INVALID") && /newer than/.test(e.message),
  );
});

test("time split refuses rows without an upload time", () => {
  assert.throws(
    () => timeSplit(Float64Array.from([1, 2, Number.NaN, 4, 5])),
    (e: unknown) => isViralityError(e, "VIR_TRAIN_INVALID") && /row 2/.test(e.message),
  );
});
