/**
 * Train / calibration / test splits, as row-index arrays.
 *
 * Sizes follow sklearn's train_test_split: test = ⌈testFraction · n⌉, then calibration =
 * ⌈calibrationFraction · (n − test)⌉ of the remaining rows, train = the rest.
 *  - randomSplit: a seeded permutation (trainer/gbdt's Rng); each part sorted by row index.
 *  - timeSplit: rows sorted by upload time, ties broken by row index; the oldest rows train, the
 *    next ones calibrate, the newest are the test set; each part in that chronological order.
 * assertChronological pins the guarantee of the time split: no train row is newer than a calibration
 * or test row, and no calibration row is newer than a test row.
 */
import { ViralityError } from "../../src/errors.js";
import { Rng } from "../gbdt/rng.js";

export type SplitKind = "random" | "time";

export interface SplitOptions {
  /** Fraction of all rows held out as the test set; default 0.2. */
  readonly testFraction?: number;
  /** Fraction of the non-test rows held out for conformal calibration; default 0.2 (0 = none). */
  readonly calibrationFraction?: number;
}

export interface RandomSplitOptions extends SplitOptions {
  /** Seed of the permutation; default 0. */
  readonly seed?: number;
}

export const SPLIT_DEFAULTS = { testFraction: 0.2, calibrationFraction: 0.2, seed: 0 } as const;

export interface Split {
  readonly kind: SplitKind;
  readonly train: Uint32Array;
  readonly calibration: Uint32Array;
  readonly test: Uint32Array;
}

export interface SplitSizes {
  readonly train: number;
  readonly calibration: number;
  readonly test: number;
}

export function splitSizes(n: number, options: SplitOptions = {}): SplitSizes {
  const testFraction = fraction("testFraction", options.testFraction ?? SPLIT_DEFAULTS.testFraction);
  const calibrationFraction = fraction(
    "calibrationFraction",
    options.calibrationFraction ?? SPLIT_DEFAULTS.calibrationFraction,
  );
  const test = Math.ceil(testFraction * n);
  const calibration = Math.ceil(calibrationFraction * (n - test));
  const train = n - test - calibration;
  if (train < 1 || (testFraction > 0 && test < 1)) {
    throw new ViralityError(
      "VIR_TRAIN_INVALID",
      `${n} rows are too few to split into train (${train}), calibration (${calibration}) and test (${test})`,
      { details: { rows: n } },
    );
  }
  return { train, calibration, test };
}

export function randomSplit(n: number, options: RandomSplitOptions = {}): Split {
  const sizes = splitSizes(n, options);
  const seed = options.seed ?? SPLIT_DEFAULTS.seed;
  if (!Number.isInteger(seed)) throw new ViralityError("VIR_CONFIG_INVALID", `split seed must be an integer, got ${seed}`);
  const order = new Rng(seed).permutation(n);
  return {
    kind: "random",
    test: order.slice(0, sizes.test).sort(),
    calibration: order.slice(sizes.test, sizes.test + sizes.calibration).sort(),
    train: order.slice(sizes.test + sizes.calibration).sort(),
  };
}

/** uploadedAt: per row, the upload time (any monotonic unit, e.g. epoch ms); every value must be finite. */
export function timeSplit(uploadedAt: ArrayLike<number>, options: SplitOptions = {}): Split {
  const n = uploadedAt.length;
  const missing = countNonFinite(uploadedAt);
  if (missing.count > 0) {
    throw new ViralityError(
      "VIR_TRAIN_INVALID",
      `a time split needs every upload time; ${missing.count} rows have none (first: row ${missing.first})`,
      { details: { rows: missing.count, firstRow: missing.first } },
    );
  }
  const sizes = splitSizes(n, options);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => uploadedAt[a] - uploadedAt[b] || a - b);
  return {
    kind: "time",
    train: order.slice(0, sizes.train),
    calibration: order.slice(sizes.train, sizes.train + sizes.calibration),
    test: order.slice(sizes.train + sizes.calibration),
  };
}

/** Throws VIR_TRAIN_INVALID when a train row is newer than a calibration/test row, or a calibration row newer than a test row. */
export function assertChronological(uploadedAt: ArrayLike<number>, split: Split): void {
  const parts = [
    ["train", split.train],
    ["calibration", split.calibration],
    ["test", split.test],
  ] as const;
  for (let a = 0; a < parts.length; a++) {
    for (let b = a + 1; b < parts.length; b++) {
      const [olderName, older] = parts[a];
      const [newerName, newer] = parts[b];
      if (older.length === 0 || newer.length === 0) continue;
      const newest = extreme(uploadedAt, older, 1);
      const oldest = extreme(uploadedAt, newer, -1);
      if (!(uploadedAt[newest] <= uploadedAt[oldest])) {
        throw new ViralityError(
          "VIR_TRAIN_INVALID",
          `${olderName} row ${newest} (uploaded ${uploadedAt[newest]}) is newer than ${newerName} row ${oldest} (uploaded ${uploadedAt[oldest]})`,
          { details: { olderRow: newest, newerRow: oldest } },
        );
      }
    }
  }
}

/** The row of `rows` with the largest (sign 1) or smallest (sign −1) time; NaN counts as the extreme. */
function extreme(times: ArrayLike<number>, rows: Uint32Array, sign: 1 | -1): number {
  let best = rows[0];
  for (const row of rows) {
    const t = times[row];
    if (Number.isNaN(t)) return row;
    if (sign * (t - times[best]) > 0) best = row;
  }
  return best;
}

function countNonFinite(values: ArrayLike<number>): { count: number; first: number } {
  let count = 0;
  let first = -1;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  return { count, first };
}

function fraction(name: string, value: number): number {
  if (!(value >= 0 && value < 1)) {
    throw new ViralityError("VIR_CONFIG_INVALID", `${name} must be in [0, 1), got ${value}`, { details: { key: name } });
  }
  return value;
}
