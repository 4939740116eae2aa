/**
 * A video's records, the one input of feature assembly: the upload event, the embedding and the
 * engagement snapshots as the scorer receives them. The trainer turns each table row into the same
 * records (recordsFromTableRow), so training and scoring assemble features through one path.
 */
import { ViralityError } from "../errors.js";
import { KEY_COLUMN, rowLabel, type Column, type Table } from "../io/tables/table.js";
import { OBSERVED_AT_PREFIX, SNAPSHOT_METRICS, UPLOADED_AT_COLUMN, type SnapshotMetric } from "./columns.js";
import { WINDOWS, WINDOW_MS, type EngagementWindow } from "./stages.js";
import type { FeatureSpec } from "./spec.js";
import { numberOf, timestampMs, type RawValue } from "./values.js";

export type ExtraValue = number | string | boolean | null;

/**
 * The upload event. Metadata fields take what an event or a table cell holds; assembly turns them into
 * numbers or category codes as the spec says (see ./values.ts), the same way for both.
 */
export interface UploadRecord {
  readonly video_id: string;
  readonly channel_id: string | number | null;
  /** Epoch milliseconds. */
  readonly uploaded_at: number;
  readonly duration_seconds: number | string | null;
  readonly language?: ExtraValue;
  readonly captions?: ExtraValue;
  readonly cluster_id?: ExtraValue;
  /** Free upload-stage metadata (table columns without a field of their own). */
  readonly extras?: Readonly<Record<string, ExtraValue>> | null;
}

export interface EngagementSnapshot {
  readonly window: EngagementWindow;
  /** Epoch milliseconds. */
  readonly observed_at: number;
  readonly views: number | null;
  readonly likes: number | null;
  readonly comments: number | null;
  readonly shares: number | null;
  readonly retention?: number | null;
  readonly watch_time_seconds?: number | null;
  /** Other `<metric>_<window>` table columns (no event field carries them). */
  readonly extras?: Readonly<Record<string, number | null>> | null;
}

export interface VideoRecords {
  readonly upload?: UploadRecord | null;
  readonly embedding?: Float32Array | null;
  readonly engagement: readonly EngagementSnapshot[];
}

interface WindowColumns {
  readonly window: EngagementWindow;
  readonly metrics: ReadonlyArray<readonly [SnapshotMetric, Column]>;
  readonly extras: ReadonlyArray<readonly [string, Column]>;
  readonly observedAt: Column | undefined;
}

interface RowReader {
  readonly key: Column;
  readonly uploadedAt: Column | undefined;
  readonly upload: ReadonlyArray<readonly [string, Column]>;
  readonly extras: ReadonlyArray<readonly [string, Column]>;
  readonly windows: readonly WindowColumns[];
}

const readers = new WeakMap<Table, WeakMap<FeatureSpec, RowReader>>();

function readerFor(spec: FeatureSpec, table: Table): RowReader {
  let bySpec = readers.get(table);
  if (bySpec === undefined) {
    bySpec = new WeakMap();
    readers.set(table, bySpec);
  }
  const cached = bySpec.get(spec);
  if (cached !== undefined) return cached;

  const key = table.byName.get(KEY_COLUMN);
  if (key === undefined) {
    throw new ViralityError("VIR_TABLE_INVALID", `${table.source}: no "${KEY_COLUMN}" column.`, {
      details: { file: table.source, column: KEY_COLUMN },
    });
  }
  const upload: Array<readonly [string, Column]> = [];
  const extras: Array<readonly [string, Column]> = [];
  const windowExtras: Record<EngagementWindow, Array<readonly [string, Column]>> = { "1h": [], "6h": [] };
  for (const feature of spec.features) {
    const source = feature.source;
    if (source.from === "upload") {
      const column = table.byName.get(source.field);
      if (column !== undefined) upload.push([source.field, column]);
    } else if (source.from === "extra") {
      const column = table.byName.get(source.key);
      if (column !== undefined) extras.push([source.key, column]);
    } else if (source.from === "engagement" && !SNAPSHOT_METRICS.some((metric) => metric === source.metric)) {
      const column = table.byName.get(`${source.metric}_${source.window}`);
      if (column !== undefined) windowExtras[source.window].push([source.metric, column]);
    }
  }
  const windows = WINDOWS.map((window): WindowColumns => {
    const metrics: Array<readonly [SnapshotMetric, Column]> = [];
    for (const metric of SNAPSHOT_METRICS) {
      const column = table.byName.get(`${metric}_${window}`);
      if (column !== undefined) metrics.push([metric, column]);
    }
    return { window, metrics, extras: windowExtras[window], observedAt: table.byName.get(`${OBSERVED_AT_PREFIX}${window}`) };
  });
  const reader: RowReader = { key, uploadedAt: table.byName.get(UPLOADED_AT_COLUMN), upload, extras, windows };
  bySpec.set(spec, reader);
  return reader;
}

