/**
 * Regression metrics on Float64Array, defined as in scikit-learn / scipy:
 *  - MAE, RMSE;
 *  - R² as sklearn.metrics.r2_score: 1 − SS_res / SS_tot; when y is constant (SS_tot = 0) it is 1
 *    for a perfect prediction and 0 otherwise (sklearn's force_finite=True);
 *  - Spearman ρ as scipy.stats.spearmanr: the Pearson correlation of average ranks (ties share the
 *    mean of their ranks); NaN when either side is constant;
 *  - the MAE as a factor of views, exp(MAE): for a log1p target, a typical prediction is off by this
 *    factor (1.5 = "within ×1.5 of the realized views").
 */
import { ViralityError } from "../errors.js";

export interface RegressionMetrics {
  readonly n: number;
  readonly mae: number;
  readonly rmse: number;
  readonly r2: number;
  /** NaN when the target or the prediction is constant. */
  readonly spearman: number;
  /** exp(MAE): meaningful for a log1p target only. */
  readonly maeFactor: number;
}

export function meanAbsoluteError(y: Float64Array, yHat: Float64Array): number {
  checkPair(y, yHat);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += Math.abs(y[i] - yHat[i]);
  return sum / y.length;
}

export function rootMeanSquaredError(y: Float64Array, yHat: Float64Array): number {
  checkPair(y, yHat);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += (y[i] - yHat[i]) ** 2;
  return Math.sqrt(sum / y.length);
}

export function r2Score(y: Float64Array, yHat: Float64Array): number {
  checkPair(y, yHat);
  const mean = meanOf(y);
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    ssRes += (y[i] - yHat[i]) ** 2;
    ssTot += (y[i] - mean) ** 2;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

/** 1-based ranks; tied values get the mean of the ranks they span (scipy's method="average"). */
export function averageRanks(values: Float64Array): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => values[a] - values[b] || a - b);
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

export function pearson(a: Float64Array, b: Float64Array): number {
  checkPair(a, b);
  const meanA = meanOf(a);
  const meanB = meanOf(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    const da = a[i] - meanA;
    const db = b[i] - meanB;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return Number.NaN;
  return sab / Math.sqrt(saa * sbb);
}

export function spearman(a: Float64Array, b: Float64Array): number {
  checkPair(a, b);
  return pearson(averageRanks(a), averageRanks(b));
}

export function maeFactor(mae: number): number {
  return Math.exp(mae);
}

/** All metrics at once; refuses non-finite targets or predictions (VIR_TRAIN_INVALID, naming the row). */
export function regressionMetrics(y: Float64Array, yHat: Float64Array): RegressionMetrics {
  checkPair(y, yHat);
  checkFinite(y, "target");
  checkFinite(yHat, "prediction");
  const mae = meanAbsoluteError(y, yHat);
  return {
    n: y.length,
    mae,
    rmse: rootMeanSquaredError(y, yHat),
    r2: r2Score(y, yHat),
    spearman: spearman(y, yHat),
    maeFactor: maeFactor(mae),
  };
}

export function meanOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

function checkPair(a: Float64Array, b: Float64Array): void {
  if (a.length !== b.length) {
    throw new ViralityError("VIR_TRAIN_INVALID", `metric inputs differ in length: ${a.length} vs ${b.length}`);
  }
  if (a.length === 0) throw new ViralityError("VIR_TRAIN_INVALID", "a metric needs at least one row");
}

function checkFinite(values: Float64Array, what: string): void {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    throw new ViralityError("VIR_TRAIN_INVALID", `${what} of row ${bad} is ${values[bad]}, not a finite number`, {
      details: { row: bad },
    });
  }
}
