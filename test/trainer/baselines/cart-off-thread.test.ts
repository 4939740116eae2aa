// Proves the CART baseline run on a worker thread (cartOffThread, as the trainer runs it) predicts exactly what fitCart predicts on the main thread, with the same name, and that bad settings fail at once, naming the setting.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../../src/errors.js";
import { cartOffThread, fitCart } from "../../../trainer/baselines/cart.js";
import { Rng } from "../../../trainer/gbdt/rng.js";
import type { RowMatrix } from "../../../trainer/eval/matrix.js";
import { gaussian } from "../eval/synthetic.js";

function problem(n: number, seed: number): { x: RowMatrix; y: Float64Array } {
  const rng = new Rng(seed);
  const width = 30;
  const data = new Float32Array(n * width);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < width; c++) data[r * width + c] = gaussian(rng);
    if (r % 11 === 0) data[r * width + 2] = Number.NaN;
    y[r] = Math.sin(2 * (data[r * width + 4] ?? 0)) + (data[r * width + 9] ?? 0) ** 2 + 0.2 * gaussian(rng);
  }
  return { x: { data, rows: n, width }, y };
}

test("the CART baseline on a worker thread predicts exactly what it predicts on this one", async () => {
  const train = problem(700, 1);
  const testSet = problem(200, 2);
  const options = { seed: 5, maxRows: 500, maxColumns: 12 };
  const here = fitCart(train.x, train.y, options);
  const away = cartOffThread(train.x, train.y, testSet.x, options);
  assert.equal(away.name, here.name);
  assert.deepEqual(await away.predictions, here.predict(testSet.x));
});

test("bad tree settings and a test matrix of other columns fail at once, before a worker starts", () => {
  const train = problem(100, 3);
  assert.throws(
    () => cartOffThread(train.x, train.y, train.x, { maxDepth: -1 }),
    (error: unknown) => isViralityError(error) && error.code === "VIR_CONFIG_INVALID" && /maxDepth/.test(error.message),
  );
  const narrow: RowMatrix = { data: new Float32Array(10 * 5), rows: 10, width: 5 };
  assert.throws(
    () => cartOffThread(train.x, train.y, narrow),
    (error: unknown) => isViralityError(error) && /CART was fitted on 30 columns, got 5/.test(error.message),
  );
});
