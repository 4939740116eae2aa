// Proves the WebAssembly histogram kernels build exactly the histograms of the JS kernels in histogram.ts (bit for bit, blocks of eight features and the rest), that clearing touches only its features, and that a fit grows only shared WebAssembly memories (growing an unshared one detaches an ArrayBuffer, which slows every typed-array access of the process).
import assert from "node:assert/strict";
import { test } from "node:test";
import { fitGbdt } from "../../../trainer/gbdt/index.js";
import { accumulateAllGradients, accumulateIndexed, clearHistograms } from "../../../trainer/gbdt/histogram.js";
import { HistogramKernels } from "../../../trainer/gbdt/histogram-kernels.js";
import { Rng } from "../../../trainer/gbdt/rng.js";
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

test("accumulateIndexed in WebAssembly equals the JS kernel bit for bit, from any start in the partition", () => {
  const { bins, gradients, partition } = randomInputs(3);
  const kernels = new HistogramKernels(N_SAMPLES, N_FEATURES, STRIDE);
  kernels.copyBins(bins);
  const slot = kernels.newSlot();
  for (const [start, count] of [
    [0, N_SAMPLES],
    [17, 120],
    [250, 51],
    [5, 1],
  ] as const) {
    const ordered = Float32Array.from({ length: count }, (_, i) => gradients[partition[start + i] ?? 0] ?? 0);
    const expected = new Float64Array(N_FEATURES * STRIDE);
    accumulateIndexed(expected, STRIDE, bins, N_SAMPLES, 0, N_FEATURES, partition, start, count, ordered);
    for (let i = 0; i < count; i++) {
      kernels.rows[i] = partition[start + i] ?? 0;
      kernels.ordered[i] = ordered[i] ?? 0;
    }
    kernels.clear(slot.offset, 0, N_FEATURES);
    // two calls, as the two threads' ranges or the blocks of a task
    kernels.accumulateIndexed(slot.offset, 0, 11, count);
    kernels.accumulateIndexed(slot.offset, 11, N_FEATURES, count);
    assert.deepEqual(slot.hist, expected, `rows ${start}..${start + count}`);
  }
});

test("accumulateAllGradients in WebAssembly equals the JS kernel bit for bit", () => {
  const { bins, gradients } = randomInputs(4);
  const kernels = new HistogramKernels(N_SAMPLES, N_FEATURES, STRIDE);
  kernels.copyBins(bins);
  kernels.gradients.set(gradients);
  const slot = kernels.newSlot();
  const expected = new Float64Array(N_FEATURES * STRIDE);
  accumulateAllGradients(expected, STRIDE, bins, N_SAMPLES, 0, N_FEATURES, gradients);
  kernels.clear(slot.offset, 0, N_FEATURES);
  kernels.accumulateAllGradients(slot.offset, 0, 8);
  kernels.accumulateAllGradients(slot.offset, 8, N_FEATURES);
  assert.deepEqual(slot.hist, expected);
});

test("clear zeroes only the features asked for, and slots do not overlap", () => {
  const kernels = new HistogramKernels(N_SAMPLES, N_FEATURES, STRIDE);
  const a = kernels.newSlot();
  const b = kernels.newSlot();
  a.hist.fill(1);
  b.hist.fill(2);
  kernels.clear(a.offset, 3, 7);
  const expected = new Float64Array(N_FEATURES * STRIDE).fill(1);
  clearHistograms(expected, STRIDE, 3, 7);
  assert.deepEqual(a.hist, expected);
  assert.ok(b.hist.every((v) => v === 2), "clearing one slot touched the next");
});

test("slots made after the memory grew work, and the ones before stay valid", () => {
  const kernels = new HistogramKernels(N_SAMPLES, 512, 2 * N_BINS); // 2 MiB slots: the memory grows after the first four
  const slots = Array.from({ length: 9 }, () => kernels.newSlot());
  slots.forEach((slot, i) => slot.hist.fill(i));
  slots.forEach((slot, i) => assert.ok(slot.hist.length === 512 * 2 * N_BINS && slot.hist.every((v) => v === i), `slot ${i}`));
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
    // many leaves: more live histogram slots than the kernels' memory starts with
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
