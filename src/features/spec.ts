/**
 * The feature spec: everything needed to turn a video's records into the feature vector of a stage,
 * frozen and JSON-serializable, stored in the model bundle. Built from training data by buildSpec;
 * read back (and validated) by specFromJSON.
 *
 * Vector layout for stage s: emb_0 … emb_{d-1}, then every feature whose stage ≤ s, in spec order.
 * Features are ordered by stage, so the upload vector is a prefix of the 1h vector, which is a
 * prefix of the 6h vector.
 */
import { ViralityError } from "../errors.js";
import { jsonGuards } from "../json-guards.js";
import {
  SNAPSHOT_METRICS,
  UPLOAD_FIELDS,
  type FeatureKind,
  type FeatureSource,
  type TimePart,
} from "./columns.js";
import { isStage, isWindow, stageSees, type Stage, type StageCutoffs } from "./stages.js";

export const SPEC_TYPE = "virality.feature-spec";
export const SPEC_VERSION = 1;

/** How the ridge variant reshapes a numeric feature before scaling. */
export type RidgeTransform = "identity" | "signed-log1p";

export interface Scale {
  readonly mean: number;
  readonly std: number;
}

interface FeatureBase {
  readonly name: string;
  readonly stage: Stage;
  readonly source: FeatureSource;
}

export interface NumericFeature extends FeatureBase {
  readonly kind: "numeric";
  /** The training median: replaces a missing value in the ridge variant. */
  readonly impute: number;
  readonly transform: RidgeTransform;
  /** Mean/std of the imputed, transformed training values (null when scaling is off). */
  readonly scale: Scale | null;
}

export interface CategoricalFeature extends FeatureBase {
  readonly kind: "categorical";
  /** Code i is categories[i]; any other category (rare or unseen) is code categories.length. */
  readonly categories: readonly string[];
}

export type FeatureDef = NumericFeature | CategoricalFeature;

