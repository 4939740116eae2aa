/**
 * The boosting loop, as sklearn's HistGradientBoostingRegressor(loss="squared_error").fit:
 *  1. early stopping ("auto": only with more than 10,000 rows) holds out a seeded
 *     ceil(validationFraction × n) rows, like train_test_split;
 *  2. bin thresholds from the training rows (categories from all rows);
 *  3. baseline = mean(y − baseMargin) over the training rows (sklearn: mean(y), no margin);
 *  4. each iteration: gradients (raw − y, float32), grow a tree, add its values; with early
 *     stopping, score = −mean(½(y − raw)²) on the validation rows, and stop when none of the last
 *     nIterNoChange scores beats the one before them by more than tol.
 */
import { ViralityError } from "../../src/errors.js";
import type { FeatureMatrix, TreeEnsemble } from "../../src/model/trees.js";
import type { BinMapper } from "./binning.js";
import { finishBinning, prepareBinning, transformToBins } from "./binning.js";
import { EnsembleBuilder } from "./ensemble-builder.js";
import { TreeGrower } from "./grower.js";
import type { GbdtOptions, ResolvedGbdtOptions } from "./options.js";
import { EARLY_STOPPING_AUTO_ROWS, resolveGbdtOptions } from "./options.js";
import { chooseThreads, SplitExecutor } from "./parallel.js";
import { Rng } from "./rng.js";

export interface GbdtFitInput {
  /** Per-row offset added to the baseline (e.g. the Szabo–Huberman prediction): trees learn the residual. */
  readonly baseMargin?: ArrayLike<number>;
}

export interface GbdtFit {
  readonly model: TreeEnsemble;
  readonly options: ResolvedGbdtOptions;
  /** Trees fitted (= iterations run). */
  readonly nIter: number;
  readonly earlyStopping: boolean;
  /** −loss on the training rows before the first tree and after each (only with early stopping). */
  readonly trainScore: Float64Array;
  /** −loss on the validation rows, same points (only with early stopping). */
  readonly validationScore: Float64Array;
  readonly nTrainRows: number;
  readonly nValidationRows: number;
  readonly threads: number;
  readonly binMapper: BinMapper;
}

function checkInput(x: FeatureMatrix, y: ArrayLike<number>, margin: ArrayLike<number> | undefined): void {
  if (!Number.isInteger(x.nRows) || !Number.isInteger(x.nCols) || x.nRows < 1 || x.nCols < 1) {
    throw new ViralityError("VIR_TRAIN_INVALID", `matrix must have at least one row and one column (${x.nRows} × ${x.nCols})`);
  }
  if (x.data.length !== x.nRows * x.nCols) {
    throw new ViralityError(
      "VIR_TRAIN_INVALID",
      `matrix data has ${x.data.length} values, expected nRows × nCols = ${x.nRows * x.nCols}`,
    );
  }
  if (y.length !== x.nRows) {
    throw new ViralityError("VIR_TRAIN_INVALID", `y has ${y.length} values for ${x.nRows} rows`);
  }
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) {
      throw new ViralityError("VIR_TRAIN_INVALID", `y[${i}] is ${y[i]}; targets must be finite`, { details: { row: i } });
    }
  }
  if (margin === undefined) return;
  if (margin.length !== x.nRows) {
    throw new ViralityError("VIR_TRAIN_INVALID", `baseMargin has ${margin.length} values for ${x.nRows} rows`);
  }
  for (let i = 0; i < margin.length; i++) {
    if (!Number.isFinite(margin[i])) {
      throw new ViralityError("VIR_TRAIN_INVALID", `baseMargin[${i}] is ${margin[i]}; margins must be finite`, {
        details: { row: i },
      });
    }
  }
}

function range(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** sklearn's _should_stop on a list of scores (higher is better). */
export function shouldStop(scores: readonly number[], nIterNoChange: number, tol: number): boolean {
  const reference = nIterNoChange + 1;
  if (scores.length < reference) return false;
  const referenceScore = scores[scores.length - reference] + tol;
  for (let i = scores.length - reference + 1; i < scores.length; i++) if (scores[i] > referenceScore) return false;
  return true;
}

function negHalfSquaredError(y: Float64Array, raw: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const d = y[i] - raw[i];
    sum += 0.5 * d * d;
  }
  return -(sum / y.length);
}

