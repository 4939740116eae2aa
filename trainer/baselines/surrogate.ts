/**
 * A surrogate tree: a small ml-cart regression tree (depth ≤ 4) fitted to a model's predictions on a
 * sample of rows, rendered as readable rules, one per leaf:
 *
 *   if views_1h < 1,234 and 0.12 ≤ emb_17 < 0.5 → 10.3 (n=412)
 *
 * ml-cart sends a row left when value < threshold, so conditions read "<" and "≥"; several
 * conditions on one column are merged into one range. Missing values count as the sample's column
 * mean (as when fitting). Fidelity is the R² of the surrogate against the model's predictions on the
 * sample: how much of the model's behaviour the rules explain.
 */
import type { RegressionTreeNode } from "ml-cart";
import { ViralityError } from "../../src/errors.js";
import type { RowMatrix } from "../eval/matrix.js";
import { r2Score } from "../eval/metrics.js";
import { checkTreeSettings } from "./cart.js";
import { leafOf, splitOf, trainTree, treeInputs } from "./cart-tree.js";
import { formatNumber } from "../../src/report/format.js";

export const SURROGATE_MAX_DEPTH = 4;

export interface SurrogateOptions {
  /** Column names, one per column of the matrix. */
  readonly names: readonly string[];
  /** 1..4; default 3 (at most 8 rules). */
  readonly maxDepth?: number;
  /** default 0 */
  readonly seed?: number;
  /** default 1,000 */
  readonly maxRows?: number;
  /** Columns the tree may split on, the most correlated with the predictions; default 64. */
  readonly maxColumns?: number;
  /** A node with at most this many sample rows is not split; default 40. */
  readonly minNumSamples?: number;
}

export const SURROGATE_DEFAULTS = { maxDepth: 3, seed: 0, maxRows: 1000, maxColumns: 64, minNumSamples: 40 } as const;

export interface RuleCondition {
  readonly feature: string;
  /** Inclusive lower bound (value ≥ lower), null when unbounded. */
  readonly lower: number | null;
  /** Exclusive upper bound (value < upper), null when unbounded. */
  readonly upper: number | null;
}

export interface SurrogateRule {
  readonly conditions: readonly RuleCondition[];
  /** The leaf's prediction: the mean model prediction of its sample rows. */
  readonly value: number;
  /** Sample rows in the leaf. */
  readonly n: number;
  readonly text: string;
}

export interface SurrogateTree {
  readonly maxDepth: number;
  readonly rows: number;
  /** R² of the surrogate against the model's predictions on the sample. */
  readonly fidelityR2: number;
  readonly rules: readonly SurrogateRule[];
}

export function fitSurrogate(x: RowMatrix, predictions: Float64Array, options: SurrogateOptions): SurrogateTree {
  const settings = { ...SURROGATE_DEFAULTS, ...options };
  checkTreeSettings(settings);
  if (settings.maxDepth < 1 || settings.maxDepth > SURROGATE_MAX_DEPTH) {
    throw new ViralityError(
      "VIR_CONFIG_INVALID",
      `surrogate maxDepth must be 1..${SURROGATE_MAX_DEPTH}, got ${settings.maxDepth}`,
      { details: { key: "maxDepth" } },
    );
  }
  if (options.names.length !== x.width) {
    throw new ViralityError("VIR_CONFIG_INVALID", `surrogate got ${options.names.length} names for ${x.width} columns`);
  }
  const inputs = treeInputs(x, predictions, settings);
  const root = trainTree(inputs, settings.maxDepth, settings.minNumSamples).toJSON().root;

  const counts = new Map<RegressionTreeNode, number>();
  const fitted = new Float64Array(inputs.y.length);
  inputs.x.forEach((row, i) => {
    const leaf = leafOf(root, row);
    counts.set(leaf, (counts.get(leaf) ?? 0) + 1);
    fitted[i] = leaf.distribution ?? Number.NaN;
  });
  const names = inputs.columns.map((c) => options.names[c]);
  const rules: SurrogateRule[] = [];
  const walk = (node: RegressionTreeNode, path: readonly PathStep[]): void => {
    const split = splitOf(node);
    if (split === null) {
      const conditions = mergeConditions(path, names);
      const value = node.distribution ?? Number.NaN;
      const n = counts.get(node) ?? 0;
      rules.push({ conditions, value, n, text: ruleText(conditions, value, n) });
      return;
    }
    walk(split.left, [...path, { column: split.column, threshold: split.threshold, side: "below" }]);
    walk(split.right, [...path, { column: split.column, threshold: split.threshold, side: "at-or-above" }]);
  };
  walk(root, []);
  return {
    maxDepth: settings.maxDepth,
    rows: inputs.rows.length,
    fidelityR2: r2Score(Float64Array.from(inputs.y), fitted),
    rules,
  };
}

interface PathStep {
  readonly column: number;
  readonly threshold: number;
  readonly side: "below" | "at-or-above";
}

function mergeConditions(path: readonly PathStep[], names: readonly string[]): RuleCondition[] {
  const bounds = new Map<number, { lower: number | null; upper: number | null }>();
  for (const step of path) {
    const bound = bounds.get(step.column) ?? { lower: null, upper: null };
    if (step.side === "below") bound.upper = bound.upper === null ? step.threshold : Math.min(bound.upper, step.threshold);
    else bound.lower = bound.lower === null ? step.threshold : Math.max(bound.lower, step.threshold);
    bounds.set(step.column, bound);
  }
  return [...bounds].map(([column, bound]) => ({ feature: names[column], ...bound }));
}

export function ruleText(conditions: readonly RuleCondition[], value: number, n: number): string {
  const parts = conditions.map(({ feature, lower, upper }) => {
    if (lower !== null && upper !== null) return `${formatNumber(lower)} ≤ ${feature} < ${formatNumber(upper)}`;
    if (lower !== null) return `${feature} ≥ ${formatNumber(lower)}`;
    return `${feature} < ${formatNumber(upper ?? Number.NaN)}`;
  });
  const head = parts.length === 0 ? "always" : `if ${parts.join(" and ")}`;
  return `${head} → ${formatNumber(value)} (n=${n})`;
}
