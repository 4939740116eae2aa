/**
 * Maps raw feature values to small integer bins, as scikit-learn's _BinMapper does.
 *
 * Numeric feature: thresholds from the non-missing values of (a seeded subsample of at most
 * `binSubsample`) training rows. With at most maxBins distinct values the thresholds are the
 * midpoints between consecutive distinct values; otherwise they are the maxBins-1 inner
 * percentiles (numpy method "midpoint", or sklearn 1.6+'s "averaged_inverted_cdf"). Thresholds are clipped at 1e300 (+Infinity is reserved
 * for splits on missing values). Value x goes to bin i iff thresholds[i-1] < x <= thresholds[i].
 *
 * Categorical feature: the known categories are the distinct codes over all rows given to fit
 * (before any validation split, like sklearn); bin i is the i-th smallest code.
 *
 * NaN always goes to the last bin, index maxBins, reserved for missing values.
 */
import { ViralityError } from "../../src/errors.js";
import type { FeatureMatrix } from "../../src/model/trees.js";
import { matrixStrides } from "../../src/model/trees.js";
import { RadixSorter } from "./radix-sort.js";
import { Rng } from "./rng.js";

/** sklearn's ALMOST_INF: numeric thresholds are clipped to it. */
export const ALMOST_INF = 1e300;
/** Largest category code accepted (bitsets cover codes 0..255). */
export const MAX_CATEGORY_CODE = 255;

export interface BinMapper {
  readonly nFeatures: number;
  /** Bins for non-missing values; the missing-value bin is maxBins. */
  readonly maxBins: number;
  readonly missingBin: number;
  readonly isCategorical: Uint8Array;
  /** Bins actually used by non-missing values, per feature. */
  readonly nBinsNonMissing: Uint16Array;
  /** Numeric: ascending thresholds (nBinsNonMissing - 1). Categorical: the sorted known codes. */
  readonly thresholds: readonly Float64Array[];
}

export interface BinMapperFitOptions {
  readonly maxBins: number;
  readonly subsample: number;
  readonly categoricalFeatures: readonly number[];
  readonly seed: number;
  readonly quantileMethod: BinQuantileMethod;
}

/**
 * Everything needed to bin the training rows, column by column, by one or two threads at once
 * (typed arrays on SharedArrayBuffers when a worker takes part). Threads claim columns through the
 * shared counter `next`, so a worker that is still starting simply claims fewer.
 */
export interface BinningJob {
  /** Whether the job lives in shared memory (else only the thread that made it can run it). */
  readonly shared: boolean;
  readonly x: FeatureMatrix;
  readonly trainRows: Uint32Array;
  /** Rows the thresholds come from: trainRows, or a seeded subsample of them. */
  readonly sampleRows: Uint32Array;
  readonly subsampled: boolean;
  readonly maxBins: number;
  readonly quantileMethod: BinQuantileMethod;
  readonly isCategorical: Uint8Array;
  /** maxBins slots per column: numeric thresholds (output) or the known category codes (input). */
  readonly thresholds: Float64Array;
  /** Per column: how many entries of its thresholds slots are used. */
  readonly nThresholds: Uint16Array;
  /** Output: the training rows' bins, column-major (bins[f * trainRows.length + i]). */
  readonly bins: Uint8Array;
  /** Next column to claim (Atomics). */
  readonly next: Int32Array;
}

/** Largest feature matrix copied into shared memory so a worker can help binning (bytes). */
export const MAX_SHARED_INPUT_BYTES = 256 * 1024 * 1024;

/**
 * Validates the categorical columns, collects their known categories (from `allRows`, like sklearn)
 * and lays out a binning job writing into `bins`. With `share`, every array a worker needs lives on
 * a SharedArrayBuffer: the feature values are copied once unless they already are shared, and not
 * at all above MAX_SHARED_INPUT_BYTES (then this thread bins alone rather than double the memory).
 */
