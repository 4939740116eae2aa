// Proves the WebAssembly histogram builder fills exactly the histograms of the JS kernels in histogram.ts (bit for bit, blocks of eight features and the rest), that its two-feature split scan finds the splits scanNumeric finds (and subtracts a sibling the same way), that clearing touches only its features, that a fit gives the same trees with either builder, that data too large for a WebAssembly memory falls back to JS, and that a fit grows only shared WebAssembly memories (growing an unshared one detaches an ArrayBuffer, which slows every typed-array access of the process).
import assert from "node:assert/strict";
import { test } from "node:test";
import { fitGbdt } from "../../../trainer/gbdt/index.js";
import { accumulateAllGradients, accumulateIndexed, clearHistograms } from "../../../trainer/gbdt/histogram.js";
import { histogramBuilder, JsHistograms, useWebAssemblyHistograms, WasmHistograms } from "../../../trainer/gbdt/histogram-kernels.js";
import { Rng } from "../../../trainer/gbdt/rng.js";
import { keepPair, scanNumeric, SplitRecord } from "../../../trainer/gbdt/splitter.js";
import { gaussianMatrix, nonLinearTarget, uniform } from "./synthetic.js";

const N_SAMPLES = 301;
const N_FEATURES = 21; // two blocks of eight and five one at a time
const N_BINS = 256;
const STRIDE = 2 * N_BINS;

function randomInputs(seed: number): { bins: Uint8Array; gradients: Float32Array; partition: Uint32Array } {
  const rng = new Rng(seed);
  const bins = Uint8Array.from({ length: N_SAMPLES * N_FEATURES }, () => rng.nextUint32() % N_BINS);
  const gradients = Float32Array.from({ length: N_SAMPLES }, () => uniform(rng) * 4 - 2);
  // a node's rows in partition order: a shuffled subset, as after a few splits
  const partition = new Rng(seed + 1).permutation(N_SAMPLES);
  return { bins, gradients, partition };
}

test("the WebAssembly builder's node histograms equal the JS kernel's bit for bit, from any start in the partition", () => {
  const { bins, gradients, partition } = randomInputs(3);
  const wasm = new WasmHistograms(N_SAMPLES, N_FEATURES, STRIDE);
  const slot = wasm.newSlot();
  for (const [start, count] of [
    [0, N_SAMPLES],
    [17, 120],
    [250, 51],
    [5, 1],
  ] as const) {
    const ordered = Float32Array.from({ length: count }, (_, i) => gradients[partition[start + i] ?? 0] ?? 0);
    const expected = new Float64Array(N_FEATURES * STRIDE);
    accumulateIndexed(expected, STRIDE, bins, N_SAMPLES, 0, N_FEATURES, partition, start, count, ordered);
    wasm.prepareNode(bins, partition, start, count, gradients);
    wasm.clear(0, 0, N_FEATURES);
    // two calls, as the two threads' ranges or the blocks of a task
    wasm.accumulateIndexed(0, 0, 11, count);
    wasm.accumulateIndexed(0, 11, N_FEATURES, count);
    assert.deepEqual(slot, expected, `rows ${start}..${start + count}`);
  }
});

test("the WebAssembly builder's root histograms equal the JS kernel's bit for bit", () => {
  const { bins, gradients } = randomInputs(4);
  const wasm = new WasmHistograms(N_SAMPLES, N_FEATURES, STRIDE);
  const slot = wasm.newSlot();
  const expected = new Float64Array(N_FEATURES * STRIDE);
  accumulateAllGradients(expected, STRIDE, bins, N_SAMPLES, 0, N_FEATURES, gradients);
  wasm.prepareRoot(bins, gradients);
  wasm.clear(0, 0, N_FEATURES);
  wasm.accumulateAllGradients(0, 0, 8);
  wasm.accumulateAllGradients(0, 8, N_FEATURES);
  assert.deepEqual(slot, expected);
});

