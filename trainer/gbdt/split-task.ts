/**
 * The per-node work shared by the threads: build a node's histograms and find its best split, for
 * one range of features. The main thread and the worker run the same code on their own feature
 * ranges over shared memory; the main thread then keeps the better of the two results (ties go
 * to the lower feature range, as sklearn keeps the first best feature).
 *
 * Shared memory (SharedArrayBuffer, or plain ArrayBuffer when single-threaded):
 *  - bins: uint8, column-major, nSamples × nFeatures (training rows);
 *  - gradients: float32 per training row (sklearn's G_H_DTYPE);
 *  - partition: uint32 row indices grouped by node (a node owns partition[start, start + count));
 *  - rootCounts: per-bin counts of all rows (the root's counts never change during a fit);
 *  - histogram slots: one per live node (see histogram.ts for the layout), NOT shared: each thread
 *    only ever touches its own features' part of a slot, so each keeps its own copy (created when a
 *    task first names it), made and filled by its histogram builder (histogram-kernels.ts: in
 *    WebAssembly memory, with that thread's copy of the bins, or as plain arrays for the JS kernels);
 *  - control (int32): task sequence number, finished-task counter, error flag;
 *  - params (float64): the task; results (float64): each thread's best split per node.
 */
import { copyCounts, countAll, subtractInPlace } from "./histogram.js";
import { histogramBuilder, type HistogramBuilder } from "./histogram-kernels.js";
import type { NodeStats, SplitConstraints } from "./splitter.js";
import { CategoricalScratch, keepPair, scanCategorical, scanNumeric, SplitRecord } from "./splitter.js";

export const TASK_ROOT = 1;
export const TASK_CHILDREN = 2;
export const TASK_EXIT = 3;
/** Bin columns of the binning job last posted on the worker's port (binning.ts). */
export const TASK_BIN = 4;

/** control[] indices */
export const CTRL_SEQ = 0;
export const CTRL_DONE = 1;
export const CTRL_ERROR = 2;
const CTRL_LENGTH = 4;

/** params[] indices */
const P_KIND = 0;
const P_SLOTS = 1;
// root task
const P_ROOT_SLOT = 2;
const P_ROOT_G = 3;
const P_ROOT_N = 4;
const P_ROOT_COUNTS = 5;
// children task: the small child is built from its samples, the large one by subtraction in the
// parent's slot (which it then owns).
const P_PARENT_SLOT = 2;
const P_SMALL_SLOT = 3;
const P_SMALL_START = 4;
const P_SMALL_COUNT = 5;
const P_SMALL_SPLIT = 6;
const P_SMALL_G = 7;
const P_SMALL_N = 8;
const P_SMALL_VALUE = 9;
const P_LARGE_NEEDED = 10;
const P_LARGE_SPLIT = 11;
const P_LARGE_G = 12;
const P_LARGE_N = 13;
const P_LARGE_VALUE = 14;
/** First feature of the worker's range; the main thread takes [0, split). */
const P_SPLIT = 15;
const PARAMS_LENGTH = 16;

/** Fields of one split record in results[]. */
const R_GAIN = 0;
const R_FEATURE = 1;
const R_BIN = 2;
const R_MISSING_LEFT = 3;
const R_CATEGORICAL = 4;
const R_SUM_GRAD_LEFT = 5;
const R_COUNT_LEFT = 6;
const R_BITSET = 7;
const RECORD_LENGTH = 16;
/** Records per thread: the small child (or the root) and the large child. */
const RECORDS_PER_THREAD = 2;
export const MAX_THREADS = 2;

/** What crosses to a worker (structured-clone friendly). */
export interface SharedBuffers {
  readonly nSamples: number;
  readonly nFeatures: number;
  readonly stride: number;
  /** The most histogram slots the fit can hold at once (sizes the WebAssembly memory, see histogram-kernels.ts). */
  readonly maxSlots: number;
  readonly constraints: SplitConstraints;
  readonly bins: ArrayBufferLike;
  readonly gradients: ArrayBufferLike;
  readonly partition: ArrayBufferLike;
  readonly rootCounts: ArrayBufferLike;
  readonly control: ArrayBufferLike;
  readonly params: ArrayBufferLike;
  readonly results: ArrayBufferLike;
  readonly nBinsNonMissing: ArrayBufferLike;
  readonly hasMissing: ArrayBufferLike;
  readonly isCategorical: ArrayBufferLike;
}

