// Proves native categorical splits: categories are grouped by gradient (not by code order), unknown and malformed codes follow the missing direction, bad codes are refused at fit.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../../src/errors.js";
import { BITSET_WORDS, predictTrees, predictTreesRow } from "../../../src/model/trees.js";
import { fitGbdt } from "../../../trainer/gbdt/index.js";
import { column } from "./synthetic.js";

// codes 0..9, 30 rows each; codes 1, 4 and 7 have y = 10, the others 0: not separable by one
// threshold on the code, separable by one categorical split.
const codes = Array.from({ length: 300 }, (_, i) => i % 10);
const high = new Set([1, 4, 7]);
const y = Float64Array.from(codes, (c) => (high.has(c) ? 10 : 0));

test("one categorical split separates non-contiguous categories exactly", async () => {
  const fit = await fitGbdt(column(codes), y, { maxIter: 1, learningRate: 1, maxLeafNodes: 2, categoricalFeatures: [0] });
  const m = fit.model;
  assert.equal(m.catBitset[0], 0, "the root is a categorical split");
  assert.equal(m.bitsets.length, BITSET_WORDS);
  const p = predictTrees(m, column(codes));
  for (let i = 0; i < codes.length; i++) assert.ok(Math.abs(p[i] - y[i]) < 1e-9);

  const numeric = await fitGbdt(column(codes), y, { maxIter: 1, learningRate: 1, maxLeafNodes: 2 });
  const q = predictTrees(numeric.model, column(codes));
  assert.ok(q.some((v, i) => Math.abs(v - y[i]) > 1), "a numeric threshold cannot do it");
});

test("unknown, negative, fractional and out-of-range codes follow the missing-value direction", async () => {
  const withMissing = [...codes.map((c) => (c === 0 ? NaN : c))];
  const fit = await fitGbdt(column(withMissing), y, { maxIter: 1, learningRate: 1, maxLeafNodes: 2, categoricalFeatures: [0] });
  const m = fit.model;
  const missing = predictTreesRow(m, [NaN]);
  for (const odd of [11, 200, 255, 256, -1, 2.5, Infinity]) {
    assert.equal(predictTreesRow(m, [odd]), missing, `code ${odd}`);
  }
  assert.equal(predictTreesRow(m, [4]), 10);
  assert.equal(predictTreesRow(m, [5]), 0);
});

test("categories with fewer than MIN_CAT_SUPPORT (10) rows always go right", async () => {
  // code 9 has 5 rows with a large y: it cannot be put alone on the left
  const few = [...codes.filter((c) => c !== 9), 9, 9, 9, 9, 9];
  const yFew = Float64Array.from(few, (c) => (c === 9 ? 100 : high.has(c) ? 10 : 0));
  const fit = await fitGbdt(column(few), yFew, { maxIter: 1, learningRate: 1, maxLeafNodes: 2, categoricalFeatures: [0] });
  const m = fit.model;
  const leftHas9 = ((m.bitsets[0] >>> 9) & 1) === 1;
  assert.equal(leftHas9, false);
});

test("category codes must be integers in [0, 255]; at most maxBins categories", async () => {
  for (const bad of [1.5, -2, 256]) {
    await assert.rejects(
      fitGbdt(column([...codes, bad]), Float64Array.from([...y, 0]), { categoricalFeatures: [0] }),
      (e) => isViralityError(e, "VIR_TRAIN_INVALID") && e.message.includes("categorical feature 0"),
    );
  }
  await assert.rejects(
    fitGbdt(column(codes), y, { categoricalFeatures: [0], maxBins: 5 }),
    (e) => isViralityError(e, "VIR_TRAIN_INVALID") && e.message.includes("more than maxBins"),
  );
  await assert.rejects(fitGbdt(column(codes), y, { categoricalFeatures: [3] }), (e) => isViralityError(e, "VIR_TRAIN_INVALID"));
  // refused while the worker thread is still starting: it is stopped, nothing hangs
  await assert.rejects(
    fitGbdt(column([...codes, 0.5]), Float64Array.from([...y, 0]), { categoricalFeatures: [0], threads: 2 }),
    (e) => isViralityError(e, "VIR_TRAIN_INVALID"),
  );
});
