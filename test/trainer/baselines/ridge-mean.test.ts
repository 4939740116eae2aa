// Proves the closed-form ridge: it beats the mean on a linear target, recovers the coefficients, imputes NaN, and handles p ≈ 600.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../../src/errors.js";
import { fitMean } from "../../../trainer/baselines/mean.js";
import { fitRidge, solveCholesky } from "../../../trainer/baselines/ridge.js";
import { regressionMetrics } from "../../../trainer/eval/metrics.js";
import { linearProblem } from "../eval/synthetic.js";

const COEFFICIENTS = [2, -1, 0.5, 0, 3];

test("ridge beats the mean on a linear target and recovers its coefficients", () => {
  const train = linearProblem(2000, COEFFICIENTS, { seed: 1, noise: 0.1, intercept: 4, scale0: 100 });
  const testSet = linearProblem(500, COEFFICIENTS, { seed: 2, noise: 0.1, intercept: 4, scale0: 100 });
  const ridge = fitRidge(train.x, train.y);
  const mean = fitMean(train.y);
  const ridgeMetrics = regressionMetrics(testSet.y, ridge.predict(testSet.x));
  const meanMetrics = regressionMetrics(testSet.y, mean.predict(testSet.x));
  assert.ok(ridgeMetrics.mae < 0.2 * meanMetrics.mae, `${ridgeMetrics.mae} vs ${meanMetrics.mae}`);
  assert.ok(ridgeMetrics.r2 > 0.99);
  assert.ok(Math.abs(meanMetrics.r2) < 0.05);
  // column 0 has std 100: its coefficient is returned on the original scale
  COEFFICIENTS.forEach((beta, c) => {
    assert.ok(Math.abs(ridge.coefficients[c] - beta) < 0.02, `β${c} = ${ridge.coefficients[c]}, want ${beta}`);
  });
  assert.ok(Math.abs(ridge.intercept - 4) < 0.02, `intercept ${ridge.intercept}`);
  assert.equal(ridge.kind, "ridge");
  assert.equal(ridge.name, "ridge (λ=1)");
});

test("missing values are imputed with the train column mean; constant columns are ignored", () => {
  const train = linearProblem(1000, [1, 2], { seed: 3, noise: 0.1 });
  const width = 3;
  const data = new Float32Array(train.x.rows * width);
  for (let r = 0; r < train.x.rows; r++) {
    data[r * width] = r % 10 === 0 ? Number.NaN : train.x.data[r * 2];
    data[r * width + 1] = train.x.data[r * 2 + 1];
    data[r * width + 2] = 7; // constant
  }
  const ridge = fitRidge({ data, rows: train.x.rows, width }, train.y);
  assert.equal(ridge.coefficients[2], 0);
  assert.ok(Math.abs(ridge.coefficients[1] - 2) < 0.1);
  const predicted = ridge.predict({ data: Float32Array.from([Number.NaN, 0, 7]), rows: 1, width });
  assert.ok(Math.abs(predicted[0] - (ridge.intercept + ridge.coefficients[0] * ridge.fill[0])) < 1e-9);
});

test("ridge handles ~600 columns", () => {
  const p = 600;
  const coefficients = Array.from({ length: p }, (_, c) => (c < 3 ? [1.5, -2, 1][c] : 0));
  const train = linearProblem(1200, coefficients, { seed: 4, noise: 0.2 });
  const testSet = linearProblem(300, coefficients, { seed: 5, noise: 0.2 });
  const ridge = fitRidge(train.x, train.y, { lambda: 10 });
  assert.ok(regressionMetrics(testSet.y, ridge.predict(testSet.x)).r2 > 0.8);
});

test("Cholesky solves a small system; bad λ and missing targets are refused", () => {
  // [[4, 2], [2, 3]] β = [2, 1] → β = [0.5, 0]
  const beta = solveCholesky(Float64Array.from([4, 2, 0, 3]), Float64Array.from([2, 1]), 2);
  assert.ok(Math.abs(beta[0] - 0.5) < 1e-12 && Math.abs(beta[1]) < 1e-12);
  const train = linearProblem(50, [1], { seed: 6, noise: 0.1 });
  assert.throws(() => fitRidge(train.x, train.y, { lambda: -1 }), (e: unknown) => isViralityError(e, "VIR_CONFIG_INVALID"));
  const unlabeled = Float64Array.from(train.y);
  unlabeled[7] = Number.NaN;
  assert.throws(
    () => fitRidge(train.x, unlabeled),
    (e: unknown) => isViralityError(e, "VIR_TRAIN_INVALID") && /row 7/.test(e.message),
  );
});