export class SharedState {
  readonly nSamples: number;
  readonly nFeatures: number;
  readonly stride: number;
  readonly constraints: SplitConstraints;
  readonly bins: Uint8Array;
  readonly gradients: Float32Array;
  readonly partition: Uint32Array;
  readonly rootCounts: Float64Array;
  readonly control: Int32Array;
  readonly params: Float64Array;
  readonly results: Float64Array;
  readonly nBinsNonMissing: Uint16Array;
  readonly hasMissing: Uint8Array;
  readonly isCategorical: Uint8Array;
  /** This thread's histogram slots, as its builder made them. */
  readonly slots: Float64Array[] = [];
  /** This thread's histogram building (per thread: SharedState is made in each thread from the buffers). */
  readonly histograms: HistogramBuilder;
  /** Where the features are divided between the main thread and the worker (main only). */
  featureSplit: number;

  constructor(readonly buffers: SharedBuffers) {
    this.nSamples = buffers.nSamples;
    this.nFeatures = buffers.nFeatures;
    this.stride = buffers.stride;
    this.constraints = buffers.constraints;
    this.bins = new Uint8Array(buffers.bins);
    this.gradients = new Float32Array(buffers.gradients);
    this.partition = new Uint32Array(buffers.partition);
    this.rootCounts = new Float64Array(buffers.rootCounts);
    this.control = new Int32Array(buffers.control);
    this.params = new Float64Array(buffers.params);
    this.results = new Float64Array(buffers.results);
    this.nBinsNonMissing = new Uint16Array(buffers.nBinsNonMissing);
    this.hasMissing = new Uint8Array(buffers.hasMissing);
    this.isCategorical = new Uint8Array(buffers.isCategorical);
    this.featureSplit = buffers.nFeatures;
    this.histograms = histogramBuilder(buffers.nSamples, buffers.nFeatures, buffers.stride, buffers.maxSlots);
  }

  /** Adds a histogram slot (this thread's copy). */
  addSlot(): void {
    this.slots.push(this.histograms.newSlot());
  }

  /** Creates this thread's copies of the slots the current task names (a worker, before each task). */
  ensureSlots(): void {
    const needed = this.params[P_SLOTS];
    while (this.slots.length < needed) this.addSlot();
  }

  static create(
    shared: boolean,
    nSamples: number,
    nFeatures: number,
    nBins: number,
    maxSlots: number,
    constraints: SplitConstraints,
  ): SharedState {
    const alloc = (bytes: number): ArrayBufferLike => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    const stride = 2 * nBins;
    return new SharedState({
      nSamples,
      nFeatures,
      stride,
      maxSlots,
      constraints,
      bins: alloc(nSamples * nFeatures),
      gradients: alloc(nSamples * 4),
      partition: alloc(nSamples * 4),
      rootCounts: alloc(nFeatures * stride * 8),
      control: alloc(CTRL_LENGTH * 4),
      params: alloc(PARAMS_LENGTH * 8),
      results: alloc(MAX_THREADS * RECORDS_PER_THREAD * RECORD_LENGTH * 8),
      nBinsNonMissing: alloc(nFeatures * 2),
      hasMissing: alloc(nFeatures),
      isCategorical: alloc(nFeatures),
    });
  }

  setRootTask(slot: number, node: NodeStats, withCounts: boolean): void {
    const p = this.params;
    p[P_KIND] = TASK_ROOT;
    p[P_SLOTS] = this.slots.length;
    p[P_SPLIT] = this.featureSplit;
    p[P_ROOT_SLOT] = slot;
    p[P_ROOT_G] = node.sumGrad;
    p[P_ROOT_N] = node.count;
    p[P_ROOT_COUNTS] = withCounts ? 1 : 0;
  }

