// Proves the ml-cart trees: the CART baseline fits and predicts on a screened sample, and surrogate rules read with feature names.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../../src/errors.js";
import { fitCart } from "../../../trainer/baselines/cart.js";
import { fitMean } from "../../../trainer/baselines/mean.js";
import { fitSurrogate } from "../../../trainer/baselines/surrogate.js";
import { Rng } from "../../../trainer/gbdt/rng.js";
import type { RowMatrix } from "../../../trainer/eval/matrix.js";
import { regressionMetrics } from "../../../trainer/eval/metrics.js";
import { gaussian, uniform } from "../eval/synthetic.js";

/** 80 columns of noise, except: column 70 is a step (y jumps by 4 above 0) and column 75 a slope. */
function stepProblem(n: number, seed: number): { x: RowMatrix; y: Float64Array } {
  const rng = new Rng(seed);
  const width = 80;
  const data = new Float32Array(n * width);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < width; c++) data[r * width + c] = gaussian(rng);
    if (r % 13 === 0) data[r * width + 3] = Number.NaN;
    y[r] = (data[r * width + 70] > 0 ? 4 : 0) + data[r * width + 75] + 0.3 * gaussian(rng);
  }
  return { x: { data, rows: n, width }, y };
}

test("the CART baseline fits on a sample of the most correlated columns and predicts every row", () => {
  const train = stepProblem(900, 1);
  const testSet = stepProblem(300, 2);
  const cart = fitCart(train.x, train.y, { maxRows: 600, maxColumns: 8, seed: 3 });
  assert.equal(cart.kind, "cart");
  assert.equal(cart.rows, 600);
  assert.equal(cart.columns.length, 8);
  assert.ok(cart.columns.includes(70) && cart.columns.includes(75), `columns ${cart.columns.join(",")}`);
  const predicted = cart.predict(testSet.x);
  assert.equal(predicted.length, 300);
  const cartMetrics = regressionMetrics(testSet.y, predicted);
  const meanMetrics = regressionMetrics(testSet.y, fitMean(train.y).predict(testSet.x));
  assert.ok(cartMetrics.r2 > 0.7, `R² ${cartMetrics.r2}`);
  assert.ok(cartMetrics.mae < meanMetrics.mae);
  // seeded: the same sample and the same tree
  assert.deepEqual(fitCart(train.x, train.y, { maxRows: 600, maxColumns: 8, seed: 3 }).predict(testSet.x), predicted);
  assert.throws(() => fitCart(train.x, train.y, { maxDepth: -1 }), (e: unknown) => isViralityError(e, "VIR_CONFIG_INVALID"));
});

test("surrogate rules name the features and count the rows of each leaf", () => {
  const rng = new Rng(4);
  const names = ["emb_0", "emb_1", "views_1h"];
  const n = 1500;
  const data = new Float32Array(n * 3);
  const predictions = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    data[r * 3] = gaussian(rng);
    data[r * 3 + 1] = gaussian(rng);
    data[r * 3 + 2] = Math.round(Math.exp(4 + 5 * uniform(rng)));
    // a little smooth signal too: ml-cart refuses a split that leaves zero error
    predictions[r] = (data[r * 3 + 2] < 2000 ? 8 : 11) + (data[r * 3] < 0.5 ? 0 : 1) + 0.05 * data[r * 3 + 1];
  }
  const surrogate = fitSurrogate({ data, rows: n, width: 3 }, predictions, { names, maxDepth: 2 });
  assert.equal(surrogate.rows, 1000);
  assert.ok(surrogate.fidelityR2 > 0.95, `fidelity ${surrogate.fidelityR2}`);
  assert.ok(surrogate.rules.length >= 3 && surrogate.rules.length <= 4);
  assert.equal(
    surrogate.rules.reduce((a, rule) => a + rule.n, 0),
    1000,
  );
  for (const rule of surrogate.rules) {
    assert.match(rule.text, /^if .+ → [\d.,]+ \(n=\d+\)$/);
    assert.ok(rule.conditions.every((c) => names.includes(c.feature)));
  }
  const texts = surrogate.rules.map((rule) => rule.text).join("\n");
  assert.match(texts, /views_1h < \d,\d{3} and/);
  assert.match(texts, /views_1h ≥ \d,\d{3} and/);
  const cut = surrogate.rules[0].conditions.find((c) => c.feature === "views_1h")?.upper ?? 0;
  assert.ok(cut > 1900 && cut <= 2000, `views_1h split at ${cut}`);
  assert.match(texts, /emb_0 (<|≥) 0\.\d+/);
  assert.throws(
    () => fitSurrogate({ data, rows: n, width: 3 }, predictions, { names, maxDepth: 5 }),
    (e: unknown) => isViralityError(e, "VIR_CONFIG_INVALID"),
  );
});
