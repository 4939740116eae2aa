// Proves early stopping "auto" as sklearn: off up to 10,000 rows, on above with a 10% validation split, stopping after 10 iterations without a gain of more than tol.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fitGbdt, shouldStop } from "../../../trainer/gbdt/index.js";
import { Rng } from "../../../trainer/gbdt/rng.js";
import { gaussian, gaussianMatrix } from "./synthetic.js";

function noise(n: number, seed: number): { x: ReturnType<typeof gaussianMatrix>; y: Float64Array } {
  const rng = new Rng(seed);
  const x = gaussianMatrix(rng, n, 2);
  const y = Float64Array.from({ length: n }, () => gaussian(rng));
  return { x, y };
}

test("exactly 10,000 rows: no early stopping, every iteration runs", async () => {
  const { x, y } = noise(10_000, 1);
  const fit = await fitGbdt(x, y, { maxIter: 3 });
  assert.equal(fit.earlyStopping, false);
  assert.equal(fit.nIter, 3);
  assert.equal(fit.nTrainRows, 10_000);
  assert.equal(fit.nValidationRows, 0);
  assert.equal(fit.validationScore.length, 0);
});

test("10,001 rows of pure noise: early stopping holds out ceil(10%) rows and stops early", async () => {
  const { x, y } = noise(10_001, 2);
  const fit = await fitGbdt(x, y);
  assert.equal(fit.earlyStopping, true);
  assert.equal(fit.nValidationRows, 1001);
  assert.equal(fit.nTrainRows, 9000);
  assert.ok(fit.nIter < 100 && fit.nIter >= 10, `stopped after ${fit.nIter}`);
  assert.equal(fit.validationScore.length, fit.nIter + 1, "one score before the first tree, one per tree");
  assert.equal(fit.trainScore.length, fit.nIter + 1);
  assert.equal(shouldStop(Array.from(fit.validationScore), 10, 1e-7), true);
  assert.equal(shouldStop(Array.from(fit.validationScore.subarray(0, -1)), 10, 1e-7), false, "it stopped at the first chance");
});

test("earlyStopping can be forced on or off", async () => {
  const small = noise(500, 3);
  const on = await fitGbdt(small.x, small.y, { earlyStopping: true, validationFraction: 0.2 });
  assert.equal(on.nValidationRows, 100);
  assert.ok(on.nIter < 100);
  const big = noise(10_001, 4);
  const off = await fitGbdt(big.x, big.y, { earlyStopping: false, maxIter: 2 });
  assert.equal(off.earlyStopping, false);
  assert.equal(off.nIter, 2);
});

test("shouldStop: the last n scores must not beat the one before them by more than tol", () => {
  assert.equal(shouldStop([1, 2, 3], 3, 0), false, "too few scores");
  assert.equal(shouldStop([1, 1, 1, 1], 3, 0), true);
  assert.equal(shouldStop([1, 1, 1, 1.5], 3, 0), false);
  assert.equal(shouldStop([1, 1, 1, 1 + 1e-8], 3, 1e-7), true, "within tol is no improvement");
  assert.equal(shouldStop([-5, 1, 0, 0], 2, 0), true, "the reference is the score n+1 from the end");
});