  setChildrenTask(task: ChildrenTask): void {
    const p = this.params;
    p[P_KIND] = TASK_CHILDREN;
    p[P_SLOTS] = this.slots.length;
    p[P_SPLIT] = this.featureSplit;
    p[P_PARENT_SLOT] = task.parentSlot;
    p[P_SMALL_SLOT] = task.smallSlot;
    p[P_SMALL_START] = task.smallStart;
    p[P_SMALL_COUNT] = task.small.count;
    p[P_SMALL_SPLIT] = task.splitSmall ? 1 : 0;
    p[P_SMALL_G] = task.small.sumGrad;
    p[P_SMALL_N] = task.small.count;
    p[P_SMALL_VALUE] = task.small.value;
    p[P_LARGE_NEEDED] = task.largeNeeded ? 1 : 0;
    p[P_LARGE_SPLIT] = task.splitLarge ? 1 : 0;
    p[P_LARGE_G] = task.large.sumGrad;
    p[P_LARGE_N] = task.large.count;
    p[P_LARGE_VALUE] = task.large.value;
  }

  setExitTask(): void {
    this.params[P_KIND] = TASK_EXIT;
  }

  setBinTask(): void {
    this.params[P_KIND] = TASK_BIN;
    this.params[P_SLOTS] = this.slots.length;
  }

  taskKind(): number {
    return this.params[P_KIND];
  }

  /** The worker's feature range for the current task. */
  workerFeatures(): { f0: number; f1: number } {
    // `| 0`: a float64 loop bound would make V8 compile the hot loops with double indices (~1.7× slower).
    return { f0: this.params[P_SPLIT] | 0, f1: this.nFeatures };
  }

  /** Reads thread `thread`'s record `which` (0: root / small child, 1: large child) into `out`. */
  readResult(thread: number, which: number, out: SplitRecord): void {
    const r = this.results;
    const o = (thread * RECORDS_PER_THREAD + which) * RECORD_LENGTH;
    out.gain = r[o + R_GAIN];
    out.feature = r[o + R_FEATURE];
    out.bin = r[o + R_BIN];
    out.missingLeft = r[o + R_MISSING_LEFT];
    out.isCategorical = r[o + R_CATEGORICAL];
    out.sumGradLeft = r[o + R_SUM_GRAD_LEFT];
    out.countLeft = r[o + R_COUNT_LEFT];
    for (let w = 0; w < 8; w++) out.binBitset[w] = r[o + R_BITSET + w];
  }

  writeResult(thread: number, which: number, split: SplitRecord): void {
    const r = this.results;
    const o = (thread * RECORDS_PER_THREAD + which) * RECORD_LENGTH;
    r[o + R_GAIN] = split.gain;
    r[o + R_FEATURE] = split.feature;
    r[o + R_BIN] = split.bin;
    r[o + R_MISSING_LEFT] = split.missingLeft;
    r[o + R_CATEGORICAL] = split.isCategorical;
    r[o + R_SUM_GRAD_LEFT] = split.sumGradLeft;
    r[o + R_COUNT_LEFT] = split.countLeft;
    for (let w = 0; w < 8; w++) r[o + R_BITSET + w] = split.binBitset[w];
  }
}

export interface ChildrenTask {
  readonly parentSlot: number;
  readonly smallSlot: number;
  readonly smallStart: number;
  readonly small: NodeStats;
  readonly large: NodeStats;
  readonly splitSmall: boolean;
  readonly splitLarge: boolean;
  /** Whether the large child's histograms are needed (only when it will be scanned or kept). */
  readonly largeNeeded: boolean;
}

/** Per-thread scratch memory. */
export class ThreadScratch {
  readonly bestA = new SplitRecord();
  readonly bestB = new SplitRecord();
  readonly categorical = new CategoricalScratch();
  readonly nodeA = { sumGrad: 0, count: 0, value: 0 };
  readonly nodeB = { sumGrad: 0, count: 0, value: 0 };
}

/** Features per cache block: build, subtract and scan 8 features while their histograms are hot. */
const BLOCK = 8;

/** Whether the pair scan takes feature f: numeric, without missing values. */
function pairable(s: SharedState, f: number): boolean {
  return s.isCategorical[f] === 0 && s.hasMissing[f] === 0;
}

/**
 * Scans features [f0, f1) of a slot (first made slot − sibling when siblingSlot ≥ 0) into `best`,
 * feature by feature in order; with the builder's pair scan, two numeric features at a time.
 */
