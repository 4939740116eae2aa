// Proves sklearn's missing-value handling: NaN gets its own bin and a learned direction; without NaN at fit time, NaN at predict time follows the larger child.
import assert from "node:assert/strict";
import { test } from "node:test";
import { predictTrees, predictTreesRow } from "../../../src/model/trees.js";
import { fitGbdt } from "../../../trainer/gbdt/index.js";
import { column } from "./synthetic.js";

test("informative missing values: NaN rows are learned as their own group", async () => {
  // x in 0..99, every 4th value missing; y = 8 when missing, else 0 below 50, 2 from 50
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 400; i++) {
    const missing = i % 4 === 0;
    const v = i % 100;
    xs.push(missing ? NaN : v);
    ys.push(missing ? 8 : v < 50 ? 0 : 2);
  }
  const fit = await fitGbdt(column(xs), Float64Array.from(ys), { learningRate: 1, maxIter: 1, maxLeafNodes: 3 });
  const p = predictTrees(fit.model, column([NaN, 10, 80]));
  // gradients are float32, as in sklearn: leaf values carry ~1e-7 rounding
  assert.ok(Math.abs(p[0] - 8) < 1e-5, `NaN → ${p[0]}`);
  assert.ok(Math.abs(p[1] - 0) < 1e-5, `10 → ${p[1]}`);
  assert.ok(Math.abs(p[2] - 2) < 1e-5, `80 → ${p[2]}`);
  assert.equal(fit.binMapper.nBinsNonMissing[0], 75, "75 distinct non-missing values, one bin each");
});

test("a split on missing values alone gets threshold +Infinity (all non-missing values go left)", async () => {
  const xs = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? NaN : 1));
  const ys = Float64Array.from(xs, (v) => (Number.isNaN(v) ? 3 : -3));
  const fit = await fitGbdt(column(xs), ys, { learningRate: 1, maxIter: 1 });
  const m = fit.model;
  assert.equal(m.threshold[0], Infinity);
  assert.equal(m.missingLeft[0], 0);
  assert.equal(predictTreesRow(m, [NaN]), 3);
  assert.equal(predictTreesRow(m, [1e308]), -3);
});

test("no missing values at fit: NaN at predict time goes to the child with more samples", async () => {
  const xs = Array.from({ length: 100 }, (_, i) => i);
  for (const [cut, expectLeft] of [
    [70, true],
    [30, false],
  ] as const) {
    const ys = Float64Array.from(xs, (v) => (v < cut ? 0 : 10));
    const fit = await fitGbdt(column(xs), ys, { learningRate: 1, maxIter: 1, maxLeafNodes: 2 });
    assert.equal(fit.model.missingLeft[0], expectLeft ? 1 : 0);
    assert.equal(predictTreesRow(fit.model, [NaN]), expectLeft ? 0 : 10);
  }
});
