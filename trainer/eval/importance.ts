/**
 * Permutation importance, following sklearn.inspection.permutation_importance:
 *  - the baseline score is computed once on the unpermuted rows;
 *  - for each column (or each group of columns, permuted together with one row permutation), and
 *    for each of n_repeats, the column's values are shuffled across rows, the model rescored, and
 *    the drop = baseline − permuted score recorded; mean and std (population, numpy's default) of
 *    the drops are returned;
 *  - like sklearn, every column and group replays the same sequence of permutations (one seed), so
 *    an entry's result does not depend on which other entries are evaluated.
 * The default score is R², as sklearn's regressors' .score() (what permutation_importance uses when
 * scoring=None); "neg_mae" (−MAE) is the other choice. A drop is in units of that score.
 *
 * Speed: at most maxRows rows (default 2,000, a seeded sample without replacement, as sklearn's
 * max_samples) are scored. Only the permuted columns are saved and restored around each entry; the
 * matrix is never copied per repeat. Without sampling the caller's matrix is permuted in place and
 * restored before returning (also when predict throws); with sampling the sample is a private copy.
 * A model that can re-predict only what a changed column touches (`repredict`; trees: only the trees
 * that split on it, see CachedTreePredictions) gives the same numbers, bit for bit, in a fraction of
 * the time: a 512-d embedding model spends most of its importance on columns few trees read.
 */
import { ViralityError } from "../../src/errors.js";
import { Rng } from "../gbdt/rng.js";
import { checkMatrix, takeRows, takeValues, type RowMatrix } from "./matrix.js";
import { meanAbsoluteError, r2Score } from "./metrics.js";

export type ImportanceScoring = "r2" | "neg_mae";

/** Any model: predictions for every row of the matrix. */
export type Predictor = (x: RowMatrix) => Float64Array;

/**
 * Given the matrix importance scores on (once), a function that predicts it again after only
 * `columns` were changed in place; its predictions must equal the Predictor's on the changed matrix.
 */
export type Repredictor = (x: RowMatrix) => (columns: readonly number[]) => Float64Array;

export interface ColumnGroup {
  readonly name: string;
  readonly columns: readonly number[];
}

export interface PermutationImportanceOptions {
  /** Shuffles per column or group; default 5. */
  readonly nRepeats?: number;
  /** Seeds the row sample and the permutations; default 0. */
  readonly seed?: number;
  /** Score on at most this many rows (seeded sample); default 2,000; Infinity for all. */
  readonly maxRows?: number;
  /** default "r2". */
  readonly scoring?: ImportanceScoring;
  /** Columns to evaluate one by one; default every column. [] evaluates groups only. */
  readonly columns?: readonly number[];
  /** Column groups, each permuted as a block; default none. */
  readonly groups?: readonly ColumnGroup[];
  /** Column names (width of them) for the result; default "col_<i>". */
  readonly names?: readonly string[];
  /** A faster path giving the same predictions (see Repredictor); default: predict everything each time. */
  readonly repredict?: Repredictor;
}

export const IMPORTANCE_DEFAULTS = { nRepeats: 5, seed: 0, maxRows: 2000, scoring: "r2" } as const;

export interface ImportanceEntry {
  readonly name: string;
  readonly columns: readonly number[];
  /** Mean drop of the score over the repeats. */
  readonly mean: number;
  /** Population standard deviation of the drops. */
  readonly std: number;
  readonly drops: readonly number[];
}

export interface PermutationImportance {
  readonly scoring: ImportanceScoring;
  readonly baselineScore: number;
  /** Rows scored (after sampling). */
  readonly rows: number;
  readonly nRepeats: number;
  readonly seed: number;
  /** One entry per evaluated column, in the order asked. */
  readonly columns: readonly ImportanceEntry[];
  /** One entry per group, in the order given. */
  readonly groups: readonly ImportanceEntry[];
}

