// Pins hand-computable trees: a step function gives one split at the midpoint with leaf values −G/H × learning rate; min_samples_leaf, max_leaf_nodes and max_depth hold.
import assert from "node:assert/strict";
import { test } from "node:test";
import { predictTrees } from "../../../src/model/trees.js";
import { fitGbdt } from "../../../trainer/gbdt/index.js";
import { Rng } from "../../../trainer/gbdt/rng.js";
import { column, gaussianMatrix, leafCount, leafOf, nonLinearTarget, treeDepth, treeNodes } from "./synthetic.js";

// x = 0..99, y = 0 below 50 and 10 from 50 on
const xs = Array.from({ length: 100 }, (_, i) => i);
const step = column(xs);
const yStep = Float64Array.from(xs, (v) => (v < 50 ? 0 : 10));

test("a step function: one split at the midpoint 49.5, leaf values -G/H × learning rate", async () => {
  const fit = await fitGbdt(step, yStep, { maxIter: 1, maxLeafNodes: 2 });
  const m = fit.model;
  assert.equal(m.baseline, 5);
  assert.deepEqual(Array.from(m.feature), [0, -1, -1]);
  assert.equal(m.threshold[0], 49.5, "distinct values <= maxBins: thresholds are midpoints");
  // gradients raw − y = +5 on the left, −5 on the right; value = −G/(N + 1e-15) × 0.1
  assert.ok(Math.abs(m.value[m.left[0]] - -0.5) < 1e-12, String(m.value[m.left[0]]));
  assert.ok(Math.abs(m.value[m.right[0]] - 0.5) < 1e-12, String(m.value[m.right[0]]));
  assert.deepEqual(Array.from(predictTrees(m, column([0, 49, 49.5, 49.6, 99]))), [4.5, 4.5, 4.5, 5.5, 5.5]);
});

test("learning rate 1 and one split fit the step exactly; more splits cannot improve it", async () => {
  const fit = await fitGbdt(step, yStep, { maxIter: 1, learningRate: 1 });
  const m = fit.model;
  assert.equal(leafCount(m, 0), 2, "pure children have no positive-gain split");
  const p = predictTrees(m, step);
  for (let i = 0; i < 100; i++) assert.ok(Math.abs(p[i] - yStep[i]) < 1e-12);
});

test("a node with fewer than 2 × minSamplesLeaf rows is not split: the tree is a root worth 0", async () => {
  const fit = await fitGbdt(column(xs.slice(0, 39)), yStep.subarray(0, 39).map((_, i) => i), { maxIter: 3 });
  assert.deepEqual(Array.from(fit.model.feature), [-1, -1, -1]);
  assert.deepEqual(Array.from(fit.model.value), [0, 0, 0]);
  assert.equal(fit.model.baseline, 19);
});

test("min_samples_leaf is respected: no split leaves fewer training rows in a leaf", async () => {
  const rng = new Rng(3);
  const x = gaussianMatrix(rng, 600, 4);
  const y = nonLinearTarget(rng, x, 0.5);
  for (const minSamplesLeaf of [1, 7, 20, 45]) {
    const fit = await fitGbdt(x, y, { maxIter: 10, minSamplesLeaf, maxLeafNodes: 64 });
    for (let t = 0; t < fit.nIter; t++) {
      const counts = new Map<number, number>();
      for (let i = 0; i < x.nRows; i++) {
        const leaf = leafOf(fit.model, t, x.data.subarray(i * 4, i * 4 + 4));
        counts.set(leaf, (counts.get(leaf) ?? 0) + 1);
      }
      assert.equal(counts.size, leafCount(fit.model, t), "every leaf holds training rows");
      for (const [leaf, count] of counts) {
        assert.ok(count >= minSamplesLeaf, `tree ${t} leaf ${leaf}: ${count} < ${minSamplesLeaf}`);
      }
    }
  }
});

test("max_leaf_nodes and max_depth are respected, and reached when the data allows", async () => {
  const rng = new Rng(4);
  const x = gaussianMatrix(rng, 2000, 5);
  const y = nonLinearTarget(rng, x, 0.3);
  for (const maxLeafNodes of [2, 5, 31]) {
    const fit = await fitGbdt(x, y, { maxIter: 5, maxLeafNodes });
    const leaves = Array.from({ length: fit.nIter }, (_, t) => leafCount(fit.model, t));
    assert.ok(Math.max(...leaves) === maxLeafNodes, `${maxLeafNodes}: ${leaves.join(",")}`);
  }
  for (const maxDepth of [1, 3]) {
    const fit = await fitGbdt(x, y, { maxIter: 5, maxDepth, maxLeafNodes: null, minSamplesLeaf: 5 });
    for (let t = 0; t < fit.nIter; t++) {
      const depth = treeDepth(fit.model, fit.model.treeRoots[t]);
      assert.equal(depth, maxDepth, `tree ${t}`);
      assert.equal(leafCount(fit.model, t), 2 ** maxDepth);
    }
  }
});

test("unlimited leaves: growth stops only at min_samples_leaf and zero gain", async () => {
  const rng = new Rng(5);
  const x = gaussianMatrix(rng, 1500, 4);
  const y = nonLinearTarget(rng, x, 0.3);
  const fit = await fitGbdt(x, y, { maxIter: 2, maxLeafNodes: null, minSamplesLeaf: 10 });
  const leaves = leafCount(fit.model, 0);
  assert.ok(leaves > 31 && leaves <= 150, `leaves ${leaves}`);
  const { start, end } = treeNodes(fit.model, 0);
  assert.equal(end - start, 2 * leaves - 1, "a binary tree");
});
