/** The baselines of every stage report and the surrogate tree. See each module. */
export { fitCart, CART_DEFAULTS, type CartBaseline, type CartOptions } from "./cart.js";
export { fitMean, meanBaseline, type MeanBaseline } from "./mean.js";
export { fitRidge, solveCholesky, RIDGE_DEFAULTS, type RidgeBaseline, type RidgeOptions } from "./ridge.js";
export {
  fitSurrogate,
  ruleText,
  SURROGATE_DEFAULTS,
  SURROGATE_MAX_DEPTH,
  type RuleCondition,
  type SurrogateOptions,
  type SurrogateRule,
  type SurrogateTree,
} from "./surrogate.js";
export {
  fitSzaboHuberman,
  type SzaboHubermanBaseline,
  type SzaboHubermanOptions,
} from "./szabo-huberman.js";
export type { Baseline, BaselineKind } from "./types.js";
