// Proves split conformal: the ⌈(n+1)(1−α)⌉-th score, refusal with too few calibration rows, and ~nominal coverage.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../../src/errors.js";
import { Rng } from "../../../trainer/gbdt/rng.js";
import {
  absoluteResiduals,
  calibrationCurve,
  conformalIntervals,
  conformalQuantile,
  conformalRank,
  intervalCoverage,
  minCalibrationRows,
} from "../../../trainer/eval/conformal.js";
import { gaussian, uniform } from "./synthetic.js";

test("the quantile is the ⌈(n+1)(1−α)⌉-th smallest score", () => {
  const scores = Float64Array.from([5, 1, 4, 2, 3, 9, 8, 7, 6, 10]);
  assert.equal(conformalRank(10, 0.1), 10); // ⌈11 · 0.9⌉ = ⌈9.9⌉
  assert.equal(conformalQuantile(scores, 0.1), 10);
  assert.equal(conformalRank(10, 0.2), 9); // ⌈8.8⌉
  assert.equal(conformalQuantile(scores, 0.2), 9);
  assert.equal(conformalRank(19, 0.1), 18); // (19+1)·0.9 = 18, not 19 through rounding
  assert.equal(conformalQuantile(scores, 0.5), 6); // ⌈5.5⌉
});

test("refuses too few calibration rows, saying how many are needed", () => {
  assert.equal(minCalibrationRows(0.1), 9);
  assert.equal(minCalibrationRows(0.05), 19);
  assert.throws(
    () => conformalQuantile(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 0.1),
    (e: unknown) => isViralityError(e, "VIR_TRAIN_INVALID") && /at least 9 calibration rows, got 8/.test(e.message),
  );
  assert.equal(conformalQuantile(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), 0.1), 9);
  assert.throws(() => conformalQuantile(new Float64Array(0)), (e: unknown) => isViralityError(e, "VIR_TRAIN_INVALID"));
  assert.throws(() => conformalRank(100, 1), (e: unknown) => isViralityError(e, "VIR_CONFIG_INVALID"));
});

/** y = 2 + 3x + (0.2 + x)·ε with x ~ U(0, 1): noise grows with x; the model knows the mean exactly. */
function heteroscedastic(n: number, seed: number): { y: Float64Array; yHat: Float64Array } {
  const rng = new Rng(seed);
  const y = new Float64Array(n);
  const yHat = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = uniform(rng);
    yHat[i] = 2 + 3 * x;
    y[i] = yHat[i] + (0.2 + x) * gaussian(rng);
  }
  return { y, yHat };
}

test("coverage is within ±5 points of the nominal 90% on 2,000 test rows", () => {
  const calibration = heteroscedastic(1000, 11);
  const testSet = heteroscedastic(2000, 12);
  const q = conformalQuantile(absoluteResiduals(calibration.y, calibration.yHat), 0.1);
  const summary = intervalCoverage(testSet.y, testSet.yHat, q);
  assert.equal(summary.n, 2000);
  assert.ok(Math.abs(summary.coverage - 0.9) <= 0.05, `coverage ${summary.coverage}`);
  assert.ok(Math.abs(summary.meanWidth - 2 * q) < 1e-9);
  const { lower, upper } = conformalIntervals(testSet.yHat, q);
  assert.ok(Math.abs(upper[0] - lower[0] - 2 * q) < 1e-12);
});

test("the calibration curve follows the diagonal at every level", () => {
  const calibration = heteroscedastic(1000, 21);
  const testSet = heteroscedastic(2000, 22);
  const curve = calibrationCurve(absoluteResiduals(calibration.y, calibration.yHat), testSet.y, testSet.yHat);
  assert.deepEqual(
    curve.map((p) => p.nominal),
    [0.5, 0.6, 0.7, 0.8, 0.9, 0.95],
  );
  for (const point of curve) assert.ok(Math.abs(point.empirical - point.nominal) <= 0.05, JSON.stringify(point));
  for (let k = 1; k < curve.length; k++) assert.ok(curve[k].quantile >= curve[k - 1].quantile);
  // A tiny calibration set leaves out the levels it cannot support.
  const small = calibrationCurve(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), testSet.y, testSet.yHat);
  assert.deepEqual(
    small.map((p) => p.nominal),
    [0.5, 0.6, 0.7, 0.8, 0.9],
  );
});
