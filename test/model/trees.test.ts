// Proves the tree-ensemble contract: JSON round trips give bit-identical predictions, malformed JSON is refused naming the field, batch and single-row predictors agree, cached re-predictions equal full ones.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isViralityError } from "../../src/errors.js";
import type { FeatureMatrix, TreeEnsemble } from "../../src/model/trees.js";
import { CachedTreePredictions, predictTrees, predictTreesRow, treesFromJSON, treesToJSON } from "../../src/model/trees.js";
import { fitGbdt } from "../../trainer/gbdt/index.js";
import { Rng } from "../../trainer/gbdt/rng.js";
import { stumpEnsemble } from "../support/stump.js";

/** 800 rows: col 0 numeric with NaN, col 1 category codes 0..11, col 2 numeric, col 3 NaN-or-1. */
function data(): { x: FeatureMatrix; y: Float64Array } {
  const rng = new Rng(9);
  const u = (): number => (rng.nextUint32() + 0.5) / 2 ** 32;
  const n = 800;
  const x = new Float32Array(n * 4);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = u() < 0.1 ? NaN : u() * 4 - 2;
    const c = rng.below(12);
    const b = u();
    const flag = u() < 0.5 ? NaN : 1;
    x.set([a, c, b, flag], i * 4);
    y[i] = (Number.isNaN(a) ? 3 : Math.sin(2 * a)) + ([2, 5, 7].includes(c) ? 2 : 0) + b + (Number.isNaN(flag) ? 1 : 0);
  }
  return { x: { data: x, nRows: n, nCols: 4, layout: "row-major" }, y };
}

const { x, y } = data();
const model = await fitGbdt(x, y, { categoricalFeatures: [1], maxIter: 30 }).then((f) => f.model);
const margin = Float64Array.from({ length: x.nRows }, (_, i) => Math.cos(i));

