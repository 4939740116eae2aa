/**
 * Feature assembly: a video's records → the feature vector of a stage. The one code path for
 * training (through recordsFromTableRow) and scoring (records from the event store).
 *
 * Raw vector (GBDT): emb_0 … emb_{d-1}, then the stage's features in spec order; numbers as they are,
 * categoricals as codes (unknown = categories.length), missing as NaN.
 * Ridge vector: the same, imputed (median; embedding mean), reshaped (signed log1p for counts),
 * standardized, and categoricals one-hot.
 */
import { ViralityError } from "../errors.js";
import type { FeatureSource } from "./columns.js";
import type { EngagementSnapshot, UploadRecord, VideoRecords } from "./records.js";
import {
  featureNames,
  featuresOfStage,
  isSnapshotMetric,
  ridgeNames,
  ridgeWidth,
  vectorWidth,
  type FeatureDef,
  type FeatureSpec,
} from "./spec.js";
import { judgeSnapshot, STAGES, type EngagementWindow, type SnapshotVerdict, type Stage } from "./stages.js";
import { categoryKey, numberOf, type RawValue } from "./values.js";

export interface InputsPresent {
  readonly upload: boolean;
  readonly embedding: boolean;
  /** A valid snapshot (observed within the window's cutoff) was used. */
  readonly engagement_1h: boolean;
  readonly engagement_6h: boolean;
}

export interface IgnoredSnapshot {
  readonly window: EngagementWindow;
  readonly observed_at: number;
  readonly reason: Exclude<SnapshotVerdict, "valid">;
}

export interface Assembled {
  readonly stage: Stage;
  /** The raw vector (see featureNames(spec, stage)). */
  readonly values: Float64Array;
  readonly inputs: InputsPresent;
  /** Snapshots not used, and why (a late snapshot is never used for its window). */
  readonly ignored: readonly IgnoredSnapshot[];
}

/** Records with the snapshot chosen per window: the latest valid one. */
export interface ResolvedRecords {
  readonly upload: UploadRecord | null;
  readonly embedding: Float32Array | null;
  readonly snapshots: Readonly<Record<EngagementWindow, EngagementSnapshot | null>>;
  readonly ignored: readonly IgnoredSnapshot[];
}

export function resolveRecords(spec: FeatureSpec, records: VideoRecords): ResolvedRecords {
  const upload = records.upload ?? null;
  const embedding = records.embedding ?? null;
  if (embedding !== null && embedding.length !== spec.embeddingDim) {
    throw new ViralityError(
      "VIR_FEATURE_INVALID",
      `video ${upload?.video_id ?? "(no upload yet)"}: the embedding has ${embedding.length} dimensions, the model expects ${spec.embeddingDim}; ` +
        `produce it with the embedding model the bundle was trained on.`,
      { details: { video_id: upload?.video_id ?? "", expected: spec.embeddingDim, actual: embedding.length } },
    );
  }
  const uploadedAt = upload?.uploaded_at ?? Number.NaN;
  const snapshots: Record<EngagementWindow, EngagementSnapshot | null> = { "1h": null, "6h": null };
  const ignored: IgnoredSnapshot[] = [];
  for (const snapshot of records.engagement) {
    const verdict = judgeSnapshot(snapshot.window, snapshot.observed_at, uploadedAt, spec.cutoffsMs);
    if (verdict !== "valid") {
      ignored.push({ window: snapshot.window, observed_at: snapshot.observed_at, reason: verdict });
      continue;
    }
    const current = snapshots[snapshot.window];
    if (current === null || snapshot.observed_at >= current.observed_at) snapshots[snapshot.window] = snapshot;
  }
  return { upload, embedding, snapshots, ignored };
}

/** The highest stage whose inputs are present, or null when even the upload stage is not. */
export function highestStage(spec: FeatureSpec, records: VideoRecords): Stage | null {
  const resolved = resolveRecords(spec, records);
  if (resolved.upload === null || resolved.embedding === null) return null;
  if (resolved.snapshots["6h"] !== null) return "6h";
  if (resolved.snapshots["1h"] !== null) return "1h";
  return "upload";
}

// ---------------------------------------------------------------------------------------------
// Compiled spec: per feature, how to read its raw value and encode it. Cached per spec object.

interface CompiledFeature {
  readonly feature: FeatureDef;
  readonly rawOf: (records: ResolvedRecords) => RawValue;
  readonly codes: ReadonlyMap<string, number> | undefined;
}