export interface EmbeddingScale {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export interface ExcludedColumnNote {
  readonly column: string;
  readonly reason: string;
}

export interface FeatureSpec {
  readonly type: typeof SPEC_TYPE;
  readonly version: typeof SPEC_VERSION;
  readonly embeddingDim: number;
  readonly cutoffsMs: StageCutoffs;
  readonly features: readonly FeatureDef[];
  readonly embeddingScale: EmbeddingScale | null;
  /** Table columns that are not features and why (for the report). */
  readonly excluded: readonly ExcludedColumnNote[];
}

export const UNKNOWN_CATEGORY = "<unknown>";

export function unknownCode(feature: CategoricalFeature): number {
  return feature.categories.length;
}

export function featuresOfStage(spec: FeatureSpec, stage: Stage): readonly FeatureDef[] {
  return spec.features.filter((feature) => stageSees(stage, feature.stage));
}

export function embeddingNames(dim: number): string[] {
  return Array.from({ length: dim }, (_, i) => `emb_${i}`);
}

/** Column names of the raw vector of a stage (the GBDT matrix). */
export function featureNames(spec: FeatureSpec, stage: Stage): string[] {
  return [...embeddingNames(spec.embeddingDim), ...featuresOfStage(spec, stage).map((feature) => feature.name)];
}

export function vectorWidth(spec: FeatureSpec, stage: Stage): number {
  return spec.embeddingDim + featuresOfStage(spec, stage).length;
}

/** Column names of the ridge vector of a stage: categoricals one-hot, "name=category". */
export function ridgeNames(spec: FeatureSpec, stage: Stage): string[] {
  const names = embeddingNames(spec.embeddingDim);
  for (const feature of featuresOfStage(spec, stage)) {
    if (feature.kind === "numeric") names.push(feature.name);
    else for (const category of [...feature.categories, UNKNOWN_CATEGORY]) names.push(`${feature.name}=${category}`);
  }
  return names;
}

export function ridgeWidth(spec: FeatureSpec, stage: Stage): number {
  let width = spec.embeddingDim;
  for (const feature of featuresOfStage(spec, stage)) {
    width += feature.kind === "numeric" ? 1 : feature.categories.length + 1;
  }
  return width;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// specFromJSON: validation of a stored spec. Every failure names the field.

function fail(field: string, problem: string): ViralityError {
  return new ViralityError(
    "VIR_MODEL_INVALID",
    `feature spec: ${field} ${problem}; the bundle is damaged or from another version — retrain or use a matching build.`,
    { details: { field } },
  );
}

const { objectAt, arrayAt, finiteAt, stringAt, positiveAt } = jsonGuards(fail);

function scaleAt(value: unknown, field: string): Scale | null {
  if (value === null) return null;
  const json = objectAt(value, field);
  return { mean: finiteAt(json.mean, `${field}.mean`), std: positiveAt(json.std, `${field}.std`) };
}

function sourceAt(value: unknown, field: string): FeatureSource {
  const json = objectAt(value, field);
  switch (json.from) {
    case "upload": {
      const name = json.field;
      const uploadField = UPLOAD_FIELDS.find((known) => known === name);
      if (uploadField === undefined) throw fail(`${field}.field`, `must be one of ${UPLOAD_FIELDS.join(", ")}`);
      return { from: "upload", field: uploadField };
    }
    case "upload-time": {
      const part: TimePart | undefined = json.part === "hour" ? "hour" : json.part === "dow" ? "dow" : undefined;
      if (part === undefined) throw fail(`${field}.part`, 'must be "hour" or "dow"');
      return { from: "upload-time", part };
    }
    case "extra":
      return { from: "extra", key: stringAt(json.key, `${field}.key`) };
    case "engagement": {
      const window = json.window;
      if (!isWindow(window)) throw fail(`${field}.window`, 'must be "1h" or "6h"');
      return { from: "engagement", window, metric: stringAt(json.metric, `${field}.metric`) };
    }
    default:
      throw fail(`${field}.from`, 'must be "upload", "upload-time", "extra" or "engagement"');
  }
}

function featureAt(value: unknown, field: string): FeatureDef {
  const json = objectAt(value, field);
  const name = stringAt(json.name, `${field}.name`);
  const stage = json.stage;
  if (!isStage(stage)) throw fail(`${field}.stage`, 'must be "upload", "1h" or "6h"');
  const source = sourceAt(json.source, `${field}.source`);
  const kind: FeatureKind | undefined =
    json.kind === "numeric" ? "numeric" : json.kind === "categorical" ? "categorical" : undefined;
  if (kind === "numeric") {
    const transform: RidgeTransform | undefined =
      json.transform === "identity" ? "identity" : json.transform === "signed-log1p" ? "signed-log1p" : undefined;
    if (transform === undefined) throw fail(`${field}.transform`, 'must be "identity" or "signed-log1p"');
    return {
      kind,
      name,
      stage,
      source,
      impute: finiteAt(json.impute, `${field}.impute`),
      transform,
      scale: scaleAt(json.scale, `${field}.scale`),
    };
  }
  if (kind === "categorical") {
    const categories = arrayAt(json.categories, `${field}.categories`).map((item, i) =>
      stringAt(item, `${field}.categories[${i}]`),
    );
    if (new Set(categories).size !== categories.length) throw fail(`${field}.categories`, "must not repeat a category");
    return { kind, name, stage, source, categories };
  }
  throw fail(`${field}.kind`, 'must be "numeric" or "categorical"');
}

export function specFromJSON(value: unknown): FeatureSpec {
  const json = objectAt(value, "spec");
  if (json.type !== SPEC_TYPE) throw fail("spec.type", `must be "${SPEC_TYPE}"`);
  if (json.version !== SPEC_VERSION) throw fail("spec.version", `is ${JSON.stringify(json.version)}; this build reads ${SPEC_VERSION}`);
  const embeddingDim = finiteAt(json.embeddingDim, "spec.embeddingDim");
  if (!Number.isInteger(embeddingDim) || embeddingDim < 0) throw fail("spec.embeddingDim", "must be an integer ≥ 0");
  const cutoffs = objectAt(json.cutoffsMs, "spec.cutoffsMs");
  const cutoffsMs: StageCutoffs = {
    "1h": positiveAt(cutoffs["1h"], "spec.cutoffsMs.1h"),
    "6h": positiveAt(cutoffs["6h"], "spec.cutoffsMs.6h"),
  };
  if (cutoffsMs["1h"] >= cutoffsMs["6h"]) throw fail("spec.cutoffsMs", "must have the 1h cutoff before the 6h cutoff");
  const features = arrayAt(json.features, "spec.features").map((item, i) => featureAt(item, `spec.features[${i}]`));
  const names = new Set<string>(embeddingNames(embeddingDim));
  features.forEach((feature, i) => {
    if (names.has(feature.name)) throw fail(`spec.features[${i}].name`, `repeats the name "${feature.name}"`);
    names.add(feature.name);
    const previous = features[i - 1];
    if (previous !== undefined && !stageSees(feature.stage, previous.stage)) {
      throw fail(`spec.features[${i}].stage`, "must not come before an earlier feature's stage (features are ordered by stage)");
    }
    if (feature.source.from === "engagement" && !stageSees(feature.stage, feature.source.window)) {
      throw fail(`spec.features[${i}].stage`, `is earlier than its ${feature.source.window} snapshot (a leak)`);
    }
  });
  let embeddingScale: EmbeddingScale | null = null;
  if (json.embeddingScale !== null) {
    const scale = objectAt(json.embeddingScale, "spec.embeddingScale");
    const mean = arrayAt(scale.mean, "spec.embeddingScale.mean").map((v, i) => finiteAt(v, `spec.embeddingScale.mean[${i}]`));
    const std = arrayAt(scale.std, "spec.embeddingScale.std").map((v, i) => positiveAt(v, `spec.embeddingScale.std[${i}]`));
    if (mean.length !== embeddingDim || std.length !== embeddingDim) {
      throw fail("spec.embeddingScale", `must hold ${embeddingDim} means and stds`);
    }
    embeddingScale = { mean, std };
  }
  const excluded = arrayAt(json.excluded, "spec.excluded").map((item, i) => {
    const note = objectAt(item, `spec.excluded[${i}]`);
    return { column: stringAt(note.column, `spec.excluded[${i}].column`), reason: stringAt(note.reason, `spec.excluded[${i}].reason`) };
  });
  return deepFreeze({ type: SPEC_TYPE, version: SPEC_VERSION, embeddingDim, cutoffsMs, features, embeddingScale, excluded });
}

/** Whether a metric has its own snapshot field (else it lives in the snapshot's extras). */
export function isSnapshotMetric(metric: string): metric is (typeof SNAPSHOT_METRICS)[number] {
  return SNAPSHOT_METRICS.some((known) => known === metric);
}