function sameBits(a: Float64Array, b: Float64Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

test("the fixture model has categorical splits and splits on missing values (threshold +Infinity)", () => {
  assert.ok(model.bitsets.length > 0);
  assert.ok(model.threshold.includes(Infinity));
});

test("JSON round trip (through a string) gives bit-identical predictions and arrays", () => {
  const text = JSON.stringify(treesToJSON(model));
  const back = treesFromJSON(JSON.parse(text));
  assert.deepEqual(back, model);
  assert.ok(sameBits(predictTrees(back, x), predictTrees(model, x)));
  assert.ok(sameBits(predictTrees(back, x, margin), predictTrees(model, x, margin)));
  assert.equal(JSON.stringify(treesToJSON(back)), text, "serialising again gives the same text");
});

test("single-row and batch predictors agree exactly, in either matrix layout", () => {
  const batch = predictTrees(model, x, margin);
  const colMajor = new Float64Array(x.data.length);
  for (let i = 0; i < x.nRows; i++) for (let j = 0; j < 4; j++) colMajor[j * x.nRows + i] = x.data[i * 4 + j];
  const fromCols = predictTrees(model, { data: colMajor, nRows: x.nRows, nCols: 4, layout: "column-major" }, margin);
  assert.ok(sameBits(batch, fromCols));
  for (let i = 0; i < x.nRows; i += 37) {
    assert.equal(predictTreesRow(model, x.data.subarray(i * 4, i * 4 + 4), margin[i]), batch[i]);
  }
});

/** The routing rule of src/model/trees.ts's header, one tree after the other: the reference. */
function referencePredict(m: TreeEnsemble, row: ArrayLike<number>, baseMargin: number): number {
  let acc = m.baseline + baseMargin;
  for (let t = 0; t < m.treeRoots.length; t++) {
    let node = m.treeRoots[t];
    while (m.feature[node] >= 0) {
      const v = row[m.feature[node]];
      const bitset = m.catBitset[node];
      let left: boolean;
      if (Number.isNaN(v)) left = m.missingLeft[node] === 1;
      else if (bitset < 0) left = v <= m.threshold[node];
      else if (Number.isInteger(v) && v >= 0 && v < 256) left = ((m.bitsets[bitset * 8 + (v >>> 5)] >>> (v & 31)) & 1) === 1;
      else left = m.missingLeft[node] === 1;
      node = left ? m.left[node] : m.right[node];
    }
    acc += m.value[node];
  }
  return acc;
}

test("the four-trees-at-a-time walk equals the plain walk, with categorical trees, NaN, odd codes and a tree count not a multiple of 4", async () => {
  const numericOnly = await fitGbdt(x, y, { maxIter: 23 }).then((f) => f.model);
  // stumps of three leaves: about half the trees split on the category
  const mixed = await fitGbdt(x, y, { categoricalFeatures: [1], maxIter: 30, maxLeafNodes: 3 }).then((f) => f.model);
  const categoricalTrees = (m: TreeEnsemble): number =>
    Array.from(m.treeRoots).filter((root, t) => {
      const end = t + 1 < m.treeRoots.length ? m.treeRoots[t + 1] : m.feature.length;
      return m.catBitset.subarray(root, end).some((b, i) => b >= 0 && m.feature[root + i] >= 0);
    }).length;
  assert.ok(categoricalTrees(mixed) > 0 && categoricalTrees(mixed) < mixed.treeRoots.length, "trees with and without categorical splits");
  assert.equal(categoricalTrees(numericOnly), 0);
  assert.notEqual(numericOnly.treeRoots.length % 4, 0);
  const rows: Float64Array[] = [];
  for (let i = 0; i < x.nRows; i++) rows.push(Float64Array.from(x.data.subarray(i * 4, i * 4 + 4)));
  for (const odd of [[NaN, 3.5, NaN, NaN], [1e30, -1, 0.5, 1], [-1e30, 300, Infinity, -Infinity], [0, NaN, -Infinity, 1]]) rows.push(Float64Array.from(odd));
  for (const m of [model, mixed, numericOnly]) {
    rows.forEach((row, i) => assert.equal(predictTreesRow(m, row, i * 0.25), referencePredict(m, row, i * 0.25), `row ${i}`));
  }
});

/** The same ensemble with every tree's nodes stored right subtree first: valid (preorder), not what the trainer writes. */
function rightFirst(m: TreeEnsemble): TreeEnsemble {
  const order: number[] = [];
  for (const root of m.treeRoots) {
    const stack = [root];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      order.push(node);
      if (m.feature[node] >= 0) stack.push(m.left[node], m.right[node]);
    }
  }
  const at = new Map(order.map((node, i) => [node, i]));
  const moved = (node: number): number => at.get(node) ?? -1;
  const pick = <A extends Int32Array | Float64Array | Uint8Array>(a: A, make: (n: number) => A): A => {
    const out = make(order.length);
    order.forEach((node, i) => (out[i] = a[node]));
    return out;
  };
  return {
    ...m,
    treeRoots: Int32Array.from(m.treeRoots, moved),
    feature: pick(m.feature, (n) => new Int32Array(n)),
    threshold: pick(m.threshold, (n) => new Float64Array(n)),
    missingLeft: pick(m.missingLeft, (n) => new Uint8Array(n)),
    catBitset: pick(m.catBitset, (n) => new Int32Array(n)),
    value: pick(m.value, (n) => new Float64Array(n)),
    left: Int32Array.from(order, (node) => (m.feature[node] >= 0 ? moved(m.left[node]) : 0)),
    right: Int32Array.from(order, (node) => (m.feature[node] >= 0 ? moved(m.right[node]) : 0)),
  };
}

test("the walk does not depend on how the nodes are ordered: right subtrees stored first predict the same", () => {
  const reordered = rightFirst(model);
  const someLeftChildIsNotNext = Array.from(reordered.feature).some((f, node) => f >= 0 && reordered.left[node] !== node + 1);
  assert.ok(someLeftChildIsNotNext, "the reordered trees store some left child away from its parent");
  assert.ok(sameBits(predictTrees(reordered, x, margin), predictTrees(model, x, margin)));
  const row = Float64Array.from(x.data.subarray(0, 4));
  assert.equal(predictTreesRow(reordered, row, 0.5), referencePredict(model, row, 0.5));
});

test("a matrix or row with the wrong number of columns is refused", () => {
  assert.throws(() => predictTreesRow(model, [1, 2, 3]), (e) => isViralityError(e, "VIR_FEATURE_INVALID"));
  assert.throws(
    () => predictTrees(model, { data: new Float32Array(6), nRows: 2, nCols: 3, layout: "row-major" }),
    (e) => isViralityError(e, "VIR_FEATURE_INVALID"),
  );
});