interface CompiledSpec {
  readonly features: readonly CompiledFeature[];
  /** How many features (after the embedding) the vector of each stage holds. */
  readonly countByStage: Readonly<Record<Stage, number>>;
}

const compiled = new WeakMap<FeatureSpec, CompiledSpec>();

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** 1970-01-01 was a Thursday (getUTCDay 4). */
const EPOCH_DOW = 4;

function rawReader(source: FeatureSource): (records: ResolvedRecords) => RawValue {
  switch (source.from) {
    case "upload": {
      const field = source.field;
      return (records) => records.upload?.[field] ?? null;
    }
    case "upload-time":
      return source.part === "hour"
        ? (records) => (records.upload === null ? null : mod(Math.floor(records.upload.uploaded_at / HOUR_MS), 24))
        : (records) => (records.upload === null ? null : mod(Math.floor(records.upload.uploaded_at / DAY_MS) + EPOCH_DOW, 7));
    case "extra": {
      const key = source.key;
      return (records) => records.upload?.extras?.[key] ?? null;
    }
    case "engagement": {
      const { window, metric } = source;
      if (isSnapshotMetric(metric)) return (records) => records.snapshots[window]?.[metric] ?? null;
      return (records) => records.snapshots[window]?.extras?.[metric] ?? null;
    }
  }
}

function mod(value: number, by: number): number {
  const rest = value % by;
  return rest < 0 ? rest + by : rest;
}

export function compileSpec(spec: FeatureSpec): CompiledSpec {
  const cached = compiled.get(spec);
  if (cached !== undefined) return cached;
  const features = spec.features.map((feature): CompiledFeature => ({
    feature,
    rawOf: rawReader(feature.source),
    codes: feature.kind === "categorical" ? new Map(feature.categories.map((category, code) => [category, code])) : undefined,
  }));
  const countByStage: Record<Stage, number> = { upload: 0, "1h": 0, "6h": 0 };
  for (const stage of STAGES) countByStage[stage] = featuresOfStage(spec, stage).length;
  const result = { features, countByStage };
  compiled.set(spec, result);
  return result;
}

function encode(item: CompiledFeature, value: RawValue, records: ResolvedRecords): number {
  const feature = item.feature;
  if (feature.kind === "categorical") {
    const key = categoryKey(value);
    if (key === null) return Number.NaN;
    return item.codes?.get(key) ?? feature.categories.length;
  }
  const number = numberOf(value);
  if (number === undefined) {
    const videoId = records.upload?.video_id ?? "";
    throw new ViralityError(
      "VIR_FEATURE_INVALID",
      `video ${videoId || "(no upload yet)"}: feature "${feature.name}" is ${JSON.stringify(value)}, which is not a number.`,
      { details: { video_id: videoId, feature: feature.name } },
    );
  }
  return number;
}

// ---------------------------------------------------------------------------------------------

function inputsOf(records: ResolvedRecords): InputsPresent {
  return {
    upload: records.upload !== null,
    embedding: records.embedding !== null,
    engagement_1h: records.snapshots["1h"] !== null,
    engagement_6h: records.snapshots["6h"] !== null,
  };
}

/** Writes the raw vector of `stage` into out[offset … offset + vectorWidth). */
export function assembleResolvedInto(
  spec: FeatureSpec,
  stage: Stage,
  records: ResolvedRecords,
  out: Float64Array | Float32Array,
  offset: number,
): void {
  const dim = spec.embeddingDim;
  const embedding = records.embedding;
  if (embedding === null) out.fill(Number.NaN, offset, offset + dim);
  else out.set(embedding, offset);
  let at = offset + dim;
  const { features, countByStage } = compileSpec(spec);
  const count = countByStage[stage];
  for (let i = 0; i < count; i++) {
    const item = features[i];
    if (item === undefined) break;
    out[at++] = encode(item, item.rawOf(records), records);
  }
}

/**
 * assemble() into the caller's vector (vectorWidth(spec, stage) long), returning the inputs used: for
 * a scorer that reuses one vector per stage instead of allocating one per event.
 */
export function assembleInto(spec: FeatureSpec, stage: Stage, records: VideoRecords, out: Float64Array): InputsPresent {
  const resolved = resolveRecords(spec, records);
  assembleResolvedInto(spec, stage, resolved, out, 0);
  return inputsOf(resolved);
}