export function prepareBinning(
  x: FeatureMatrix,
  trainRows: Uint32Array,
  allRows: Uint32Array,
  options: BinMapperFitOptions,
  bins: Uint8Array,
  share: boolean,
): BinningJob {
  const { maxBins } = options;
  const shared =
    share && (x.data.buffer instanceof SharedArrayBuffer || x.data.byteLength <= MAX_SHARED_INPUT_BYTES);
  const alloc = (bytes: number): ArrayBufferLike => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const isCategorical = new Uint8Array(alloc(x.nCols));
  for (const c of options.categoricalFeatures) {
    if (c >= x.nCols) {
      throw new ViralityError("VIR_TRAIN_INVALID", `categorical feature index ${c} is not a column (${x.nCols} columns)`);
    }
    isCategorical[c] = 1;
  }
  const thresholds = new Float64Array(alloc(x.nCols * maxBins * 8));
  const nThresholds = new Uint16Array(alloc(x.nCols * 2));
  const { rowStride, colStride } = matrixStrides(x);
  for (let f = 0; f < x.nCols; f++) {
    if (isCategorical[f] === 0) continue;
    const known = knownCategories(x.data, allRows, rowStride, f * colStride, f, maxBins);
    thresholds.set(known, f * maxBins);
    nThresholds[f] = known.length;
  }
  const subsampled = trainRows.length > options.subsample;
  const sampleRows = subsampled
    ? pick(trainRows, new Rng(options.seed).sampleWithoutReplacement(trainRows.length, options.subsample))
    : trainRows;
  const toShared = (rows: Uint32Array): Uint32Array => {
    if (!shared || rows.buffer instanceof SharedArrayBuffer) return rows;
    const copy = new Uint32Array(new SharedArrayBuffer(rows.byteLength));
    copy.set(rows);
    return copy;
  };
  const sharedTrainRows = toShared(trainRows);
  return {
    shared,
    x: shared ? sharedMatrix(x) : x,
    trainRows: sharedTrainRows,
    sampleRows: subsampled ? toShared(sampleRows) : sharedTrainRows,
    subsampled,
    maxBins,
    quantileMethod: options.quantileMethod,
    isCategorical,
    thresholds,
    nThresholds,
    bins,
    next: new Int32Array(alloc(4)),
  };
}

function sharedMatrix(x: FeatureMatrix): FeatureMatrix {
  if (x.data.buffer instanceof SharedArrayBuffer) return x;
  const buffer = new SharedArrayBuffer(x.data.byteLength);
  const data = x.data instanceof Float32Array ? new Float32Array(buffer) : new Float64Array(buffer);
  data.set(x.data);
  return { data, nRows: x.nRows, nCols: x.nCols, layout: x.layout };
}

/** Claims columns of the job until none is left, computing thresholds and bins for each. */
export function binClaimedColumns(job: BinningJob): void {
  const { x, trainRows, sampleRows, maxBins, bins, thresholds, nThresholds } = job;
  const { rowStride, colStride } = matrixStrides(x);
  const data = x.data;
  const m = sampleRows.length;
  const nTrain = trainRows.length;
  let scratch: { positions: Uint32Array; sorted: Float64Array; sorter: RadixSorter } | null = null;
  for (let f = Atomics.add(job.next, 0, 1); f < x.nCols; f = Atomics.add(job.next, 0, 1)) {
    const colBase = f * colStride;
    const out = bins.subarray(f * nTrain, (f + 1) * nTrain);
    if (job.isCategorical[f] === 1) {
      const known = thresholds.subarray(f * maxBins, f * maxBins + nThresholds[f]);
      binCategoricalColumn(known, maxBins, data, rowStride, colBase, trainRows, out);
      continue;
    }
    scratch ??= { positions: new Uint32Array(m), sorted: new Float64Array(m), sorter: new RadixSorter(m) };
    const { positions, sorted, sorter } = scratch;
    const column = sorter.values;
    let k = 0;
    for (let i = 0; i < m; i++) {
      const v = data[sampleRows[i] * rowStride + colBase];
      if (v === v) {
        column[k] = v;
        positions[k] = i;
        k++;
      }
    }
    const values = column.subarray(0, k);
    const order = sorter.argsort(k);
    if (order === null) {
      values.sort();
      sorted.set(values);
    } else {
      for (let i = 0; i < k; i++) sorted[i] = values[order[i]];
    }
    const t = numericThresholds(sorted.subarray(0, k), maxBins, job.quantileMethod);
    thresholds.set(t, f * maxBins);
    nThresholds[f] = t.length;
    if (!job.subsampled && order !== null) {
      // Walk the sorted values once: bin = number of thresholds < value.
      out.fill(maxBins);
      let b = 0;
      for (let i = 0; i < k; i++) {
        const v = sorted[i];
        while (b < t.length && t[b] < v) b++;
        out[positions[order[i]]] = b;
      }
    } else {
      binNumericColumn(t, maxBins, data, rowStride, colBase, trainRows, out);
    }
  }
}

