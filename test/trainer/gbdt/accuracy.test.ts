// Proves the GBDT learns: on a seeded non-linear problem it beats the mean and a linear model on held-out rows, deterministically.
import assert from "node:assert/strict";
import { test } from "node:test";
import { predictTrees } from "../../../src/model/trees.js";
import { fitGbdt } from "../../../trainer/gbdt/index.js";
import { Rng } from "../../../trainer/gbdt/rng.js";
import { gaussianMatrix, linearFit, mae, nonLinearTarget, rows } from "./synthetic.js";

const rng = new Rng(7);
const x = gaussianMatrix(rng, 3000, 6);
const y = nonLinearTarget(rng, x, 0.2);
const train = rows(x, 0, 2000);
const test_ = rows(x, 2000, 3000);
const yTrain = y.subarray(0, 2000);
const yTest = y.subarray(2000);

test("beats the mean and a linear model on a non-linear target (held-out MAE)", async () => {
  const fit = await fitGbdt(train, yTrain);
  assert.equal(fit.nIter, 100, "no early stopping below 10,000 rows");
  const ours = mae(predictTrees(fit.model, test_), yTest);
  let mean = 0;
  for (const v of yTrain) mean += v / yTrain.length;
  const meanMae = mae(new Float64Array(yTest.length).fill(mean), yTest);
  const linearMae = mae(linearFit(train, yTrain)(test_), yTest);
  assert.ok(ours < 0.5 * meanMae, `gbdt ${ours} vs mean ${meanMae}`);
  assert.ok(ours < 0.6 * linearMae, `gbdt ${ours} vs linear ${linearMae}`);
  // floor on this fixed data set: catches a silent accuracy regression
  assert.ok(ours < 0.45, `held-out MAE ${ours}`);
});

test("the same seed and data give the same model; the baseline is the mean of y", async () => {
  const a = await fitGbdt(train, yTrain, { maxIter: 10 });
  const b = await fitGbdt(train, yTrain, { maxIter: 10 });
  assert.deepEqual(a.model, b.model);
  let mean = 0;
  for (const v of yTrain) mean += v;
  assert.equal(a.model.baseline, mean / yTrain.length);
});

test("row-major and column-major inputs fit the same model", async () => {
  const colMajor = new Float32Array(train.data.length);
  for (let i = 0; i < train.nRows; i++) {
    for (let j = 0; j < train.nCols; j++) colMajor[j * train.nRows + i] = train.data[i * train.nCols + j];
  }
  const a = await fitGbdt(train, yTrain, { maxIter: 5 });
  const b = await fitGbdt({ ...train, data: colMajor, layout: "column-major" }, yTrain, { maxIter: 5 });
  assert.deepEqual(a.model, b.model);
});

test("one thread and two threads (worker) build the identical model", async () => {
  // 40 columns with missing values in some: both threads get features to bin and scan
  const wide = gaussianMatrix(new Rng(8), 1500, 40);
  for (let i = 0; i < wide.data.length; i += 7) if (i % 40 > 30) wide.data[i] = NaN;
  const yWide = nonLinearTarget(new Rng(9), wide, 0.3);
  const a = await fitGbdt(wide, yWide, { maxIter: 8, threads: 1, categoricalFeatures: [] });
  const b = await fitGbdt(wide, yWide, { maxIter: 8, threads: 2 });
  assert.equal(a.threads, 1);
  assert.equal(b.threads, 2);
  assert.deepEqual(a.model, b.model);
});