export function permutationImportance(
  x: RowMatrix,
  y: Float64Array,
  predict: Predictor,
  options: PermutationImportanceOptions = {},
): PermutationImportance {
  checkMatrix(x, y);
  const nRepeats = options.nRepeats ?? IMPORTANCE_DEFAULTS.nRepeats;
  const seed = options.seed ?? IMPORTANCE_DEFAULTS.seed;
  const maxRows = options.maxRows ?? IMPORTANCE_DEFAULTS.maxRows;
  const scoring = options.scoring ?? IMPORTANCE_DEFAULTS.scoring;
  checkOptions(x, nRepeats, seed, maxRows, options);
  const names = options.names ?? Array.from({ length: x.width }, (_, i) => `col_${i}`);

  const sampled = x.rows > maxRows;
  const rows = sampled ? new Rng(seed).sampleWithoutReplacement(x.rows, maxRows) : null;
  const work = rows === null ? x : takeRows(x, rows);
  const target = rows === null ? y : takeValues(y, rows);
  const baselineScore = scoreOf(scoring, target, checkedPredict(predict, work));
  const again = options.repredict?.(work);
  /** What predicts the matrix once only `columns` have changed. */
  const predictAfter = (columns: readonly number[]): Predictor => (again === undefined ? predict : () => again(columns));
  const scoreWith = (columns: readonly number[]) => (m: RowMatrix): number => scoreOf(scoring, target, checkedPredict(predictAfter(columns), m));

  const entry = (name: string, columns: readonly number[]): ImportanceEntry => {
    const drops = permutedScores(work, columns, nRepeats, seed, scoreWith(columns)).map((s) => baselineScore - s);
    const mean = drops.reduce((a, b) => a + b, 0) / drops.length;
    const std = Math.sqrt(drops.reduce((a, d) => a + (d - mean) ** 2, 0) / drops.length);
    return { name, columns, mean, std, drops };
  };

  const single = options.columns ?? Array.from({ length: x.width }, (_, i) => i);
  return {
    scoring,
    baselineScore,
    rows: work.rows,
    nRepeats,
    seed,
    columns: single.map((c) => entry(names[c] ?? `col_${c}`, [c])),
    groups: (options.groups ?? []).map((g) => entry(g.name, [...new Set(g.columns)])),
  };
}

/** Scores with the given columns shuffled (one row permutation per repeat), then restores them. */
function permutedScores(
  x: RowMatrix,
  columns: readonly number[],
  nRepeats: number,
  seed: number,
  score: (m: RowMatrix) => number,
): number[] {
  const { data, rows, width } = x;
  const saved = columns.map((c) => {
    const values = new Float32Array(rows);
    for (let r = 0; r < rows; r++) values[r] = data[r * width + c];
    return values;
  });
  // The permutation stream differs from the row-sample stream but is the same for every entry.
  const rng = new Rng(seed + 1);
  const scores: number[] = [];
  try {
    for (let repeat = 0; repeat < nRepeats; repeat++) {
      const perm = rng.permutation(rows);
      columns.forEach((c, k) => {
        const values = saved[k];
        for (let r = 0; r < rows; r++) data[r * width + c] = values[perm[r]];
      });
      scores.push(score(x));
    }
  } finally {
    columns.forEach((c, k) => {
      const values = saved[k];
      for (let r = 0; r < rows; r++) data[r * width + c] = values[r];
    });
  }
  return scores;
}

function checkedPredict(predict: Predictor, x: RowMatrix): Float64Array {
  const out = predict(x);
  if (out.length !== x.rows) {
    throw new ViralityError("VIR_TRAIN_INVALID", `predict returned ${out.length} values for ${x.rows} rows`);
  }
  return out;
}

function scoreOf(scoring: ImportanceScoring, y: Float64Array, yHat: Float64Array): number {
  return scoring === "r2" ? r2Score(y, yHat) : -meanAbsoluteError(y, yHat);
}

function checkOptions(
  x: RowMatrix,
  nRepeats: number,
  seed: number,
  maxRows: number,
  options: PermutationImportanceOptions,
): void {
  const fail = (key: string, message: string): never => {
    throw new ViralityError("VIR_CONFIG_INVALID", `permutation importance: ${key} ${message}`, { details: { key } });
  };
  if (!Number.isInteger(nRepeats) || nRepeats < 1) fail("nRepeats", `must be an integer ≥ 1, got ${nRepeats}`);
  if (!Number.isInteger(seed)) fail("seed", `must be an integer, got ${seed}`);
  if (!(maxRows >= 1) || (Number.isFinite(maxRows) && !Number.isInteger(maxRows))) {
    fail("maxRows", `must be an integer ≥ 1 or Infinity, got ${maxRows}`);
  }
  if (x.rows < 1) fail("rows", "needs at least one row");
  if (options.names !== undefined && options.names.length !== x.width) {
    fail("names", `has ${options.names.length} names for ${x.width} columns`);
  }
  const inRange = (c: number): boolean => Number.isInteger(c) && c >= 0 && c < x.width;
  for (const c of options.columns ?? []) if (!inRange(c)) fail("columns", `holds ${c}, outside 0..${x.width - 1}`);
  for (const group of options.groups ?? []) {
    if (group.columns.length === 0) fail("groups", `"${group.name}" has no columns`);
    for (const c of group.columns) if (!inRange(c)) fail("groups", `"${group.name}" holds ${c}, outside 0..${x.width - 1}`);
  }
}