/** The bin mapper a finished job describes. */
export function finishBinning(job: BinningJob): BinMapper {
  const { maxBins, x } = job;
  const thresholds: Float64Array[] = [];
  const nBinsNonMissing = new Uint16Array(x.nCols);
  const isCategorical = Uint8Array.from(job.isCategorical);
  for (let f = 0; f < x.nCols; f++) {
    const count = job.nThresholds[f];
    thresholds.push(job.thresholds.slice(f * maxBins, f * maxBins + count));
    nBinsNonMissing[f] = isCategorical[f] === 1 ? count : count + 1;
  }
  return { nFeatures: x.nCols, maxBins, missingBin: maxBins, isCategorical, nBinsNonMissing, thresholds };
}

/**
 * Fits the bin mapper on one thread: numeric thresholds from `trainRows`, known categories from
 * `allRows`; `trainBins`, when given, receives the bins of `trainRows` (column-major).
 */
export function fitBinMapper(
  x: FeatureMatrix,
  trainRows: Uint32Array,
  allRows: Uint32Array,
  options: BinMapperFitOptions,
  trainBins: Uint8Array = new Uint8Array(trainRows.length * x.nCols),
): BinMapper {
  const job = prepareBinning(x, trainRows, allRows, options, trainBins, false);
  binClaimedColumns(job);
  return finishBinning(job);
}

function pick(rows: Uint32Array, positions: Uint32Array): Uint32Array {
  const out = new Uint32Array(positions.length);
  for (let i = 0; i < positions.length; i++) out[i] = rows[positions[i]];
  return out;
}

function knownCategories(
  data: ArrayLike<number>,
  rows: Uint32Array,
  rowStride: number,
  colBase: number,
  feature: number,
  maxBins: number,
): Float64Array {
  const seen = new Uint8Array(MAX_CATEGORY_CODE + 1);
  for (let i = 0; i < rows.length; i++) {
    const v = data[rows[i] * rowStride + colBase];
    if (v !== v) continue;
    if (!(v >= 0 && v <= MAX_CATEGORY_CODE && v === Math.floor(v))) {
      throw new ViralityError(
        "VIR_TRAIN_INVALID",
        `categorical feature ${feature} has value ${v} at row ${rows[i]}; category codes must be integers in [0, ${MAX_CATEGORY_CODE}] or NaN`,
        { details: { feature, row: rows[i] } },
      );
    }
    seen[v] = 1;
  }
  const codes: number[] = [];
  for (let c = 0; c <= MAX_CATEGORY_CODE; c++) if (seen[c] === 1) codes.push(c);
  if (codes.length > maxBins) {
    throw new ViralityError(
      "VIR_TRAIN_INVALID",
      `categorical feature ${feature} has ${codes.length} categories, more than maxBins (${maxBins})`,
      { details: { feature } },
    );
  }
  return Float64Array.from(codes);
}

/**
 * How percentile thresholds are taken when a column has more distinct values than bins:
 * "midpoint" is numpy's method="midpoint" (sklearn up to 1.5); "averaged_inverted_cdf" is
 * numpy's method of that name followed by dropping duplicate thresholds (sklearn 1.6+).
 */
export type BinQuantileMethod = "midpoint" | "averaged_inverted_cdf";

/** Thresholds of one numeric column from its non-missing values in ascending order. */
export function numericThresholds(values: Float64Array, maxBins: number, method: BinQuantileMethod): Float64Array {
  const n = values.length;
  let nDistinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || values[i] !== values[i - 1]) nDistinct++;
  let out: Float64Array;
  if (nDistinct <= maxBins) {
    out = new Float64Array(Math.max(nDistinct - 1, 0));
    let prev = 0;
    let k = -1;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (i > 0 && v === prev) continue;
      if (k >= 0) out[k] = (prev + v) * 0.5;
      k++;
      prev = v;
    }
  } else {
    // numpy: percentiles = linspace(0, 100, maxBins + 1)[1:-1]; q = percentile / 100
    out = new Float64Array(maxBins - 1);
    const step = 100 / maxBins;
    for (let i = 1; i < maxBins; i++) {
      const q = (i * step) / 100;
      out[i - 1] = method === "midpoint" ? quantileMidpoint(values, q) : quantileAveragedInvertedCdf(values, q);
    }
    if (method === "averaged_inverted_cdf") out = dropDuplicates(out);
  }
  for (let i = 0; i < out.length; i++) if (out[i] > ALMOST_INF) out[i] = ALMOST_INF;
  return out;
}

