/**
 * The model bundle: the one format the trainer writes and the scorer reads. A type tag, a format
 * version, the feature spec, the target and its transform, one model per stage (trees, the base
 * margin they learned on top of, conformal quantile), per-channel median views for alert rules,
 * summary metrics, a fingerprint of the training data and, in bundles written since it was added,
 * which videos the model did not see (so a backtest can evaluate on those alone). `bundleFromJSON`
 * validates everything and refuses what it does not understand, naming the field.
 */
import { createHash } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { ViralityError } from "../errors.js";
import { jsonGuards } from "../json-guards.js";
import { featureNames, featuresOfStage, specFromJSON, type FeatureSpec } from "../features/spec.js";
import { STAGES, isStage, type EngagementWindow, type Stage } from "../features/stages.js";
import { treesFromJSON, treesToJSON, type TreeEnsemble } from "./trees.js";

export const BUNDLE_TYPE = "virality.model-bundle";
/** The format this build writes: 2 added `heldOut`. */
export const BUNDLE_FORMAT_VERSION = 2;
/** The formats this build reads: 1 (no heldOut) and 2. */
export type BundleFormat = 1 | 2;

export type TargetTransform = "log1p" | "none";

export interface TargetSpec {
  /** The label column, e.g. views_7d. */
  readonly column: string;
  readonly transform: TargetTransform;
}

/**
 * What the trees add to. "mean": nothing but their own baseline. "szabo-huberman": the trees learn
 * the residual over ln(1 + views_t) + r, the Szabo–Huberman prediction from the window's views
 * (falling back to `fallback` when views_t is missing).
 */
export type BaseMargin =
  | { readonly kind: "none" }
  | { readonly kind: "szabo-huberman"; readonly window: EngagementWindow; readonly r: number; readonly fallback: number };

export interface StageMetrics {
  readonly nTrain: number;
  readonly nTest: number;
  readonly mae: number;
  readonly r2: number;
  readonly spearman: number;
  readonly baselineMae: number;
  readonly baselineName: string;
  readonly coverage: number;
}

export interface StageModel {
  readonly stage: Stage;
  readonly trees: TreeEnsemble;
  readonly baseMargin: BaseMargin;
  /** Split-conformal half-width in target space, and its nominal coverage. */
  readonly conformal: { readonly level: number; readonly quantile: number; readonly nCalibration: number };
  readonly metrics: StageMetrics | null;
}

/**
 * The videos the model never saw in training or calibration.
 *  - "uploadedFrom": every video uploaded at or after `at` (epoch ms). A time split writes it: every
 *    train and calibration row is strictly older. `rows` of the training table's test rows are among
 *    them (fewer than the test set when some test rows tie in upload time with a training row).
 *  - "videos": exactly these ids, sorted, without repeats (a random split, or a time split without a
 *    clean time boundary).
 */
export type HeldOut =
  | { readonly kind: "uploadedFrom"; readonly at: number; readonly rows: number }
  | { readonly kind: "videos"; readonly ids: readonly string[] };

export interface ModelBundle {
  readonly type: typeof BUNDLE_TYPE;
  readonly formatVersion: BundleFormat;
  /** Content hash: the same bundle content always has the same version. */
  readonly version: string;
  readonly createdAt: string;
  readonly target: TargetSpec;
  readonly spec: FeatureSpec;
  readonly stages: Readonly<Partial<Record<Stage, StageModel>>>;
  /** Median realized views per channel in the training data (alert rule "N × channel median"). */
  readonly channelMedians: Readonly<Record<string, number>>;
  readonly fingerprint: { readonly rows: number; readonly sha256: string };
  /** Absent in bundles written before it was recorded: then nobody knows which videos are unseen. */
  readonly heldOut?: HeldOut;
}

export type UnversionedBundle = Omit<ModelBundle, "version">;

// ------------------------------------------------------------------------------------------ encode

function stageToJSON(model: StageModel): Record<string, unknown> {
  return {
    stage: model.stage,
    trees: treesToJSON(model.trees),
    baseMargin: model.baseMargin,
    conformal: model.conformal,
    metrics: model.metrics,
  };
}

function contentOf(bundle: UnversionedBundle): Record<string, unknown> {
  const stages: Record<string, unknown> = {};
  for (const stage of STAGES) {
    const model = bundle.stages[stage];
    if (model !== undefined) stages[stage] = stageToJSON(model);
  }
  return {
    type: bundle.type,
    formatVersion: bundle.formatVersion,
    createdAt: bundle.createdAt,
    target: bundle.target,
    spec: bundle.spec,
    stages,
    channelMedians: bundle.channelMedians,
    fingerprint: bundle.fingerprint,
    // left out when absent, so a bundle written before heldOut existed keeps its version
    ...(bundle.heldOut === undefined ? {} : { heldOut: bundle.heldOut }),
  };
}

