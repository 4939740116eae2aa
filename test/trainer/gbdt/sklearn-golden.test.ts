// Proves semantic equality with scikit-learn: on a committed fixture (numeric, missing and categorical values) our fit reproduces HistGradientBoostingRegressor's predictions to 1e-12.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { FeatureMatrix } from "../../../src/model/trees.js";
import { predictTrees } from "../../../src/model/trees.js";
import type { GbdtOptions } from "../../../trainer/gbdt/index.js";
import { fitGbdt } from "../../../trainer/gbdt/index.js";

interface Golden {
  readonly sklearn: string;
  readonly nRows: number;
  readonly nCols: number;
  readonly x: readonly (number | null)[];
  readonly y: readonly number[];
  readonly configs: readonly { name: string; options: GbdtOptions; nIter: number; predictions: readonly number[] }[];
}

// dist/test/trainer/gbdt/ → repository root; the fixture is written by make_sklearn_golden.py
const fixture = fileURLToPath(new URL("../../../../test/fixtures/gbdt/sklearn-golden.json", import.meta.url));
const golden: Golden = JSON.parse(readFileSync(fixture, "utf8"));
const x: FeatureMatrix = {
  data: Float32Array.from(golden.x, (v) => (v === null ? NaN : v)),
  nRows: golden.nRows,
  nCols: golden.nCols,
  layout: "row-major",
};
const y = Float64Array.from(golden.y);

for (const config of golden.configs) {
  test(`matches sklearn ${golden.sklearn} predictions: ${config.name}`, async () => {
    const fit = await fitGbdt(x, y, config.options);
    assert.equal(fit.nIter, config.nIter);
    const p = predictTrees(fit.model, x);
    let worst = 0;
    for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - config.predictions[i]));
    assert.ok(worst < 1e-12, `max |ours − sklearn| = ${worst}`);
  });
}
