/**
 * Hyperparameters of the histogram GBDT: the option schema, its defaults (those of scikit-learn's
 * HistGradientBoostingRegressor with loss="squared_error") and its validator, in one place.
 * Unknown keys are refused; validation happens once, before any work, naming the key.
 */
import { ViralityError } from "../../src/errors.js";
import type { BinQuantileMethod } from "./binning.js";

export interface GbdtOptions {
  /** Shrinkage applied to every leaf value. sklearn: learning_rate. */
  readonly learningRate?: number;
  /** Maximum number of boosting iterations (trees). sklearn: max_iter. */
  readonly maxIter?: number;
  /** Maximum leaves per tree, >= 2, or null for no limit. sklearn: max_leaf_nodes. */
  readonly maxLeafNodes?: number | null;
  /** Maximum depth (edges from the root), >= 1, or null for no limit. sklearn: max_depth. */
  readonly maxDepth?: number | null;
  /** Minimum samples per leaf, >= 1. sklearn: min_samples_leaf. */
  readonly minSamplesLeaf?: number;
  /** L2 penalty on leaf values, >= 0. sklearn: l2_regularization. */
  readonly l2Regularization?: number;
  /** Bins for non-missing values, in [2, 255]; one more bin always holds missing values. */
  readonly maxBins?: number;
  /** Rows used to compute bin thresholds (a seeded subsample when there are more). */
  readonly binSubsample?: number;
  /**
   * Percentile method for bin thresholds: "midpoint" (sklearn <= 1.5, the default here) or
   * "averaged_inverted_cdf" (sklearn >= 1.6, duplicates dropped).
   */
  readonly binQuantile?: BinQuantileMethod;
  /** Column indices holding category codes (integers in [0, 255]; NaN = missing). */
  readonly categoricalFeatures?: readonly number[];
  /** "auto": on only when there are more than 10,000 rows. sklearn: early_stopping. */
  readonly earlyStopping?: "auto" | boolean;
  /** Share of rows held out for early stopping (seeded, like train_test_split). */
  readonly validationFraction?: number;
  /** Stop when the last nIterNoChange validation scores do not beat the one before by tol. */
  readonly nIterNoChange?: number;
  readonly tol?: number;
  /** Seed for the validation split and the binning subsample. sklearn: random_state. */
  readonly randomState?: number;
  /**
   * Threads for histogram building and split finding: "auto" uses two (this thread and one
   * worker) when the data is large enough for it to pay, else one.
   */
  readonly threads?: "auto" | 1 | 2;
}

export interface ResolvedGbdtOptions {
  readonly learningRate: number;
  readonly maxIter: number;
  readonly maxLeafNodes: number | null;
  readonly maxDepth: number | null;
  readonly minSamplesLeaf: number;
  readonly l2Regularization: number;
  readonly maxBins: number;
  readonly binSubsample: number;
  readonly binQuantile: BinQuantileMethod;
  readonly categoricalFeatures: readonly number[];
  readonly earlyStopping: "auto" | boolean;
  readonly validationFraction: number;
  readonly nIterNoChange: number;
  readonly tol: number;
  readonly randomState: number;
  readonly threads: "auto" | 1 | 2;
}

export const GBDT_DEFAULTS: ResolvedGbdtOptions = {
  learningRate: 0.1,
  maxIter: 100,
  maxLeafNodes: 31,
  maxDepth: null,
  minSamplesLeaf: 20,
  l2Regularization: 0,
  maxBins: 255,
  binSubsample: 200_000,
  binQuantile: "midpoint",
  categoricalFeatures: [],
  earlyStopping: "auto",
  validationFraction: 0.1,
  nIterNoChange: 10,
  tol: 1e-7,
  randomState: 0,
  threads: "auto",
};

/** Rows above which earlyStopping "auto" turns early stopping on (sklearn: n_samples > 10_000). */
export const EARLY_STOPPING_AUTO_ROWS = 10_000;

/** details.problem is the message without the key, for callers that name the option their own way (the CLI's flags). */
function bad(key: string, problem: string): ViralityError {
  return new ViralityError("VIR_CONFIG_INVALID", `gbdt option ${key} ${problem}`, { details: { key, problem } });
}

function num(key: string, v: unknown, check: (x: number) => boolean, range: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || !check(v)) throw bad(key, `must be ${range}, got ${String(v)}`);
  return v;
}

function int(key: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  return num(key, v, (x) => Number.isInteger(x) && x >= min && x <= max, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`);
}

function intOrNull(key: string, v: unknown, min: number): number | null {
  return v === null ? null : int(key, v, min);
}

/** Merges options over the defaults, refusing unknown keys and out-of-range values. */
export function resolveGbdtOptions(options: unknown = {}): ResolvedGbdtOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw bad("(options)", "must be an object");
  }
  const known = Object.keys(GBDT_DEFAULTS);
  const given = new Map<string, unknown>();
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) throw bad(key, `is not an option (known: ${known.join(", ")})`);
    if (value !== undefined) given.set(key, value);
  }
  const pick = (key: keyof ResolvedGbdtOptions): unknown => (given.has(key) ? given.get(key) : GBDT_DEFAULTS[key]);

  const categorical = pick("categoricalFeatures");
  if (!Array.isArray(categorical)) throw bad("categoricalFeatures", "must be an array of column indices");
  const categoricalFeatures = categorical.map((c: unknown) => int("categoricalFeatures[]", c, 0));
  if (new Set(categoricalFeatures).size !== categoricalFeatures.length) {
    throw bad("categoricalFeatures", "lists a column twice");
  }
  const binQuantile = pick("binQuantile");
  if (binQuantile !== "midpoint" && binQuantile !== "averaged_inverted_cdf") {
    throw bad("binQuantile", `must be "midpoint" or "averaged_inverted_cdf", got ${String(binQuantile)}`);
  }
  const earlyStopping = pick("earlyStopping");
  if (earlyStopping !== "auto" && typeof earlyStopping !== "boolean") {
    throw bad("earlyStopping", `must be "auto", true or false, got ${String(earlyStopping)}`);
  }
  const threads = pick("threads");
  if (threads !== "auto" && threads !== 1 && threads !== 2) {
    throw bad("threads", `must be "auto", 1 or 2, got ${String(threads)}`);
  }
  return {
    learningRate: num("learningRate", pick("learningRate"), (x) => x > 0, "> 0"),
    maxIter: int("maxIter", pick("maxIter"), 1),
    maxLeafNodes: intOrNull("maxLeafNodes", pick("maxLeafNodes"), 2),
    maxDepth: intOrNull("maxDepth", pick("maxDepth"), 1),
    minSamplesLeaf: int("minSamplesLeaf", pick("minSamplesLeaf"), 1),
    l2Regularization: num("l2Regularization", pick("l2Regularization"), (x) => x >= 0, ">= 0"),
    maxBins: int("maxBins", pick("maxBins"), 2, 255),
    binSubsample: int("binSubsample", pick("binSubsample"), 1),
    binQuantile,
    categoricalFeatures,
    earlyStopping,
    validationFraction: num("validationFraction", pick("validationFraction"), (x) => x > 0 && x < 1, "in (0, 1)"),
    nIterNoChange: int("nIterNoChange", pick("nIterNoChange"), 1),
    tol: num("tol", pick("tol"), (x) => x >= 0, ">= 0"),
    randomState: int("randomState", pick("randomState"), 0, 0xffff_ffff),
    threads,
  };
}