/** JSON with object keys sorted at every level: the same content always gives the same text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Gives the bundle its content-hash version. */
export function sealBundle(bundle: UnversionedBundle): ModelBundle {
  const hash = createHash("sha256").update(canonicalJson(contentOf(bundle))).digest("hex");
  return { ...bundle, version: `m-${hash.slice(0, 12)}` };
}

export function bundleToJSON(bundle: ModelBundle): Record<string, unknown> {
  return { ...contentOf(bundle), version: bundle.version };
}

export function serializeBundle(bundle: ModelBundle): string {
  return JSON.stringify(bundleToJSON(bundle));
}

// ------------------------------------------------------------------------------------------ decode

function fail(field: string, problem: string): ViralityError {
  return new ViralityError("VIR_MODEL_INVALID", `model bundle: ${field} ${problem}`, { details: { field } });
}

const { objectAt, arrayAt, finiteAt, stringAt } = jsonGuards(fail);

function baseMarginAt(value: unknown, field: string): BaseMargin {
  const json = objectAt(value, field);
  if (json["kind"] === "none") return { kind: "none" };
  if (json["kind"] === "szabo-huberman") {
    const window = json["window"];
    if (window !== "1h" && window !== "6h") throw fail(`${field}.window`, 'must be "1h" or "6h"');
    return { kind: "szabo-huberman", window, r: finiteAt(json["r"], `${field}.r`), fallback: finiteAt(json["fallback"], `${field}.fallback`) };
  }
  throw fail(`${field}.kind`, 'must be "none" or "szabo-huberman"');
}

function heldOutAt(value: unknown, field: string): HeldOut {
  const json = objectAt(value, field);
  if (json["kind"] === "uploadedFrom") {
    const rows = finiteAt(json["rows"], `${field}.rows`);
    if (!Number.isInteger(rows) || rows < 0) throw fail(`${field}.rows`, "must be a whole number ≥ 0");
    return { kind: "uploadedFrom", at: finiteAt(json["at"], `${field}.at`), rows };
  }
  if (json["kind"] === "videos") {
    const ids = arrayAt(json["ids"], `${field}.ids`).map((id, i) => stringAt(id, `${field}.ids[${i}]`));
    ids.forEach((id, i) => {
      const before = ids[i - 1];
      if (before !== undefined && !(before < id)) throw fail(`${field}.ids[${i}]`, `must be sorted without repeats ("${before}" then "${id}")`);
    });
    return { kind: "videos", ids };
  }
  throw fail(`${field}.kind`, 'must be "uploadedFrom" or "videos"');
}

function metricsAt(value: unknown, field: string): StageMetrics | null {
  if (value === null || value === undefined) return null;
  const json = objectAt(value, field);
  const num = (key: string): number => {
    const v = json[key];
    if (v === null) return Number.NaN; // JSON has no NaN (e.g. Spearman of a constant prediction)
    if (typeof v !== "number") throw fail(`${field}.${key}`, "must be a number");
    return v;
  };
  return {
    nTrain: num("nTrain"),
    nTest: num("nTest"),
    mae: num("mae"),
    r2: num("r2"),
    spearman: num("spearman"),
    baselineMae: num("baselineMae"),
    baselineName: stringAt(json["baselineName"], `${field}.baselineName`),
    coverage: num("coverage"),
  };
}

