/** Feature spec and assembly, shared by the trainer and the scorer. See ./README.md. */
export {
  assemble,
  assembleBatch,
  highestStage,
  resolveRecords,
  ridgeVector,
  INPUT_FLAGS,
  type Assembled,
  type FeatureMatrix,
  type IgnoredSnapshot,
  type InputsPresent,
  type MatrixVariant,
  type ResolvedRecords,
} from "./assemble.js";
export { buildSpec, type BuildSpecOptions, type BuiltSpec } from "./build-spec.js";
export {
  DEFAULT_TARGET,
  inferColumns,
  type ColumnPlan,
  type ExcludedColumn,
  type FeatureColumn,
  type FeatureKind,
  type FeatureSource,
  type InferOptions,
} from "./columns.js";
export { parseColumnOverrides, type ColumnOverrides } from "./overrides.js";
export {
  recordsFromTableRow,
  type EngagementSnapshot,
  type ExtraValue,
  type UploadRecord,
  type VideoRecords,
} from "./records.js";
export {
  featureNames,
  featuresOfStage,
  ridgeNames,
  ridgeWidth,
  specFromJSON,
  unknownCode,
  vectorWidth,
  UNKNOWN_CATEGORY,
  type CategoricalFeature,
  type FeatureDef,
  type FeatureSpec,
  type NumericFeature,
} from "./spec.js";
export {
  cutoffsWithGrace,
  judgeSnapshot,
  stageSees,
  DEFAULT_GRACE_MS,
  STAGES,
  WINDOW_MS,
  type EngagementWindow,
  type Stage,
  type StageCutoffs,
} from "./stages.js";
export {
  assembleJoined,
  joinedNumbers,
  joinedUploadTimes,
  recordsOfJoinRow,
  type JoinedMatrixOptions,
} from "./table-features.js";
export { categoryKey, numberOf, timestampMs } from "./values.js";