/** Fits the histogram GBDT. */
export async function fitGbdt(
  x: FeatureMatrix,
  y: ArrayLike<number>,
  options: GbdtOptions = {},
  input: GbdtFitInput = {},
): Promise<GbdtFit> {
  const opts = resolveGbdtOptions(options);
  checkInput(x, y, input.baseMargin);
  const n = x.nRows;
  const margin = input.baseMargin;
  const seed = new Rng(opts.randomState).nextUint32();

  const earlyStopping = opts.earlyStopping === "auto" ? n > EARLY_STOPPING_AUTO_ROWS : opts.earlyStopping;
  let trainRows: Uint32Array;
  let valRows: Uint32Array;
  const allRows = range(n);
  if (earlyStopping) {
    const nVal = Math.ceil(opts.validationFraction * n);
    if (nVal < 1 || n - nVal < 1) {
      throw new ViralityError("VIR_TRAIN_INVALID", `early stopping needs at least 2 rows, got ${n}`);
    }
    const permutation = new Rng(seed).permutation(n);
    valRows = permutation.slice(0, nVal);
    trainRows = permutation.slice(nVal);
  } else {
    trainRows = allRows;
    valRows = new Uint32Array(0);
  }

  const nTrain = trainRows.length;
  const nFeatures = x.nCols;
  const threads = chooseThreads(opts.threads, nTrain, nFeatures);
  // live histograms: one per splittable leaf, plus the node being split and its smaller child
  const maxLeaves = Math.min(opts.maxLeafNodes ?? Number.POSITIVE_INFINITY, Math.ceil(nTrain / opts.minSamplesLeaf));
  const executor = SplitExecutor.launch(threads, nTrain, nFeatures, opts.maxBins + 1, maxLeaves + 2, {
    minSamplesLeaf: opts.minSamplesLeaf,
    l2Regularization: opts.l2Regularization,
    minGainToSplit: 0,
    missingBin: opts.maxBins,
  });
  try {
    const state = executor.state;
    const binning = prepareBinning(
      x,
      trainRows,
      allRows,
      {
        maxBins: opts.maxBins,
        subsample: opts.binSubsample,
        categoricalFeatures: opts.categoricalFeatures,
        seed,
        quantileMethod: opts.binQuantile,
      },
      state.bins,
      executor.threads === 2,
    );
    await executor.bin(binning);
    const mapper = finishBinning(binning);
    for (let f = 0; f < nFeatures; f++) {
      const column = state.bins.subarray(f * nTrain, (f + 1) * nTrain);
      state.nBinsNonMissing[f] = mapper.nBinsNonMissing[f];
      state.hasMissing[f] = column.includes(mapper.missingBin) ? 1 : 0;
      state.isCategorical[f] = mapper.isCategorical[f];
    }
    executor.rebalance();
    const valBins = new Uint8Array(valRows.length * nFeatures);
    transformToBins(mapper, x, valRows, valBins);

    const yTrain = Float64Array.from(trainRows, (r) => y[r]);
    const yVal = Float64Array.from(valRows, (r) => y[r]);
    let baselineSum = 0;
    for (let i = 0; i < nTrain; i++) baselineSum += yTrain[i] - (margin === undefined ? 0 : margin[trainRows[i]]);
    const baseline = baselineSum / nTrain;
    const raw = Float64Array.from(trainRows, (r) => baseline + (margin === undefined ? 0 : margin[r]));
    const rawVal = Float64Array.from(valRows, (r) => baseline + (margin === undefined ? 0 : margin[r]));

    const trainScore: number[] = [];
    const validationScore: number[] = [];
    if (earlyStopping) {
      trainScore.push(negHalfSquaredError(yTrain, raw));
      validationScore.push(negHalfSquaredError(yVal, rawVal));
    }

    const grower = new TreeGrower(executor, {
      maxLeafNodes: opts.maxLeafNodes,
      maxDepth: opts.maxDepth,
      minSamplesLeaf: opts.minSamplesLeaf,
      l2Regularization: opts.l2Regularization,
      learningRate: opts.learningRate,
      missingBin: mapper.missingBin,
    });
    const builder = new EnsembleBuilder(mapper);
    const gradients = state.gradients;
    const partition = state.partition;
    for (let iteration = 0; iteration < opts.maxIter; iteration++) {
      for (let i = 0; i < nTrain; i++) gradients[i] = raw[i] - yTrain[i];
      const tree = grower.grow();
      for (const leaf of tree.leaves) {
        for (let i = leaf.start, end = leaf.start + leaf.count; i < end; i++) raw[partition[i]] += leaf.value;
      }
      builder.addTree(tree);
      if (earlyStopping) {
        builder.addBinnedPredictions(builder.treeCount - 1, valBins, valRows.length, rawVal);
        trainScore.push(negHalfSquaredError(yTrain, raw));
        validationScore.push(negHalfSquaredError(yVal, rawVal));
        if (shouldStop(validationScore, opts.nIterNoChange, opts.tol)) break;
      }
    }
    return {
      model: builder.build(baseline),
      options: opts,
      nIter: builder.treeCount,
      earlyStopping,
      trainScore: Float64Array.from(trainScore),
      validationScore: Float64Array.from(validationScore),
      nTrainRows: nTrain,
      nValidationRows: valRows.length,
      threads: executor.threads,
      binMapper: mapper,
    };
  } finally {
    await executor.close();
  }
}