function stageAt(value: unknown, field: string, stage: Stage, spec: FeatureSpec): StageModel {
  const json = objectAt(value, field);
  if (json["stage"] !== stage) throw fail(`${field}.stage`, `must be "${stage}"`);
  let trees: TreeEnsemble;
  try {
    trees = treesFromJSON(json["trees"]);
  } catch (cause) {
    throw new ViralityError("VIR_MODEL_INVALID", `model bundle: ${field}.trees: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      details: { field: `${field}.trees` },
    });
  }
  const width = featureNames(spec, stage).length;
  if (trees.nFeatures !== width) throw fail(`${field}.trees.nFeatures`, `is ${trees.nFeatures} but the spec gives ${width} features at stage ${stage}`);
  const conformal = objectAt(json["conformal"], `${field}.conformal`);
  const level = finiteAt(conformal["level"], `${field}.conformal.level`);
  if (level <= 0 || level >= 1) throw fail(`${field}.conformal.level`, "must be between 0 and 1");
  const quantile = finiteAt(conformal["quantile"], `${field}.conformal.quantile`);
  if (quantile < 0) throw fail(`${field}.conformal.quantile`, "must be ≥ 0");
  const baseMargin = baseMarginAt(json["baseMargin"], `${field}.baseMargin`);
  if (baseMargin.kind === "szabo-huberman" && viewsIndex(spec, stage, baseMargin.window) < 0) {
    throw fail(`${field}.baseMargin.window`, `names views_${baseMargin.window}, which is not a feature at stage ${stage}`);
  }
  return {
    stage,
    trees,
    baseMargin,
    conformal: { level, quantile, nCalibration: finiteAt(conformal["nCalibration"], `${field}.conformal.nCalibration`) },
    metrics: metricsAt(json["metrics"], `${field}.metrics`),
  };
}

/** Validates a parsed bundle; every failure is VIR_MODEL_INVALID naming the field. */
export function bundleFromJSON(value: unknown): ModelBundle {
  const json = objectAt(value, "(top level)");
  if (json["type"] !== BUNDLE_TYPE) throw fail("type", `must be "${BUNDLE_TYPE}" (this is not a virality model bundle)`);
  const format = json["formatVersion"];
  if (format !== 1 && format !== 2) {
    throw fail("formatVersion", `is ${JSON.stringify(format)}; this build reads formats 1 and 2 — retrain or use a matching build`);
  }
  if (format === 1 && json["heldOut"] !== undefined) throw fail("heldOut", "appears in a format 1 bundle; it was added in format 2");
  const spec = specFromJSON(json["spec"]);
  const target = objectAt(json["target"], "target");
  const transform = target["transform"];
  if (transform !== "log1p" && transform !== "none") throw fail("target.transform", 'must be "log1p" or "none"');
  const stagesJson = objectAt(json["stages"], "stages");
  const stages: Partial<Record<Stage, StageModel>> = {};
  for (const [name, model] of Object.entries(stagesJson)) {
    if (!isStage(name)) throw fail(`stages.${name}`, 'is not a stage ("upload", "1h", "6h")');
    stages[name] = stageAt(model, `stages.${name}`, name, spec);
  }
  if (Object.keys(stages).length === 0) throw fail("stages", "holds no stage model");
  const medians: Record<string, number> = {};
  for (const [channel, median] of Object.entries(objectAt(json["channelMedians"], "channelMedians"))) {
    medians[channel] = finiteAt(median, `channelMedians.${channel}`);
  }
  const fingerprint = objectAt(json["fingerprint"], "fingerprint");
  const heldOut = json["heldOut"] === undefined ? undefined : heldOutAt(json["heldOut"], "heldOut");
  const unversioned: UnversionedBundle = {
    type: BUNDLE_TYPE,
    formatVersion: format,
    createdAt: stringAt(json["createdAt"], "createdAt"),
    target: { column: stringAt(target["column"], "target.column"), transform },
    spec,
    stages,
    channelMedians: medians,
    fingerprint: { rows: finiteAt(fingerprint["rows"], "fingerprint.rows"), sha256: stringAt(fingerprint["sha256"], "fingerprint.sha256") },
    ...(heldOut === undefined ? {} : { heldOut }),
  };
  const sealed = sealBundle(unversioned);
  const version = stringAt(json["version"], "version");
  if (sealed.version !== version) {
    throw fail("version", `is ${version} but the content hashes to ${sealed.version}: the bundle was altered or damaged`);
  }
  return sealed;
}

export function parseBundle(text: string, source: string): ModelBundle {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ViralityError("VIR_MODEL_INVALID", `${source} is not a model bundle (not valid JSON)`, { cause, details: { file: source } });
  }
  return bundleFromJSON(value);
}

export async function loadBundle(file: string): Promise<ModelBundle> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new ViralityError("VIR_MODEL_NOT_FOUND", `cannot read model bundle ${file}`, { cause, details: { file } });
  }
  return parseBundle(text, file);
}

/** Writes atomically (temp file + rename), so an interrupted save leaves no half-written bundle. */
export async function saveBundle(bundle: ModelBundle, file: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, serializeBundle(bundle));
  await rename(tmp, file);
}

// ------------------------------------------------------------------------------------------ helpers

/** Index of views_<window> in the stage's raw vector, or -1. */
export function viewsIndex(spec: FeatureSpec, stage: Stage, window: EngagementWindow): number {
  const i = featuresOfStage(spec, stage).findIndex(
    (f) => f.source.from === "engagement" && f.source.window === window && f.source.metric === "views",
  );
  return i < 0 ? -1 : spec.embeddingDim + i;
}

/** The base margin of one raw vector (the trainer and the predictor both call this). */
export function baseMarginOf(margin: BaseMargin, viewsAt: number, vector: ArrayLike<number>, offset = 0): number {
  if (margin.kind === "none") return 0;
  const views = viewsAt < 0 ? Number.NaN : (vector[offset + viewsAt] ?? Number.NaN);
  return Number.isFinite(views) && views >= 0 ? Math.log1p(views) + margin.r : margin.fallback;
}

export function toTarget(transform: TargetTransform, views: number): number {
  return transform === "log1p" ? Math.log1p(Math.max(0, views)) : views;
}

export function fromTarget(transform: TargetTransform, target: number): number {
  return transform === "log1p" ? Math.expm1(target) : target;
}
