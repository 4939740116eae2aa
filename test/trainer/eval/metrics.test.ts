// Pins the metrics to hand-computed values and to sklearn's / scipy's definitions (R², Spearman with ties).
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../../src/errors.js";
import {
  averageRanks,
  maeFactor,
  meanAbsoluteError,
  r2Score,
  regressionMetrics,
  rootMeanSquaredError,
  spearman,
} from "../../../trainer/eval/metrics.js";

const f = (values: number[]): Float64Array => Float64Array.from(values);
const close = (actual: number, expected: number, tolerance = 1e-12): void =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not ${expected}`);

test("MAE, RMSE and R² match hand-computed values", () => {
  const y = f([3, -0.5, 2, 7]);
  const yHat = f([2.5, 0, 2, 8]);
  // |errors| = 0.5, 0.5, 0, 1
  close(meanAbsoluteError(y, yHat), 0.5);
  close(rootMeanSquaredError(y, yHat), Math.sqrt((0.25 + 0.25 + 0 + 1) / 4));
  // sklearn's r2_score docstring example: 0.9486081370449679
  close(r2Score(y, yHat), 0.9486081370449679);
  close(maeFactor(0.5), Math.exp(0.5));
});

test("R² is 1 for a perfect prediction, 0 for the mean, negative when worse", () => {
  const y = f([1, 2, 3, 4, 10]);
  assert.equal(r2Score(y, y), 1);
  close(r2Score(y, new Float64Array(5).fill(4)), 0);
  assert.ok(r2Score(y, f([10, 4, 3, 2, 1])) < 0);
  // constant target: sklearn's force_finite convention
  assert.equal(r2Score(f([2, 2]), f([2, 2])), 1);
  assert.equal(r2Score(f([2, 2]), f([2, 3])), 0);
});

test("Spearman averages the ranks of ties (scipy.stats.spearmanr)", () => {
  assert.deepEqual(Array.from(averageRanks(f([10, 20, 20, 5, 20]))), [2, 4, 4, 1, 4]);
  // by hand: ranks [1, 2.5, 2.5, 4, 5] and [1, 4, 2.5, 2.5, 5]; Σdadb = 7.25, Σda² = Σdb² = 9.5
  close(spearman(f([1, 2, 2, 3, 4]), f([1, 3, 2, 2, 5])), 7.25 / 9.5);
  close(spearman(f([1, 2, 3]), f([30, 20, 10])), -1);
  close(spearman(f([1, 2, 3, 4]), f([1, 4, 9, 16])), 1);
  assert.ok(Number.isNaN(spearman(f([1, 1, 1]), f([1, 2, 3]))));
});

test("regressionMetrics gathers all and refuses non-finite predictions", () => {
  const metrics = regressionMetrics(f([3, -0.5, 2, 7]), f([2.5, 0, 2, 8]));
  assert.equal(metrics.n, 4);
  close(metrics.mae, 0.5);
  close(metrics.maeFactor, Math.exp(0.5));
  assert.throws(
    () => regressionMetrics(f([1, 2]), f([1, Number.NaN])),
    (e: unknown) => isViralityError(e, "VIR_TRAIN_INVALID") && /row 1/.test(e.message),
  );
  assert.throws(() => meanAbsoluteError(f([1, 2]), f([1])), (e: unknown) => isViralityError(e, "VIR_TRAIN_INVALID"));
});
