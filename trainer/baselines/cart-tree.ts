/**
 * What the CART baseline and the surrogate tree share around ml-cart: a seeded row sample, mean
 * imputation (ml-cart cannot route NaN), a correlation screen of the columns, and the conversion to
 * the number[][] ml-cart trains on.
 *
 * Why the limits: ml-cart tries every split point of every column with a fresh O(n) pass, so a tree
 * costs about p·n² operations. Measured on this machine (2 shared cores, depth 6, minNumSamples 10):
 * 1,000 × 16 in 0.3 s, 2,000 × 32 in 1.9 s, 2,000 × 64 in 3.8 s, 2,000 × 128 in 6.9 s. Hence at most
 * 2,000 rows and 64 columns for the baseline. The columns kept are the ones with the largest
 * |Pearson correlation| with the target on the sample, not the first ones: in the stage vectors the
 * first columns are all embedding dimensions, and the engagement columns come last.
 *
 * ml-cart quirks worth knowing: a node is split only while the split leaves some squared error
 * (a split that separates the targets perfectly is refused, so exactly piecewise-constant targets
 * stop one level early), and a node with at most minNumSamples rows is a leaf.
 */
import { DecisionTreeRegression, type RegressionTreeNode } from "ml-cart";
import { ViralityError } from "../../src/errors.js";
import { Rng } from "../gbdt/rng.js";
import { checkMatrix, finiteColumnMeans, takeRows, takeValues, type RowMatrix } from "../eval/matrix.js";
import { pearson } from "../eval/metrics.js";

export interface TreeSampleOptions {
  readonly seed: number;
  readonly maxRows: number;
  readonly maxColumns: number;
}

export interface TreeInputs {
  /** The sampled rows (indices into the fitted matrix), increasing. */
  readonly rows: Uint32Array;
  /** The kept columns (indices into the fitted matrix), increasing. */
  readonly columns: readonly number[];
  /** Per kept column, the sample mean that replaces a missing value. */
  readonly fill: Float64Array;
  /** The sample, kept columns only, imputed. */
  readonly x: number[][];
  readonly y: number[];
}

export function treeInputs(x: RowMatrix, y: Float64Array, options: TreeSampleOptions): TreeInputs {
  checkMatrix(x, y);
  if (x.rows === 0) throw new ViralityError("VIR_TRAIN_INVALID", "a tree needs at least one train row");
  const rows =
    x.rows > options.maxRows
      ? new Rng(options.seed).sampleWithoutReplacement(x.rows, options.maxRows)
      : Uint32Array.from({ length: x.rows }, (_, i) => i);
  const sample = takeRows(x, rows);
  const target = takeValues(y, rows);
  const allFill = finiteColumnMeans(sample);
  const columns = screenColumns(sample, target, allFill, options.maxColumns);
  const fill = Float64Array.from(columns, (c) => allFill[c]);
  return { rows, columns, fill, x: denseRows(sample, columns, fill), y: Array.from(target) };
}

/** Rows of the kept columns as number[][], missing values replaced by fill. */
export function denseRows(x: RowMatrix, columns: readonly number[], fill: Float64Array): number[][] {
  const out: number[][] = new Array<number[]>(x.rows);
  for (let r = 0; r < x.rows; r++) {
    const base = r * x.width;
    out[r] = columns.map((c, k) => {
      const v = x.data[base + c];
      return Number.isFinite(v) ? v : fill[k];
    });
  }
  return out;
}

export function trainTree(inputs: Pick<TreeInputs, "x" | "y">, maxDepth: number, minNumSamples: number): DecisionTreeRegression {
  const tree = new DecisionTreeRegression({ maxDepth, minNumSamples });
  tree.train(inputs.x, inputs.y);
  return tree;
}

/** A node with two children, narrowed. */
export interface SplitNode {
  readonly column: number;
  readonly threshold: number;
  readonly left: RegressionTreeNode;
  readonly right: RegressionTreeNode;
}

export function splitOf(node: RegressionTreeNode): SplitNode | null {
  const { left, right, splitColumn, splitValue } = node;
  if (left === undefined || right === undefined || splitColumn === undefined || splitValue === undefined) return null;
  return { column: splitColumn, threshold: splitValue, left, right };
}

/** The leaf a row (kept columns, imputed) lands in; ml-cart's own rule: left when value < threshold. */
export function leafOf(root: RegressionTreeNode, row: readonly number[]): RegressionTreeNode {
  let node = root;
  for (let split = splitOf(node); split !== null; split = splitOf(node)) {
    node = row[split.column] < split.threshold ? split.left : split.right;
  }
  return node;
}

/** The maxColumns columns most correlated (in absolute value) with y, in column order; all when fewer. */
function screenColumns(x: RowMatrix, y: Float64Array, fill: Float64Array, maxColumns: number): number[] {
  const all = Array.from({ length: x.width }, (_, c) => c);
  if (x.width <= maxColumns) return all;
  const column = new Float64Array(x.rows);
  const strength = all.map((c) => {
    for (let r = 0; r < x.rows; r++) {
      const v = x.data[r * x.width + c];
      column[r] = Number.isFinite(v) ? v : fill[c];
    }
    const rho = pearson(column, y);
    return Number.isNaN(rho) ? 0 : Math.abs(rho);
  });
  return all
    .sort((a, b) => strength[b] - strength[a] || a - b)
    .slice(0, maxColumns)
    .sort((a, b) => a - b);
}