test("the WebAssembly pair scan finds the splits scanNumeric finds, feature after feature, and subtracts a sibling the same way", () => {
  const features = 5;
  const missingBin = N_BINS - 1;
  const rng = new Rng(21);
  // integer counts, with the sibling's within the parent's, as a node and its smaller child
  const fill = (hist: Float64Array, within: Float64Array | null): void => {
    for (let k = 0; k < hist.length; k += 2) {
      const most = within === null ? 6 : (within[k + 1] ?? 0);
      const count = rng.nextUint32() % (most + 1);
      hist[k + 1] = count;
      hist[k] = count === 0 ? 0 : (uniform(rng) * 2 - 1) * count;
    }
  };
  const cases = [
    { a: 0, b: 1, nBins: 255, sibling: false, seed: [-1, 1], msl: 20, l2: 0 },
    { a: 0, b: 1, nBins: 255, sibling: true, seed: [-1, 1], msl: 20, l2: 0 },
    { a: 2, b: 3, nBins: 37, sibling: true, seed: [-1, 1], msl: 5, l2: 1.5 },
    { a: 4, b: 4, nBins: 255, sibling: true, seed: [-1, 1], msl: 1, l2: 0 },
    // seeded from an earlier feature's split: only better bins count
    { a: 0, b: 1, nBins: 255, sibling: false, seed: [0, 0], msl: 20, l2: 0 },
  ];
  for (const [i, t] of cases.entries()) {
    const wasm = new WasmHistograms(N_SAMPLES, features, STRIDE);
    const parent = wasm.newSlot();
    const small = wasm.newSlot();
    fill(parent, null);
    fill(small, parent);
    const jsParent = Float64Array.from(parent);
    const jsSmall = Float64Array.from(small);
    // the node scanned: the parent minus the sibling, or the parent itself
    let sumGrad = 0;
    let count = 0;
    const base = t.a * STRIDE;
    for (let bin = 0; bin < t.nBins; bin++) {
      const k = base + 2 * bin;
      sumGrad += (jsParent[k] ?? 0) - (t.sibling ? (jsSmall[k] ?? 0) : 0);
      count += (jsParent[k + 1] ?? 0) - (t.sibling ? (jsSmall[k + 1] ?? 0) : 0);
    }
    const node = { sumGrad, count, value: 0.1 };
    const c = { minSamplesLeaf: t.msl, l2Regularization: t.l2, minGainToSplit: 0, missingBin };
    const expected = new SplitRecord();
    const actual = new SplitRecord();
    for (const record of [expected, actual]) {
      record.reset();
      if (t.seed[0] === 0) {
        // a record a little below this node's best: seed it from a scan of feature 4 alone
        scanNumeric(Float64Array.from(parent), null, 4 * STRIDE, 4, t.nBins, false, node, c, record);
        record.scoreNum *= 0.999;
      }
    }
    for (const f of t.a === t.b ? [t.a] : [t.a, t.b]) {
      scanNumeric(jsParent, t.sibling ? jsSmall : null, f * STRIDE, f, t.nBins, false, node, c, expected);
    }
    const lanes = wasm.pairScan(0, t.sibling ? 1 : -1, t.a, t.b, t.nBins, node, c, actual.scoreNum, actual.scoreDen);
    keepPair(actual, t.a, t.b, lanes, node, c);
    assert.ok(expected.feature >= 0, `case ${i}: the test needs a split to compare`);
    assert.deepEqual(actual, expected, `case ${i}: the best split`);
    assert.deepEqual(parent, jsParent, `case ${i}: the histograms after the scan`);
  }
});

test("clear zeroes only the features asked for, and slots do not overlap, in both builders", () => {
  for (const builder of [new WasmHistograms(N_SAMPLES, N_FEATURES, STRIDE), new JsHistograms(N_SAMPLES, N_FEATURES, STRIDE)]) {
    const a = builder.newSlot();
    const b = builder.newSlot();
    a.fill(1);
    b.fill(2);
    builder.clear(0, 3, 7);
    const expected = new Float64Array(N_FEATURES * STRIDE).fill(1);
    clearHistograms(expected, STRIDE, 3, 7);
    assert.deepEqual(a, expected, builder.kind);
    assert.ok(
      b.every((v) => v === 2),
      `${builder.kind}: clearing one slot touched the next`,
    );
  }
});

test("slots made after the WebAssembly memory grew work, and the ones before stay valid", () => {
  const wasm = new WasmHistograms(N_SAMPLES, 512, STRIDE); // 2 MiB slots: the memory grows after the first four
  const slots = Array.from({ length: 9 }, () => wasm.newSlot());
  slots.forEach((slot, i) => slot.fill(i));
  slots.forEach((slot, i) => assert.ok(slot.length === 512 * STRIDE && slot.every((v) => v === i), `slot ${i}`));
});

test("data too large for a WebAssembly memory gets the JS builder", () => {
  // 8,000,000 rows × 532 columns of bins alone are 4.3 GB, past a 32-bit memory's 4 GiB
  assert.equal(WasmHistograms.fits(8_000_000, 532, STRIDE, 33), false);
  // 5,000,000 rows fit with the 33 slots of 31 leaves, not with the 250,002 of unbounded leaves
  assert.equal(WasmHistograms.fits(5_000_000, 532, STRIDE, 33), true);
  assert.equal(WasmHistograms.fits(5_000_000, 532, STRIDE, 250_002), false);
  assert.equal(histogramBuilder(10_000, 532, STRIDE, 33).kind, "webassembly");
  assert.equal(histogramBuilder(5_000_000, 532, STRIDE, 250_002).kind, "js");
});

test("a fit makes the same trees with the WebAssembly and the JS histograms", async () => {
  const rng = new Rng(11);
  const x = gaussianMatrix(rng, 500, 40);
  const y = nonLinearTarget(rng, x, 0.2);
  const options = { maxIter: 15, threads: 1 } as const;
  const wasm = await fitGbdt(x, y, options);
  useWebAssemblyHistograms(false);
  try {
    assert.equal(histogramBuilder(10, 10, STRIDE, 33).kind, "js");
    const js = await fitGbdt(x, y, options);
    assert.deepEqual(js.model, wasm.model);
  } finally {
    useWebAssemblyHistograms(true);
  }
});

test("a fit grows only shared WebAssembly memories (an unshared one would detach its ArrayBuffer)", async () => {
  const grow = WebAssembly.Memory.prototype.grow;
  const grown: boolean[] = [];
  WebAssembly.Memory.prototype.grow = function (this: WebAssembly.Memory, pages: number): number {
    grown.push(this.buffer instanceof SharedArrayBuffer);
    return grow.call(this, pages);
  };
  try {
    const rng = new Rng(9);
    const x = gaussianMatrix(rng, 400, 300);
    // many leaves: more live histogram slots than the builder's memory starts with
    await fitGbdt(x, nonLinearTarget(rng, x, 0.1), { maxIter: 3, maxLeafNodes: 12, minSamplesLeaf: 5, threads: 1 });
  } finally {
    WebAssembly.Memory.prototype.grow = grow;
  }
  assert.ok(grown.length > 0, "the fit never needed more slots than the memory started with: the test does not cover growing");
  assert.ok(
    grown.every((shared) => shared),
    "a fit grew an unshared WebAssembly memory",
  );
});