/** numpy quantile, method "midpoint", on sorted values (n > 1). */
function quantileMidpoint(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  if (lo === Math.ceil(position)) return sorted[lo];
  const a = sorted[lo];
  const b = sorted[lo + 1];
  return b - (b - a) * 0.5;
}

/** numpy quantile, method "averaged_inverted_cdf", on sorted values (n > 1). */
function quantileAveragedInvertedCdf(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const position = n * q - 1;
  if (position >= n - 1) return sorted[n - 1];
  if (position < 0) return sorted[0];
  const lo = Math.floor(position);
  const a = sorted[lo];
  const b = sorted[lo + 1];
  // gamma = 0.5 where position is an integer, else 1 (numpy's _lerp for t >= 0.5: b - (b - a)(1 - t))
  return position === lo ? b - (b - a) * 0.5 : b;
}

function dropDuplicates(sorted: Float64Array): Float64Array {
  const kept: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) kept.push(sorted[i]);
  return kept.length === sorted.length ? sorted : Float64Array.from(kept);
}

/**
 * Bins the given rows of x into `out`, column-major (out[f * rows.length + i]), uint8.
 */
export function transformToBins(mapper: BinMapper, x: FeatureMatrix, rows: Uint32Array, out: Uint8Array): void {
  const n = rows.length;
  if (out.length !== n * mapper.nFeatures) throw new RangeError("bins buffer has the wrong size");
  const { rowStride, colStride } = matrixStrides(x);
  for (let f = 0; f < mapper.nFeatures; f++) {
    const column = out.subarray(f * n, (f + 1) * n);
    const bin = mapper.isCategorical[f] === 1 ? binCategoricalColumn : binNumericColumn;
    bin(mapper.thresholds[f], mapper.missingBin, x.data, rowStride, f * colStride, rows, column);
  }
}

/** Bins one numeric column: bin = number of thresholds < value; NaN → missingBin. */
function binNumericColumn(
  thresholds: Float64Array,
  missingBin: number,
  data: ArrayLike<number>,
  rowStride: number,
  colBase: number,
  rows: Uint32Array,
  out: Uint8Array,
): void {
  // Thresholds padded with +Infinity to 256 entries: a fixed 8-step search counts thresholds < x.
  const padded = new Float64Array(256).fill(Infinity);
  padded.set(thresholds);
  for (let i = 0; i < rows.length; i++) {
    const v = data[rows[i] * rowStride + colBase];
    if (v !== v) {
      out[i] = missingBin;
      continue;
    }
    let pos = 0;
    if (padded[pos + 127] < v) pos += 128;
    if (padded[pos + 63] < v) pos += 64;
    if (padded[pos + 31] < v) pos += 32;
    if (padded[pos + 15] < v) pos += 16;
    if (padded[pos + 7] < v) pos += 8;
    if (padded[pos + 3] < v) pos += 4;
    if (padded[pos + 1] < v) pos += 2;
    if (padded[pos] < v) pos += 1;
    out[i] = pos;
  }
}

/** Bins one categorical column: bin = rank of the code among the known ones; else missingBin. */
function binCategoricalColumn(
  known: Float64Array,
  missingBin: number,
  data: ArrayLike<number>,
  rowStride: number,
  colBase: number,
  rows: Uint32Array,
  out: Uint8Array,
): void {
  const codeToBin = new Uint8Array(MAX_CATEGORY_CODE + 1).fill(missingBin);
  for (let b = 0; b < known.length; b++) codeToBin[known[b]] = b;
  for (let i = 0; i < rows.length; i++) {
    const v = data[rows[i] * rowStride + colBase];
    // Unknown or malformed codes are binned as missing (they cannot occur in fit data).
    out[i] = v >= 0 && v <= MAX_CATEGORY_CODE && v === Math.floor(v) ? codeToBin[v] : missingBin;
  }
}