function raw(column: Column, row: number): RawValue {
  if (column.type === "number") {
    const value = column.values[row] ?? Number.NaN;
    return Number.isNaN(value) ? null : value;
  }
  return column.values[row] ?? null;
}

function metricNumber(column: Column, row: number, table: Table): number | null {
  if (column.type === "number") {
    const value = column.values[row] ?? Number.NaN;
    return Number.isNaN(value) ? null : value;
  }
  const value = column.values[row] ?? null;
  if (value === null) return null;
  const number = numberOf(value);
  if (number === undefined) {
    throw new ViralityError(
      "VIR_TABLE_INVALID",
      `${table.source}: ${rowLabel(table, row)}, column "${column.name}" holds ${JSON.stringify(value)}, not a number.`,
      { details: { file: table.source, row: row + 1, column: column.name } },
    );
  }
  return Number.isNaN(number) ? null : number;
}

function timeAt(table: Table, column: Column, row: number): number {
  const ms = timestampMs(raw(column, row));
  if (ms === undefined) {
    throw new ViralityError(
      "VIR_TABLE_INVALID",
      `${table.source}: ${rowLabel(table, row)}, column "${column.name}" holds ${JSON.stringify(raw(column, row))}; ` +
        `write ISO 8601 (2024-05-01T12:00:00Z) or epoch seconds.`,
      { details: { file: table.source, row: row + 1, column: column.name } },
    );
  }
  return ms;
}

/**
 * The records of one table row, as the scorer would have received them: an upload record, the
 * embedding, and one snapshot per window that has any engagement value. A snapshot's observed_at is
 * the `observed_at_<window>` cell when present, else exactly upload time + window.
 */
export function recordsFromTableRow(
  spec: FeatureSpec,
  table: Table,
  row: number,
  embedding?: Float32Array | null,
): VideoRecords {
  const reader = readerFor(spec, table);
  const videoId = raw(reader.key, row);
  if (reader.uploadedAt === undefined) {
    throw new ViralityError(
      "VIR_TABLE_INVALID",
      `${table.source}: no "${UPLOADED_AT_COLUMN}" column; it decides which snapshots each stage may use ` +
        `(ISO 8601 or epoch seconds).`,
      { details: { file: table.source, column: UPLOADED_AT_COLUMN } },
    );
  }
  const uploadedAt = timeAt(table, reader.uploadedAt, row);
  if (Number.isNaN(uploadedAt)) {
    throw new ViralityError(
      "VIR_TABLE_INVALID",
      `${table.source}: ${rowLabel(table, row)} has no ${UPLOADED_AT_COLUMN}; every video needs its upload time.`,
      { details: { file: table.source, row: row + 1, column: UPLOADED_AT_COLUMN } },
    );
  }
  const fields: Record<string, ExtraValue> = {};
  for (const [field, column] of reader.upload) fields[field] = raw(column, row) ?? null;
  let extras: Record<string, ExtraValue> | null = null;
  if (reader.extras.length > 0) {
    extras = {};
    for (const [key, column] of reader.extras) extras[key] = raw(column, row) ?? null;
  }
  const channel = fields.channel_id ?? null;
  const duration = fields.duration_seconds ?? null;
  const upload: UploadRecord = {
    video_id: typeof videoId === "string" ? videoId : String(videoId),
    channel_id: typeof channel === "boolean" ? String(channel) : channel,
    uploaded_at: uploadedAt,
    duration_seconds: typeof duration === "boolean" ? String(duration) : duration,
    language: fields.language ?? null,
    captions: fields.captions ?? null,
    cluster_id: fields.cluster_id ?? null,
    extras,
  };

  const engagement: EngagementSnapshot[] = [];
  for (const window of reader.windows) {
    const snapshot = snapshotAt(table, row, window, uploadedAt);
    if (snapshot !== undefined) engagement.push(snapshot);
  }
  return { upload, embedding: embedding ?? null, engagement };
}

function snapshotAt(table: Table, row: number, columns: WindowColumns, uploadedAt: number): EngagementSnapshot | undefined {
  const values: Partial<Record<SnapshotMetric, number | null>> = {};
  let any = false;
  for (const [metric, column] of columns.metrics) {
    const value = metricNumber(column, row, table);
    values[metric] = value;
    if (value !== null) any = true;
  }
  let extras: Record<string, number | null> | null = null;
  if (columns.extras.length > 0) {
    extras = {};
    for (const [metric, column] of columns.extras) {
      const value = metricNumber(column, row, table);
      extras[metric] = value;
      if (value !== null) any = true;
    }
  }
  if (!any) return undefined;
  const observed = columns.observedAt === undefined ? Number.NaN : timeAt(table, columns.observedAt, row);
  return {
    window: columns.window,
    observed_at: Number.isNaN(observed) ? uploadedAt + WINDOW_MS[columns.window] : observed,
    views: values.views ?? null,
    likes: values.likes ?? null,
    comments: values.comments ?? null,
    shares: values.shares ?? null,
    retention: values.retention ?? null,
    watch_time_seconds: values.watch_time_seconds ?? null,
    extras,
  };
}
