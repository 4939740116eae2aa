// Proves the base-margin path used by the 1h/6h stages: the trees learn the residual over a per-row margin, and predict(X, margin) adds it back.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../../src/errors.js";
import { predictTrees } from "../../../src/model/trees.js";
import { fitGbdt, GbdtRegressor } from "../../../trainer/gbdt/index.js";
import { Rng } from "../../../trainer/gbdt/rng.js";
import { gaussian, gaussianMatrix, mae, rows } from "./synthetic.js";

// y = margin + small non-linear residual; the margin itself is large and unrelated to x
const rng = new Rng(11);
const n = 1500;
const x = gaussianMatrix(rng, n, 3);
const margin = Float64Array.from({ length: n }, () => 5 + 3 * gaussian(rng));
const residual = Float64Array.from({ length: n }, (_, i) => Math.sin(2 * x.data[i * 3]) + 0.1 * gaussian(rng));
const y = margin.map((m, i) => m + residual[i]);

test("with the margin, the trees learn the residual and beat a fit without it", async () => {
  const train = rows(x, 0, 1000);
  const held = rows(x, 1000, n);
  const withMargin = await fitGbdt(train, y.subarray(0, 1000), {}, { baseMargin: margin.subarray(0, 1000) });
  const without = await fitGbdt(train, y.subarray(0, 1000));
  const pWith = predictTrees(withMargin.model, held, margin.subarray(1000));
  const pWithout = predictTrees(without.model, held);
  const yHeld = y.subarray(1000);
  assert.ok(mae(pWith, yHeld) < 0.25, `with margin ${mae(pWith, yHeld)}`);
  assert.ok(mae(pWith, yHeld) < 0.2 * mae(pWithout, yHeld), `${mae(pWith, yHeld)} vs ${mae(pWithout, yHeld)}`);
});

test("fitting y with margin m equals fitting y − m without it (up to rounding); baseline = mean(y − m)", async () => {
  const a = await fitGbdt(x, y, { maxIter: 20 }, { baseMargin: margin });
  const b = await fitGbdt(x, Float64Array.from(y, (v, i) => v - margin[i]), { maxIter: 20 });
  assert.ok(Math.abs(a.model.baseline - b.model.baseline) < 1e-12);
  assert.deepEqual(Array.from(a.model.feature), Array.from(b.model.feature));
  const pa = predictTrees(a.model, x, margin);
  const pb = predictTrees(b.model, x);
  for (let i = 0; i < n; i++) assert.ok(Math.abs(pa[i] - margin[i] - pb[i]) < 1e-9);
});

test("the regressor wrapper takes the margin at fit and at predict", async () => {
  const reg = await new GbdtRegressor({ maxIter: 5 }).fit(x, y, { baseMargin: margin });
  const p = reg.predict(x, margin);
  assert.deepEqual(p, predictTrees(reg.model, x, margin));
  assert.equal(reg.predictRow(Array.from(x.data.subarray(0, 3)), margin[0]), p[0]);
});

test("a margin of the wrong length or with non-finite values is refused", async () => {
  await assert.rejects(fitGbdt(x, y, {}, { baseMargin: margin.subarray(1) }), (e) => isViralityError(e, "VIR_TRAIN_INVALID"));
  const bad = margin.slice();
  bad[3] = NaN;
  await assert.rejects(fitGbdt(x, y, {}, { baseMargin: bad }), (e) => isViralityError(e, "VIR_TRAIN_INVALID") && e.message.includes("[3]"));
  const fit = await fitGbdt(x, y, { maxIter: 1 });
  assert.throws(() => predictTrees(fit.model, x, margin.subarray(1)), (e) => isViralityError(e, "VIR_FEATURE_INVALID"));
});
