// Proves what a split records as held out: a time split's boundary leaves every train and calibration row strictly older (moving past ties), a random split lists its test ids, and a video also trained on is never held out.
import assert from "node:assert/strict";
import { test } from "node:test";
import { heldOutOf } from "../../../trainer/eval/held-out.js";
import { randomSplit, timeSplit, type Split } from "../../../trainer/eval/splits.js";
import { Rng } from "../../../trainer/gbdt/rng.js";

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

function idsOf(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `v${String(i).padStart(4, "0")}`);
}

function split(kind: Split["kind"], train: number[], calibration: number[], testRows: number[]): Split {
  return { kind, train: Uint32Array.from(train), calibration: Uint32Array.from(calibration), test: Uint32Array.from(testRows) };
}

test("a time split without ties holds out every upload from its oldest test row on: exactly the test rows", () => {
  const rng = new Rng(3);
  const uploadedAt = Float64Array.from({ length: 500 }, () => T0 + rng.below(1_000_000) * 1_000);
  const ids = idsOf(uploadedAt.length);
  const s = timeSplit(uploadedAt);
  const heldOut = heldOutOf(s, ids, uploadedAt);
  assert.equal(heldOut.kind, "uploadedFrom");
  if (heldOut.kind !== "uploadedFrom") return;
  assert.equal(heldOut.at, Math.min(...Array.from(s.test, (row) => uploadedAt[row] ?? NaN)));
  assert.equal(heldOut.rows, s.test.length);
  const from = new Set(ids.filter((_, row) => (uploadedAt[row] ?? NaN) >= heldOut.at));
  assert.deepEqual(from, new Set(Array.from(s.test, (row) => ids[row])));
});

test("a training row tied with the oldest test rows moves the boundary to the next later test upload", () => {
  // rows 0-5 train/calibrate, 6-9 test; row 5 (calibration) and rows 6, 7 (test) share T0 + 5 min
  const uploadedAt = [0, 1, 2, 3, 4, 5, 5, 5, 6, 7].map((m) => T0 + m * MINUTE);
  const ids = idsOf(uploadedAt.length);
  const heldOut = heldOutOf(split("time", [0, 1, 2, 3], [4, 5], [6, 7, 8, 9]), ids, uploadedAt);
  assert.deepEqual(heldOut, { kind: "uploadedFrom", at: T0 + 6 * MINUTE, rows: 2 });
});

test("when every test row ties with a training row there is no time boundary: the test rows' ids are listed instead", () => {
  const uploadedAt = [0, 1, 2, 2, 2].map((m) => T0 + m * MINUTE);
  const heldOut = heldOutOf(split("time", [0, 1], [2], [4, 3]), idsOf(5), uploadedAt);
  assert.deepEqual(heldOut, { kind: "videos", ids: ["v0003", "v0004"] });
});

test("a random split holds out its test rows' ids, sorted", () => {
  const ids = idsOf(300).reverse();
  const s = randomSplit(ids.length, { seed: 5 });
  const heldOut = heldOutOf(s, ids, null);
  assert.equal(heldOut.kind, "videos");
  if (heldOut.kind !== "videos") return;
  assert.equal(heldOut.ids.length, s.test.length);
  assert.deepEqual(heldOut.ids, Array.from(s.test, (row) => ids[row] ?? "").sort());
  const seen = new Set(Array.from([...s.train, ...s.calibration], (row) => ids[row]));
  assert.ok(heldOut.ids.every((id) => !seen.has(id)));
});

test("a video that also has a train or calibration row (a table holding it twice) is never held out", () => {
  const ids = ["a", "b", "c", "d", "b", "e"];
  const uploadedAt = [0, 1, 2, 3, 4, 5].map((m) => T0 + m * MINUTE);
  const expected = { kind: "videos", ids: ["e"] };
  assert.deepEqual(heldOutOf(split("random", [0, 1, 2], [3], [4, 5]), ids, null), expected);
  // by time "b" would be unseen (its test row is newest), but its older row trained the model
  assert.deepEqual(heldOutOf(split("time", [0, 1, 2], [3], [4, 5]), ids, uploadedAt), expected);
});
