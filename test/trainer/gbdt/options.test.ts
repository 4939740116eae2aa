// Pins the hyperparameter defaults (sklearn's HistGradientBoostingRegressor) and that bad or unknown options are refused up front, naming the key.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../../src/errors.js";
import { GBDT_DEFAULTS, resolveGbdtOptions } from "../../../trainer/gbdt/index.js";

test("defaults are sklearn's", () => {
  const o = resolveGbdtOptions({});
  assert.deepEqual(o, GBDT_DEFAULTS);
  assert.deepEqual(
    {
      learningRate: o.learningRate,
      maxIter: o.maxIter,
      maxLeafNodes: o.maxLeafNodes,
      maxDepth: o.maxDepth,
      minSamplesLeaf: o.minSamplesLeaf,
      l2Regularization: o.l2Regularization,
      maxBins: o.maxBins,
      binSubsample: o.binSubsample,
      earlyStopping: o.earlyStopping,
      validationFraction: o.validationFraction,
      nIterNoChange: o.nIterNoChange,
      tol: o.tol,
    },
    {
      learningRate: 0.1,
      maxIter: 100,
      maxLeafNodes: 31,
      maxDepth: null,
      minSamplesLeaf: 20,
      l2Regularization: 0,
      maxBins: 255,
      binSubsample: 200_000,
      earlyStopping: "auto",
      validationFraction: 0.1,
      nIterNoChange: 10,
      tol: 1e-7,
    },
  );
});

test("every option can be set", () => {
  const o = resolveGbdtOptions({ learningRate: 0.05, minSamplesLeaf: 40, maxLeafNodes: null, maxDepth: 6, threads: 1 });
  assert.equal(o.learningRate, 0.05);
  assert.equal(o.minSamplesLeaf, 40);
  assert.equal(o.maxLeafNodes, null);
  assert.equal(o.maxDepth, 6);
  assert.equal(o.threads, 1);
});

test("unknown keys and out-of-range values are refused with VIR_CONFIG_INVALID naming the key", () => {
  const cases: [unknown, string][] = [
    [{ learning_rate: 0.1 }, "learning_rate"],
    [{ learningRate: 0 }, "learningRate"],
    [{ maxIter: 1.5 }, "maxIter"],
    [{ maxLeafNodes: 1 }, "maxLeafNodes"],
    [{ minSamplesLeaf: 0 }, "minSamplesLeaf"],
    [{ l2Regularization: -1 }, "l2Regularization"],
    [{ maxBins: 256 }, "maxBins"],
    [{ validationFraction: 1 }, "validationFraction"],
    [{ earlyStopping: "yes" }, "earlyStopping"],
    [{ categoricalFeatures: [1, 1] }, "categoricalFeatures"],
    [{ binQuantile: "linear" }, "binQuantile"],
    [{ threads: 4 }, "threads"],
    [null, "(options)"],
  ];
  for (const [options, key] of cases) {
    assert.throws(
      () => resolveGbdtOptions(options),
      (e) => isViralityError(e, "VIR_CONFIG_INVALID") && e.message.includes(key),
      JSON.stringify(options),
    );
  }
});
