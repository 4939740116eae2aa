/**
 * A world as a features table, following the column convention of src/features/columns.ts: the key
 * video_id, upload metadata, free extras, `<metric>_1h` / `<metric>_6h` snapshot columns with their
 * observed_at_<window>, and the labels views_7d and likes_7d (a later horizon, never a feature).
 * Times are ISO 8601 text in UTC. A column with no value at all (a count the source does not know)
 * is left out.
 */
import { tableFromColumns, type Cell, type ColumnInput, type Table } from "../io/tables/table.js";
import type { Snapshot, World, WorldVideo } from "./types.js";

type Getter = (video: WorldVideo) => Cell;

const SNAPSHOT_COLUMNS: ReadonlyArray<readonly [string, (snapshot: Snapshot) => Cell]> = [
  ["views", (s) => s.views],
  ["likes", (s) => s.likes],
  ["comments", (s) => s.comments],
  ["shares", (s) => s.shares],
  ["retention", (s) => s.retention],
  ["observed_at", (s) => iso(s.observedAt)],
];

export function worldTable(world: World, source = "<simulated>"): Table {
  const getters: Array<readonly [string, Getter]> = [
    ["video_id", (v) => v.videoId],
    ["channel_id", (v) => v.channelId],
    ["uploaded_at", (v) => iso(v.uploadedAt)],
    ["duration_seconds", (v) => v.durationSeconds],
    ["language", (v) => v.language],
    ["captions", (v) => (v.captions === null ? null : String(v.captions))],
    ["cluster_id", (v) => v.clusterId],
  ];
  for (const name of extraNames(world.videos, (v) => v.numericExtras)) getters.push([name, (v) => v.numericExtras[name] ?? null]);
  for (const name of extraNames(world.videos, (v) => v.categoricalExtras)) {
    getters.push([name, (v) => v.categoricalExtras[name] ?? null]);
  }
  for (const window of ["1h", "6h"] as const) {
    for (const [metric, read] of SNAPSHOT_COLUMNS) {
      const name = metric === "observed_at" ? `observed_at_${window}` : `${metric}_${window}`;
      getters.push([name, (v) => read(window === "1h" ? v.h1 : v.h6)]);
    }
  }
  getters.push(["views_7d", (v) => v.outcome.views], ["likes_7d", (v) => v.outcome.likes]);

  const columns: Record<string, ColumnInput> = {};
  for (const [name, get] of getters) {
    const values = world.videos.map(get);
    if (values.some((value) => value !== null)) columns[name] = values;
  }
  return tableFromColumns(columns, source);
}

/** Extra names in first-seen order. */
function extraNames(videos: readonly WorldVideo[], extras: (video: WorldVideo) => Readonly<Record<string, unknown>>): string[] {
  const names = new Set<string>();
  for (const video of videos) for (const name of Object.keys(extras(video))) names.add(name);
  return [...names];
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