export function assemble(spec: FeatureSpec, stage: Stage, records: VideoRecords): Assembled {
  const resolved = resolveRecords(spec, records);
  const values = new Float64Array(vectorWidth(spec, stage));
  assembleResolvedInto(spec, stage, resolved, values, 0);
  return { stage, values, inputs: inputsOf(resolved), ignored: resolved.ignored };
}

/** The ridge variant of a raw vector of `stage`. */
export function ridgeVector(spec: FeatureSpec, stage: Stage, raw: ArrayLike<number>): Float64Array {
  const out = new Float64Array(ridgeWidth(spec, stage));
  ridgeInto(spec, stage, raw, 0, out, 0);
  return out;
}

function ridgeInto(
  spec: FeatureSpec,
  stage: Stage,
  raw: ArrayLike<number>,
  rawOffset: number,
  out: Float64Array | Float32Array,
  offset: number,
): void {
  const dim = spec.embeddingDim;
  const scale = spec.embeddingScale;
  for (let j = 0; j < dim; j++) {
    const value = raw[rawOffset + j] ?? Number.NaN;
    if (scale === null) out[offset + j] = Number.isNaN(value) ? 0 : value;
    else out[offset + j] = Number.isNaN(value) ? 0 : (value - (scale.mean[j] ?? 0)) / (scale.std[j] ?? 1);
  }
  let at = offset + dim;
  let from = rawOffset + dim;
  const { features, countByStage } = compileSpec(spec);
  const count = countByStage[stage];
  for (let i = 0; i < count; i++) {
    const feature = features[i]?.feature;
    if (feature === undefined) break;
    const value = raw[from++] ?? Number.NaN;
    if (feature.kind === "categorical") {
      const width = feature.categories.length + 1;
      out.fill(0, at, at + width);
      if (!Number.isNaN(value)) out[at + value] = 1;
      at += width;
      continue;
    }
    let x = Number.isNaN(value) ? feature.impute : value;
    if (feature.transform === "signed-log1p") x = Math.sign(x) * Math.log1p(Math.abs(x));
    out[at++] = feature.scale === null ? x : (x - feature.scale.mean) / feature.scale.std;
  }
}

export type MatrixVariant = "raw" | "ridge";

export interface FeatureMatrix {
  readonly stage: Stage;
  readonly variant: MatrixVariant;
  readonly rows: number;
  readonly width: number;
  readonly names: readonly string[];
  /** Row-major rows × width. */
  readonly data: Float32Array;
  /** Per row, bit flags of the inputs present: 1 upload, 2 embedding, 4 valid 1h, 8 valid 6h. */
  readonly inputs: Uint8Array;
}

export const INPUT_FLAGS = { upload: 1, embedding: 2, engagement_1h: 4, engagement_6h: 8 } as const;

/** Assembles many videos into one matrix; recordsAt(i) gives the records of row i. */
export function assembleBatch(
  spec: FeatureSpec,
  stage: Stage,
  rows: number,
  recordsAt: (row: number) => VideoRecords,
  variant: MatrixVariant = "raw",
): FeatureMatrix {
  const rawWidth = vectorWidth(spec, stage);
  const width = variant === "raw" ? rawWidth : ridgeWidth(spec, stage);
  const data = new Float32Array(rows * width);
  const inputs = new Uint8Array(rows);
  const scratch = variant === "raw" ? undefined : new Float64Array(rawWidth);
  for (let row = 0; row < rows; row++) {
    const resolved = resolveRecords(spec, recordsAt(row));
    if (scratch === undefined) assembleResolvedInto(spec, stage, resolved, data, row * width);
    else {
      assembleResolvedInto(spec, stage, resolved, scratch, 0);
      ridgeInto(spec, stage, scratch, 0, data, row * width);
    }
    inputs[row] = flagsOf(resolved);
  }
  const names = variant === "raw" ? featureNames(spec, stage) : ridgeNames(spec, stage);
  return { stage, variant, rows, width, names, data, inputs };
}

function flagsOf(records: ResolvedRecords): number {
  return (
    (records.upload !== null ? INPUT_FLAGS.upload : 0) |
    (records.embedding !== null ? INPUT_FLAGS.embedding : 0) |
    (records.snapshots["1h"] !== null ? INPUT_FLAGS.engagement_1h : 0) |
    (records.snapshots["6h"] !== null ? INPUT_FLAGS.engagement_6h : 0)
  );
}

