/**
 * The CART baseline: one ml-cart regression tree (maxDepth 6) on a seeded sample of at most 2,000
 * train rows and the 64 columns most correlated with the target (see cart-tree.ts for why and the
 * measured cost). Missing values are replaced by the sample's column means, at fit and predict time.
 */
import { ViralityError } from "../../src/errors.js";
import { checkMatrix, type RowMatrix } from "../eval/matrix.js";
import { denseRows, trainTree, treeInputs } from "./cart-tree.js";
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

export function fitCart(x: RowMatrix, y: Float64Array, options: CartOptions = {}): CartBaseline {
  const settings = { ...CART_DEFAULTS, ...options };
  checkTreeSettings(settings);
  const inputs = treeInputs(x, y, settings);
  const tree = trainTree(inputs, settings.maxDepth, settings.minNumSamples);
  const width = x.width;
  return {
    kind: "cart",
    name: `CART (depth ${settings.maxDepth}, ${inputs.rows.length} rows)`,
    rows: inputs.rows.length,
    columns: inputs.columns,
    predict: (rows: RowMatrix) => {
      checkMatrix(rows);
      if (rows.width !== width) {
        throw new ViralityError("VIR_TRAIN_INVALID", `CART was fitted on ${width} columns, got ${rows.width}`);
      }
      if (rows.rows === 0) return new Float64Array(0);
      return Float64Array.from(tree.predict(denseRows(rows, inputs.columns, inputs.fill)));
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
