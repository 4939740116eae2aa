/**
 * Histogram gradient-boosted trees, semantically equal to scikit-learn's
 * HistGradientBoostingRegressor(loss="squared_error"). See boosting.ts for the loop, grower.ts for
 * tree growth, splitter.ts for split finding, binning.ts for binning.
 *
 *   const fit = await fitGbdt(X, y, { learningRate: 0.05 }, { baseMargin });
 *   const yHat = predictTrees(fit.model, X, baseMargin);   // from src/model/trees.ts
 */
import type { FeatureMatrix, TreeEnsemble } from "../../src/model/trees.js";
import { predictTrees, predictTreesRow } from "../../src/model/trees.js";
import type { GbdtFit, GbdtFitInput } from "./boosting.js";
import { fitGbdt } from "./boosting.js";
import type { GbdtOptions } from "./options.js";

export { fitGbdt, shouldStop } from "./boosting.js";
export type { GbdtFit, GbdtFitInput } from "./boosting.js";
export { GBDT_DEFAULTS, resolveGbdtOptions } from "./options.js";
export type { GbdtOptions, ResolvedGbdtOptions } from "./options.js";
export type { BinMapper, BinQuantileMethod } from "./binning.js";

/** sklearn-shaped wrapper: new GbdtRegressor(options).fit(X, y, { baseMargin }) then predict(X, baseMargin). */
export class GbdtRegressor {
  private fitted: GbdtFit | null = null;

  constructor(readonly options: GbdtOptions = {}) {}

  async fit(x: FeatureMatrix, y: ArrayLike<number>, input: GbdtFitInput = {}): Promise<this> {
    this.fitted = await fitGbdt(x, y, this.options, input);
    return this;
  }

  /** The fit's details (iterations, scores, bin mapper). Throws before fit. */
  get result(): GbdtFit {
    if (this.fitted === null) throw new Error("GbdtRegressor: call fit() first");
    return this.fitted;
  }

  get model(): TreeEnsemble {
    return this.result.model;
  }

  predict(x: FeatureMatrix, baseMargin?: ArrayLike<number>): Float64Array {
    return predictTrees(this.model, x, baseMargin);
  }

  predictRow(row: ArrayLike<number>, baseMargin = 0): number {
    return predictTreesRow(this.model, row, baseMargin);
  }
}