function encodeInt32(values: readonly number[]): string {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buf.writeInt32LE(v, i * 4));
  return buf.toString("base64");
}

function encodeFloat64(values: readonly number[]): string {
  const buf = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => buf.writeDoubleLE(v, i * 8));
  return buf.toString("base64");
}

/** A tiny valid ensemble: one tree, root split on feature 0 at 0.5. */
function tiny(): Record<string, unknown> {
  const t = stumpEnsemble(2, 1.5, [-1, 1]);
  return { ...treesToJSON(t) };
}

test("treesFromJSON accepts the tiny ensemble and predicts with it", () => {
  const t = treesFromJSON(tiny());
  assert.equal(predictTreesRow(t, [0.5, 9]), 0.5);
  assert.equal(predictTreesRow(t, [0.6, 9]), 2.5);
  assert.equal(predictTreesRow(t, [NaN, 9]), 0.5);
});

test("malformed JSON is refused with VIR_MODEL_INVALID naming the field", () => {
  const cases: [string, (j: Record<string, unknown>) => unknown][] = [
    ["(root)", () => [1, 2]],
    ["type", (j) => ({ ...j, type: "sklearn" })],
    ["formatVersion", (j) => ({ ...j, formatVersion: 2 })],
    ["encoding", (j) => ({ ...j, encoding: "hex" })],
    ["extra", (j) => ({ ...j, extra: 1 })],
    ["nFeatures", (j) => ({ ...j, nFeatures: 0 })],
    ["nNodes", (j) => ({ ...j, nNodes: -1 })],
    ["feature", (j) => ({ ...j, feature: "not base64!" })],
    ["threshold", (j) => ({ ...j, threshold: encodeFloat64([0.5, 0]) })],
    ["threshold", (j) => ({ ...j, threshold: encodeFloat64([NaN, 0, 0]) })],
    ["baseline", (j) => ({ ...j, baseline: encodeFloat64([Infinity]) })],
    ["value", (j) => ({ ...j, value: encodeFloat64([0, NaN, 1]) })],
    ["feature", (j) => ({ ...j, feature: encodeInt32([2, -1, -1]) })],
    ["left", (j) => ({ ...j, left: encodeInt32([0, -1, -1]) })],
    ["right", (j) => ({ ...j, right: encodeInt32([3, -1, -1]) })],
    ["catBitset", (j) => ({ ...j, catBitset: encodeInt32([0, -1, -1]) })],
    ["treeRoots", (j) => ({ ...j, treeRoots: encodeInt32([1]) })],
    ["missingLeft", (j) => ({ ...j, missingLeft: Buffer.from([2, 0, 0]).toString("base64") })],
  ];
  for (const [field, mutate] of cases) {
    assert.throws(
      () => treesFromJSON(mutate(tiny())),
      (e) => isViralityError(e, "VIR_MODEL_INVALID") && e.message.includes(`"${field}"`),
      field,
    );
  }
});

test("cached tree predictions re-walk only the trees a changed column reaches and equal a full predict bit for bit", () => {
  const n = x.nRows;
  const copy = Float32Array.from(x.data);
  const matrix: FeatureMatrix = { data: copy, nRows: n, nCols: 4, layout: "row-major" };
  const margin = (): Float64Array => Float64Array.from({ length: n }, (_, r) => (Number.isNaN(copy[r * 4]) ? 0.5 : copy[r * 4 + 2] * 0.25));
  const cached = new CachedTreePredictions(model, matrix);
  assert.deepEqual(cached.predict([], margin()), predictTrees(model, matrix, margin()));
  const rng = new Rng(4);
  for (const column of [0, 1, 2, 3]) {
    assert.ok(cached.uses(column), `column ${column} is split on`);
    // move the column's values between rows (NaN and category codes included), as permutation importance does
    const perm = rng.permutation(n);
    const saved = Float32Array.from({ length: n }, (_, r) => copy[r * 4 + column]);
    for (let r = 0; r < n; r++) copy[r * 4 + column] = saved[perm[r]];
    const full = predictTrees(model, matrix, margin());
    assert.notDeepEqual(full, predictTrees(model, x, margin()), "the permutation changes predictions");
    assert.deepEqual(cached.predict([column], margin()), full);
    for (let r = 0; r < n; r++) copy[r * 4 + column] = saved[r];
  }
});
