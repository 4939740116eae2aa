/** The trainer's evaluation toolkit: metrics, splits and what they held out, conformal intervals, permutation importance. */
export {
  absoluteResiduals,
  calibrationCurve,
  conformalIntervals,
  conformalQuantile,
  conformalRank,
  intervalCoverage,
  minCalibrationRows,
  CALIBRATION_LEVELS,
  DEFAULT_ALPHA,
  type CalibrationPoint,
  type CoverageSummary,
  type Intervals,
} from "./conformal.js";
export { heldOutOf } from "./held-out.js";
export { importanceGroups, type ImportanceGroupName } from "./importance-groups.js";
export {
  permutationImportance,
  IMPORTANCE_DEFAULTS,
  type ColumnGroup,
  type ImportanceEntry,
  type ImportanceScoring,
  type PermutationImportance,
  type PermutationImportanceOptions,
  type Predictor,
} from "./importance.js";
export { checkMatrix, checkTarget, finiteColumnMeans, rowMatrix, takeRows, takeValues, type RowMatrix } from "./matrix.js";
export {
  averageRanks,
  maeFactor,
  meanAbsoluteError,
  meanOf,
  pearson,
  r2Score,
  regressionMetrics,
  rootMeanSquaredError,
  spearman,
  type RegressionMetrics,
} from "./metrics.js";
export {
  assertChronological,
  randomSplit,
  splitSizes,
  timeSplit,
  SPLIT_DEFAULTS,
  type RandomSplitOptions,
  type Split,
  type SplitKind,
  type SplitOptions,
  type SplitSizes,
} from "./splits.js";
