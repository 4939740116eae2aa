// Proves the Szabo–Huberman baseline recovers the log growth r, falls back to the mean without views, and is the base margin.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../../src/errors.js";
import { fitSzaboHuberman } from "../../../trainer/baselines/szabo-huberman.js";
import { Rng } from "../../../trainer/gbdt/rng.js";
import type { RowMatrix } from "../../../trainer/eval/matrix.js";
import { gaussian, uniform } from "../eval/synthetic.js";

const R = 2.3;

/** Columns: duration, views_1h. y = log1p(views_1h) + R + 0.3·ε; every 7th row lacks views_1h. */
function earlyViews(n: number, seed: number): { x: RowMatrix; y: Float64Array } {
  const rng = new Rng(seed);
  const data = new Float32Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const views = Math.round(Math.exp(2 + 6 * uniform(rng)));
    data[i * 2] = 10 + 50 * uniform(rng);
    data[i * 2 + 1] = i % 7 === 0 ? Number.NaN : views;
    y[i] = Math.log1p(Math.fround(views)) + R + 0.3 * gaussian(rng);
  }
  return { x: { data, rows: n, width: 2 }, y };
}

test("Szabo–Huberman recovers r and falls back to the mean where views are missing", () => {
  const train = earlyViews(3000, 1);
  const model = fitSzaboHuberman(train.x, train.y, { viewsColumn: 1 });
  assert.ok(Math.abs(model.r - R) < 0.03, `r = ${model.r}`);
  assert.equal(model.fittedRows, 3000 - Math.ceil(3000 / 7));
  const trainMean = train.y.reduce((a, b) => a + b, 0) / train.y.length;
  assert.ok(Math.abs(model.fallback - trainMean) < 1e-9);

  const rows: RowMatrix = { data: Float32Array.from([30, 999, 30, Number.NaN, 30, -5]), rows: 3, width: 2 };
  const predicted = model.predict(rows);
  assert.ok(Math.abs(predicted[0] - (Math.log1p(999) + model.r)) < 1e-9);
  assert.equal(predicted[1], model.fallback);
  assert.equal(predicted[2], model.fallback, "negative views are not views");
  assert.deepEqual(model.baseMargin(rows), predicted);
});

test("Szabo–Huberman refuses a views column without any views", () => {
  const x: RowMatrix = { data: Float32Array.from([1, Number.NaN, 2, Number.NaN]), rows: 2, width: 2 };
  assert.throws(
    () => fitSzaboHuberman(x, Float64Array.from([1, 2]), { viewsColumn: 1 }),
    (e: unknown) => isViralityError(e, "VIR_TRAIN_INVALID"),
  );
  assert.throws(
    () => fitSzaboHuberman(x, Float64Array.from([1, 2]), { viewsColumn: 2 }),
    (e: unknown) => isViralityError(e, "VIR_CONFIG_INVALID"),
  );
});