function scanBlock(
  s: SharedState,
  scratch: ThreadScratch,
  slot: number,
  siblingSlot: number,
  f0: number,
  f1: number,
  node: NodeStats,
  best: SplitRecord,
): void {
  const hist = s.slots[slot];
  const sibling = siblingSlot < 0 ? null : s.slots[siblingSlot];
  const pairScan = s.histograms.pairScan;
  for (let f = f0; f < f1; f++) {
    const nBins = s.nBinsNonMissing[f];
    if (pairScan !== null && pairable(s, f)) {
      const b = f + 1 < f1 && pairable(s, f + 1) && s.nBinsNonMissing[f + 1] === nBins ? f + 1 : f;
      keepPair(best, f, b, pairScan(slot, siblingSlot, f, b, nBins, node, s.constraints, best.scoreNum, best.scoreDen), node, s.constraints);
      f = b;
      continue;
    }
    const base = f * s.stride;
    const hasMissing = s.hasMissing[f] === 1;
    if (s.isCategorical[f] === 1) {
      if (sibling !== null) subtractInPlace(hist, sibling, s.stride, f, f + 1);
      scanCategorical(hist, base, f, nBins, hasMissing, node, s.constraints, best, scratch.categorical);
    } else {
      scanNumeric(hist, sibling, base, f, nBins, hasMissing, node, s.constraints, best);
    }
  }
}

/** Runs the current task (params) on features [f0, f1) and writes this thread's results. */
export function runTask(s: SharedState, scratch: ThreadScratch, thread: number, f0: number, f1: number): void {
  const p = s.params;
  const { bestA, bestB } = scratch;
  bestA.reset();
  bestB.reset();
  const stride = s.stride;
  const histograms = s.histograms;
  if (p[P_KIND] === TASK_ROOT) {
    const slot = p[P_ROOT_SLOT] | 0;
    const hist = s.slots[slot];
    const node = scratch.nodeA;
    node.sumGrad = p[P_ROOT_G];
    node.count = p[P_ROOT_N];
    node.value = 0;
    const withCounts = p[P_ROOT_COUNTS] === 1;
    histograms.prepareRoot(s.bins, s.gradients);
    for (let b0 = f0; b0 < f1; b0 += BLOCK) {
      const b1 = Math.min(b0 + BLOCK, f1);
      if (withCounts) countAll(s.rootCounts, stride, s.bins, s.nSamples, b0, b1);
      histograms.clear(slot, b0, b1);
      histograms.accumulateAllGradients(slot, b0, b1);
      copyCounts(hist, s.rootCounts, stride, b0, b1);
      scanBlock(s, scratch, slot, -1, b0, b1, node, bestA);
    }
  } else if (p[P_KIND] === TASK_CHILDREN) {
    // Integer parameters as int32 (`| 0`) so the kernels index with integers, not doubles.
    const parentSlot = p[P_PARENT_SLOT] | 0;
    const parent = s.slots[parentSlot];
    const smallSlot = p[P_SMALL_SLOT] | 0;
    const small = s.slots[smallSlot];
    const start = p[P_SMALL_START] | 0;
    const count = p[P_SMALL_COUNT] | 0;
    const splitSmall = p[P_SMALL_SPLIT] === 1;
    const largeNeeded = p[P_LARGE_NEEDED] === 1;
    const splitLarge = p[P_LARGE_SPLIT] === 1;
    const nodeA = scratch.nodeA;
    nodeA.sumGrad = p[P_SMALL_G];
    nodeA.count = p[P_SMALL_N];
    nodeA.value = p[P_SMALL_VALUE];
    const nodeB = scratch.nodeB;
    nodeB.sumGrad = p[P_LARGE_G];
    nodeB.count = p[P_LARGE_N];
    nodeB.value = p[P_LARGE_VALUE];
    histograms.prepareNode(s.bins, s.partition, start, count, s.gradients);
    for (let b0 = f0; b0 < f1; b0 += BLOCK) {
      const b1 = Math.min(b0 + BLOCK, f1);
      histograms.clear(smallSlot, b0, b1);
      histograms.accumulateIndexed(smallSlot, b0, b1, count);
      if (splitSmall) scanBlock(s, scratch, smallSlot, -1, b0, b1, nodeA, bestA);
      // The parent's histograms become the large child's: subtracted while scanning, or densely
      // when the large child is kept without being scanned.
      if (splitLarge) scanBlock(s, scratch, parentSlot, smallSlot, b0, b1, nodeB, bestB);
      else if (largeNeeded) subtractInPlace(parent, small, stride, b0, b1);
    }
  }
  s.writeResult(thread, 0, bestA);
  s.writeResult(thread, 1, bestB);
}
