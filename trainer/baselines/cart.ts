/**
 * The CART baseline: one ml-cart regression tree (maxDepth 6) on a seeded sample of at most 2,000
 * train rows and the 64 columns most correlated with the target (see cart-tree.ts for why and the
 * measured cost). Missing values are replaced by the sample's column means, at fit and predict time.
 */
import { Worker } from "node:worker_threads";
import { ViralityError } from "../../src/errors.js";
import { checkMatrix, type RowMatrix } from "../eval/matrix.js";
import { denseRows, trainTree, treeInputs, type TreeInputs } from "./cart-tree.js";
import type { CartJob, CartReply } from "./cart-worker.js";
import type { Baseline } from "./types.js";

export interface CartOptions {
  /** default 0 */
  readonly seed?: number;
  /** default 2,000 */
  readonly maxRows?: number;
  /** default 64 */
  readonly maxColumns?: number;
  /** default 6 */
  readonly maxDepth?: number;
  /** A node with at most this many rows is not split; default 10. */
  readonly minNumSamples?: number;
}

export const CART_DEFAULTS = { seed: 0, maxRows: 2000, maxColumns: 64, maxDepth: 6, minNumSamples: 10 } as const;

export interface CartBaseline extends Baseline {
  readonly kind: "cart";
  /** Train rows the tree was fitted on. */
  readonly rows: number;
  /** Columns the tree may split on (indices of the fitted matrix). */
  readonly columns: readonly number[];
}

/** What fitCart and cartOffThread share: the checked settings, the tree's inputs and the report name. */
function cartSetup(x: RowMatrix, y: Float64Array, options: CartOptions) {
  const settings = { ...CART_DEFAULTS, ...options };
  checkTreeSettings(settings);
  const inputs = treeInputs(x, y, settings);
  return { settings, inputs, name: `CART (depth ${settings.maxDepth}, ${inputs.rows.length} rows)` };
}

/** Rows to predict, as the tree reads them (kept columns, imputed); refuses a matrix of other columns. */
function rowsToPredict(rows: RowMatrix, width: number, inputs: TreeInputs): number[][] {
  checkMatrix(rows);
  if (rows.width !== width) {
    throw new ViralityError("VIR_TRAIN_INVALID", `CART was fitted on ${width} columns, got ${rows.width}`);
  }
  return rows.rows === 0 ? [] : denseRows(rows, inputs.columns, inputs.fill);
}

export function fitCart(x: RowMatrix, y: Float64Array, options: CartOptions = {}): CartBaseline {
  const { settings, inputs, name } = cartSetup(x, y, options);
  const tree = trainTree(inputs, settings.maxDepth, settings.minNumSamples);
  return {
    kind: "cart",
    name,
    rows: inputs.rows.length,
    columns: inputs.columns,
    predict: (rows: RowMatrix) => {
      const dense = rowsToPredict(rows, x.width, inputs);
      return dense.length === 0 ? new Float64Array(0) : Float64Array.from(tree.predict(dense));
    },
  };
}

export function checkTreeSettings(settings: {
  readonly seed: number;
  readonly maxRows: number;
  readonly maxColumns: number;
  readonly maxDepth: number;
  readonly minNumSamples: number;
}): void {
  for (const [key, value, min] of [
    ["seed", settings.seed, Number.MIN_SAFE_INTEGER],
    ["maxRows", settings.maxRows, 1],
    ["maxColumns", settings.maxColumns, 1],
    ["maxDepth", settings.maxDepth, 0],
    ["minNumSamples", settings.minNumSamples, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min) {
      throw new ViralityError("VIR_CONFIG_INVALID", `tree option ${key} must be an integer ≥ ${min}, got ${value}`, {
        details: { key },
      });
    }
  }
}

/** The CART baseline's predictions of the test rows, computed on a worker thread (cart-worker.ts). */
export interface CartOffThread {
  readonly name: string;
  readonly kind: "cart";
  /** The same predictions as fitCart(train, y, options).predict(test). */
  readonly predictions: Promise<Float64Array>;
}

function isReply(value: unknown): value is CartReply {
  if (typeof value !== "object" || value === null || !("ok" in value)) return false;
  return value.ok === true ? "predictions" in value && value.predictions instanceof Float64Array : "error" in value && typeof value.error === "string";
}

/**
 * fitCart and its predictions of `test`, on a worker thread: the sample, the column screen and the
 * imputation are made here (cheap), the tree on the worker (ml-cart takes seconds), so the caller's
 * thread does other work meanwhile. A run whose predictions are never awaited ends by itself.
 */
export function cartOffThread(x: RowMatrix, y: Float64Array, test: RowMatrix, options: CartOptions = {}): CartOffThread {
  const { settings, inputs, name } = cartSetup(x, y, options);
  const job: CartJob = {
    x: inputs.x,
    y: inputs.y,
    test: rowsToPredict(test, x.width, inputs),
    maxDepth: settings.maxDepth,
    minNumSamples: settings.minNumSamples,
  };
  const worker = new Worker(new URL("./cart-worker.js", import.meta.url), { workerData: job });
  let settled = false;
  const predictions = new Promise<Float64Array>((resolve, reject) => {
    worker.once("message", (reply: unknown) => {
      settled = true;
      if (!isReply(reply)) reject(new Error("the CART worker answered something else than predictions"));
      else if (reply.ok) resolve(reply.predictions);
      else reject(new Error(`the CART baseline failed on its worker thread: ${reply.error}`));
    });
    worker.once("error", (error) => {
      settled = true;
      reject(error);
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new Error(`the CART worker exited (code ${code}) before answering`));
    });
  });
  // a run nobody awaits (the stage failed meanwhile) must not leave an unhandled rejection behind
  predictions.catch(() => undefined);
  return { name, kind: "cart", predictions };
}
