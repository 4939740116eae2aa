/**
 * Split conformal prediction for regression (Lei et al. 2018; the "split" method of MAPIE).
 * Scores are the absolute residuals |y − ŷ| of a calibration set the model never saw; with n scores
 * and miscoverage α the quantile q is the k-th smallest score, k = ⌈(n + 1)(1 − α)⌉, and the
 * interval ŷ ± q covers a new exchangeable row with probability ≥ 1 − α. When k > n (n < 1/α − 1)
 * no finite q has that guarantee, and conformalQuantile refuses.
 */
import { ViralityError } from "../../src/errors.js";

export const DEFAULT_ALPHA = 0.1;
/** Nominal coverage levels of the calibration curve. */
export const CALIBRATION_LEVELS = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95] as const;

/** Absorbs the rounding of (n + 1)(1 − α) in floating point (e.g. 18.000000000000004 is 18). */
const RANK_EPSILON = 1e-9;

export interface Intervals {
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

export interface CoverageSummary {
  readonly n: number;
  /** Share of rows with |y − ŷ| ≤ q. */
  readonly coverage: number;
  /** Mean of upper − lower (2q for the constant-width interval). */
  readonly meanWidth: number;
}

export interface CalibrationPoint {
  readonly nominal: number;
  readonly empirical: number;
  readonly quantile: number;
}

export function absoluteResiduals(y: Float64Array, yHat: Float64Array): Float64Array {
  if (y.length !== yHat.length) {
    throw new ViralityError("VIR_TRAIN_INVALID", `residual inputs differ in length: ${y.length} vs ${yHat.length}`);
  }
  const scores = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) scores[i] = Math.abs(y[i] - yHat[i]);
  return scores;
}

/** k = ⌈(n + 1)(1 − α)⌉, the rank of the conformal quantile among n scores. */
export function conformalRank(n: number, alpha: number = DEFAULT_ALPHA): number {
  checkAlpha(alpha);
  return Math.ceil((n + 1) * (1 - alpha) - RANK_EPSILON);
}

/** The fewest calibration rows for which the conformal quantile exists at this α. */
export function minCalibrationRows(alpha: number = DEFAULT_ALPHA): number {
  checkAlpha(alpha);
  let n = Math.max(1, Math.floor(1 / alpha - 1 - RANK_EPSILON));
  while (conformalRank(n, alpha) > n) n++;
  return n;
}

/** The k-th smallest score; VIR_TRAIN_INVALID when there are too few scores or one is not finite. */
export function conformalQuantile(scores: Float64Array, alpha: number = DEFAULT_ALPHA): number {
  const n = scores.length;
  const k = conformalRank(n, alpha);
  if (n === 0 || k > n) {
    const needed = minCalibrationRows(alpha);
    throw new ViralityError(
      "VIR_TRAIN_INVALID",
      `conformal intervals at α=${alpha} need at least ${needed} calibration rows, got ${n}`,
      { details: { calibrationRows: n, needed, alpha } },
    );
  }
  const bad = scores.findIndex((s) => !Number.isFinite(s) || s < 0);
  if (bad >= 0) {
    throw new ViralityError("VIR_TRAIN_INVALID", `calibration score ${bad} is ${scores[bad]}, not a finite |residual|`);
  }
  const sorted = Float64Array.from(scores).sort();
  return sorted[k - 1];
}

export function conformalIntervals(yHat: Float64Array, quantile: number): Intervals {
  const lower = new Float64Array(yHat.length);
  const upper = new Float64Array(yHat.length);
  for (let i = 0; i < yHat.length; i++) {
    lower[i] = yHat[i] - quantile;
    upper[i] = yHat[i] + quantile;
  }
  return { lower, upper };
}

export function intervalCoverage(y: Float64Array, yHat: Float64Array, quantile: number): CoverageSummary {
  const { lower, upper } = conformalIntervals(yHat, quantile);
  if (y.length !== yHat.length || y.length === 0) {
    throw new ViralityError("VIR_TRAIN_INVALID", `coverage needs equal, non-empty inputs: ${y.length} vs ${yHat.length}`);
  }
  let covered = 0;
  let width = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] >= lower[i] && y[i] <= upper[i]) covered++;
    width += upper[i] - lower[i];
  }
  return { n: y.length, coverage: covered / y.length, meanWidth: width / y.length };
}

/**
 * Empirical test coverage at each nominal level 1 − α, using the quantile of the calibration scores
 * at that level. Levels the calibration set is too small for are left out.
 */
export function calibrationCurve(
  calibrationScores: Float64Array,
  y: Float64Array,
  yHat: Float64Array,
  levels: readonly number[] = CALIBRATION_LEVELS,
): CalibrationPoint[] {
  const points: CalibrationPoint[] = [];
  for (const nominal of levels) {
    const alpha = 1 - nominal;
    if (calibrationScores.length < minCalibrationRows(alpha)) continue;
    const quantile = conformalQuantile(calibrationScores, alpha);
    points.push({ nominal, empirical: intervalCoverage(y, yHat, quantile).coverage, quantile });
  }
  return points;
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) {
    throw new ViralityError("VIR_CONFIG_INVALID", `conformal α must be in (0, 1), got ${alpha}`, {
      details: { key: "alpha" },
    });
  }
}
